"""The reconciler's plans: the SQL of one reconciliation, kept to run again without Ibis.

Building and compiling the reconciler's ~35 expressions costs seconds of Python; running
their SQL over a ledger's figures takes milliseconds. So the first reconciliation of each
shape (the figures' columns, whether one product is kept, the span) keeps its SQL as a
:class:`Plan` in this process, and every write stores the plans it used in the ledger (table
``reconcile_plans``, under the reconciler's :func:`~mineralflow.reconcile.store.code_key`),
so the next process that reconciles the same ledger, a command that writes, replays them
rather than compiling again. A plan of other code is never read: the key differs.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import engines

if TYPE_CHECKING:
    from ..ledger import Ledger

__all__ = ["NAMES", "Plan", "get", "put", "save"]


NAMES = ("checks", "conflicts", "best", "active", "revised", "counted")
"""A plan's results, by the names of the tables or views that hold them."""


@dataclass(frozen=True)
class Plan:
    """The SQL of one reconciliation (see :class:`~mineralflow.reconcile.prepare.Scratch`):
    every step after the input table, and which tables or views hold the results (their
    names with the token left in)."""

    steps: list[engines.Statements]
    checks: str
    conflicts: str
    best: str
    active: str
    revised: str
    counted: str  # the checks whose verdicts are counted (a view)
    keep: tuple[str, ...]  # what the results read: kept until the reconciliation closes

    def to_json(self) -> str:
        import pyarrow as pa

        def arrow(table: pa.Table) -> str:
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            return base64.b64encode(sink.getvalue().to_pybytes()).decode()

        steps = [
            {"sql": list(s.sql), "memtables": [[name, arrow(t)] for name, t in s.memtables]}
            for s in self.steps
        ]
        names = {k: getattr(self, k) for k in NAMES}
        return json.dumps({"steps": steps, **names, "keep": list(self.keep)})

    @classmethod
    def from_json(cls, text: str) -> Plan:
        import pyarrow as pa

        data = json.loads(text)
        steps = [
            engines.Statements(
                tuple(s["sql"]),
                tuple(
                    (name, pa.ipc.open_stream(base64.b64decode(blob)).read_all())
                    for name, blob in s["memtables"]
                ),
            )
            for s in data.pop("steps")
        ]
        return cls(steps=steps, keep=tuple(data.pop("keep")), **data)


# Plans compiled or read in this process, by shape (a few hundred kB each with catalog data).
_PLANS: dict[tuple[Any, ...], Plan] = {}


def _shape_id(key: tuple[Any, ...]) -> str:
    return hashlib.sha256(repr(key).encode()).hexdigest()[:24]


def _read(ledger: Ledger, key: tuple[Any, ...]) -> Plan | None:
    """The plan of ``key`` stored in ``ledger`` for this code, if any."""
    from .store import _has_table, code_key

    if not _has_table(ledger, "reconcile_plans"):
        return None
    found = ledger.con.execute(
        "SELECT plan FROM reconcile_plans WHERE shape = "
        f"{engines.sql_literal(_shape_id(key))} AND code_key = {engines.sql_literal(code_key())}"
    ).fetchall()
    return Plan.from_json(found[0][0]) if found else None


def get(ledger: Ledger | None, key: tuple[Any, ...]) -> Plan | None:
    """The plan of ``key``: compiled earlier in this process, else stored in ``ledger``."""
    plan = _PLANS.get(key)
    if plan is None and ledger is not None:
        plan = _read(ledger, key)
        if plan is not None:
            _PLANS[key] = plan
    return plan


def put(key: tuple[Any, ...], plan: Plan) -> None:
    """Keep ``plan`` for the next reconciliation of shape ``key`` in this process."""
    _PLANS[key] = plan


def save(ledger: Ledger) -> None:
    """Store this process's plans in ``ledger`` for this code (inside a write transaction:
    :func:`mineralflow.reconcile.store.refresh` calls it); plans of other code go."""
    from .store import code_key

    con = ledger.con
    con.execute(
        "CREATE TABLE IF NOT EXISTS reconcile_plans "
        "(shape VARCHAR NOT NULL, code_key VARCHAR NOT NULL, plan VARCHAR NOT NULL)"
    )
    key = code_key()
    con.execute(f"DELETE FROM reconcile_plans WHERE code_key <> {engines.sql_literal(key)}")
    stored = {r[0] for r in con.execute("SELECT shape FROM reconcile_plans").fetchall()}
    for shape, plan in _PLANS.items():
        ident = _shape_id(shape)
        if ident not in stored:
            values = ", ".join(engines.sql_literal(v) for v in (ident, key, plan.to_json()))
            con.execute(f"INSERT INTO reconcile_plans VALUES ({values})")
