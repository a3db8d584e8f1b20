"""The stored reconciliation: every product's verdicts kept in the ledger, recomputed when
the figures change, so that a brief, a report or a check reads them instead of reconciling.

Where it lives: the ledger's tables ``reconciliations`` (one row per product: the content
version and code key it was computed for, and its counts), ``reconciled_checks``,
``reconciled_conflicts`` and ``reconciled_best`` (the results of
:func:`~mineralflow.reconcile.reconcile` for each product, with the product in ``scope``).

When it is recomputed: at the end of every write transaction that changed the ledger
(:meth:`mineralflow.Ledger.transaction` bumps ``ledger_state.content_version`` and calls
:func:`refresh` before it commits), so stored verdicts are never behind the figures in a
committed ledger. Only the products whose input changed are reconciled again
(``reconciliation_inputs`` keeps a hash of each product's figures and sources); the others
are marked current as they are. And by any write when they were computed by other code
(the code key, a hash of the reconciler's source and the catalog tables it reads, differs).
A reader that finds them stale (a ledger written by an older mineralflow and opened
read-only, say) reconciles in memory instead, with the same result::

    >>> with Ledger.open(read_only=True) as ledger:                      # doctest: +SKIP
    ...     is_current(ledger, "rare-earth-magnets")
    True
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import catalog
from ..engines import sql_literal
from ..errors import SchemaError
from ..periods import Period
from . import plans

if TYPE_CHECKING:
    from ..ledger import Ledger
    from .results import Reconciliation

__all__ = ["RESULTS", "code_key", "is_current", "refresh", "stored"]

RESULTS = ("checks", "conflicts", "best")
"""The stored results: table ``reconciled_<name>`` holds ``Reconciliation.<name>_table``."""

_PACKAGE = Path(__file__).resolve().parent.parent


def _hash(files: list[Path]) -> str:
    from importlib.metadata import version

    h = hashlib.sha256(version("ibis-framework").encode())
    for path in files:
        h.update(str(path.relative_to(_PACKAGE)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


@cache
def code_key() -> str:
    """A hash of what the stored verdicts depend on besides the ledger: the reconciler and
    the modules it reads (catalog, periods, ledger, engines), the catalog tables
    (qualifiers, scopes, members, partners) and the Ibis that compiles its SQL. Any change
    makes them stale."""
    files = sorted((_PACKAGE / "reconcile").glob("*.py"))
    files += [_PACKAGE / f"{name}.py" for name in ("catalog", "periods", "ledger", "engines")]
    return _hash(files + sorted((_PACKAGE / "data" / "catalog").glob("*.csv")))


@cache
def queries_key() -> str:
    """A hash of what the compiled queries depend on: all of mineralflow's source and the
    catalog tables (:mod:`mineralflow.compiled`)."""
    files = sorted(_PACKAGE.rglob("*.py")) + sorted((_PACKAGE / "data" / "catalog").glob("*.csv"))
    return _hash(files)


def _has_store(ledger: Ledger) -> bool:
    return _has_table(ledger, "reconciliations")


def is_current(ledger: Ledger, product: str) -> bool:
    """Whether the ledger holds ``product``'s reconciliation for its figures as they are."""
    return _current_counts(ledger, product) is not None


def _current_counts(ledger: Ledger, product: str) -> dict[str, int] | None:
    rows = ledger.con.execute(
        "SELECT r.checks, r.consistent, r.inconsistent, r.unverifiable, r.figures, r.revised "
        "FROM reconciliations r, ledger_state s "
        f"WHERE r.scope = {sql_literal(product)} AND r.content_version = s.content_version "
        f"AND r.code_key = {sql_literal(code_key())}"
    ).fetchall()
    if not rows:
        return None
    names = ("checks", "consistent", "inconsistent", "unverifiable", "figures", "revised")
    return {k: int(v) for k, v in zip(names, rows[0], strict=True)}


def stored(ledger: Ledger, *, product: str | None, span: Period | None) -> Reconciliation | None:
    """``product``'s stored reconciliation (checks and estimates whose period ends in
    ``span``), or None when none is stored for the figures as they are."""
    from .results import Later, Reconciliation

    if product is None:
        return None
    counts = _current_counts(ledger, product)
    if counts is None:
        return None
    lo = span.start.first_day if span is not None else None
    hi = span.end.first_day if span is not None else None

    within = f" AND period_end BETWEEN {sql_literal(lo)} AND {sql_literal(hi)}" if span else ""

    def where(name: str) -> str:
        return (
            f"SELECT * EXCLUDE (scope) FROM reconciled_{name} "
            f"WHERE scope = {sql_literal(product)}{within}"
        )

    def table(name: str) -> Later:
        def make() -> Any:
            t = ledger.table(f"reconciled_{name}")
            t = t.filter(t.scope == product).drop("scope")
            if span is not None:
                t = t.filter((t.period_end >= lo) & (t.period_end <= hi))
            return t

        return Later(make)

    if span is not None:
        by = dict(
            ledger.con.execute(
                "SELECT verdict, count(*) FROM reconciled_checks "
                f"WHERE scope = {sql_literal(product)}{within} GROUP BY 1"
            ).fetchall()
        )
        counts = {
            **counts,
            "checks": int(sum(by.values())),
            **{v: int(by.get(v, 0)) for v in ("consistent", "inconsistent", "unverifiable")},
        }
    sources: dict[str, tuple[str, list[Any]]] = {
        name: (f"FROM ({where(name)})", []) for name in RESULTS
    }
    return Reconciliation(
        counts=counts,
        product=product,
        period=str(span) if span is not None else None,
        stored=True,
        _tables={name: table(name) for name in RESULTS},
        _sources=sources,
        _con=ledger.con,
    )


def every_product(ledger: Ledger) -> dict[str, list[dict[str, Any]]] | None:
    """The stored ``checks``, ``conflicts`` and ``best`` of every product together, as one
    reconciliation of the whole ledger gives them (a check two products' scopes share,
    once), or None when some product's verdicts are not current."""
    from .results import ordered_rows

    products = _products(ledger)
    if not products or not all(is_current(ledger, p) for p in products):
        return None
    return {
        name: ordered_rows(
            ledger.con, name, f"FROM (SELECT DISTINCT * EXCLUDE (scope) FROM reconciled_{name})", []
        )
        for name in RESULTS
    }


def needs_refresh(ledger: Ledger) -> bool:
    """Whether some product's stored reconciliation is missing or stale."""
    if not _has_store(ledger):
        return False
    from ..compiled import is_current as queries_current

    products = _products(ledger)
    stray = ledger.con.execute(
        "SELECT count(*) FROM reconciliations WHERE NOT list_contains(CAST(? AS VARCHAR[]), scope)",
        [products],
    ).fetchone()[0]
    return (
        bool(stray)
        or any(not is_current(ledger, p) for p in products)
        or (bool(products) and not queries_current(ledger))
    )


def _has_table(ledger: Ledger, name: str) -> bool:
    row = ledger.con.execute(
        f"SELECT count(*) FROM duckdb_tables() WHERE table_name = {sql_literal(name)} "
        "AND NOT temporary"
    ).fetchone()
    return bool(row[0])


def _input_keys(ledger: Ledger, products: list[str]) -> dict[str, str]:
    """Per product, a hash of what its reconciliation reads: every column of the figures
    of the products in its scope (``figures_v``, with their sources' columns) and their
    sources' ingest times."""
    from .reconciler import _scope

    per_product = {
        r[0]: f"{r[1]}:{r[2]}"
        for r in ledger.con.execute(
            "SELECT v.product, count(*), sum(hash(v, s.ingested_at))::VARCHAR "
            "FROM figures_v v JOIN sources s USING (source_id) GROUP BY v.product"
        ).fetchall()
    }
    out = {}
    for product in products:
        parts = [f"{p}={per_product.get(p, '')}" for p in _scope(product)]
        out[product] = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    return out


def _products(ledger: Ledger) -> list[str]:
    known = catalog.products()
    rows = ledger.con.execute("SELECT DISTINCT product FROM figures ORDER BY 1").fetchall()
    return [r[0] for r in rows if r[0] in known]


def refresh(ledger: Ledger, *, changed: bool = True) -> None:
    """Reconcile the products whose figures changed and store the results (inside the
    caller's transaction: :meth:`mineralflow.Ledger.transaction` calls this before
    committing). A product's input is its figures and those of the products whose scope
    includes it or that it includes, with their sources (:func:`_input_keys`): a product
    whose input and code are as when it was stored keeps its verdicts, marked current for
    the new content version. Unless the ledger ``changed``, verdicts still current are kept
    and only the compiled queries are stored again."""
    from ..compiled import compile_all
    from .reconciler import reconcile_figures

    if not _has_store(ledger):
        return
    products = _products(ledger)
    if not changed and all(is_current(ledger, p) for p in products):
        if products:
            compile_all(ledger)
        return
    con = ledger.con
    version = con.execute("SELECT content_version FROM ledger_state").fetchone()[0]
    keys = _input_keys(ledger, products)
    con.execute(
        "CREATE TABLE IF NOT EXISTS reconciliation_inputs "
        "(scope VARCHAR PRIMARY KEY, input_key VARCHAR NOT NULL)"
    )
    kept_before = dict(
        con.execute(
            "SELECT r.scope, i.input_key FROM reconciliations r "
            "JOIN reconciliation_inputs i USING (scope) "
            f"WHERE r.code_key = {sql_literal(code_key())}"
        ).fetchall()
    )
    same = [p for p in products if kept_before.get(p) == keys[p]]
    have_tables = all(_has_table(ledger, f"reconciled_{name}") for name in RESULTS)
    if not same or not have_tables:
        same = []  # a full recompute: the results' columns may differ with the code
        for name in RESULTS:
            con.execute(f"DROP TABLE IF EXISTS reconciled_{name}")
    kept = "[" + ", ".join(sql_literal(p) for p in same) + "]::VARCHAR[]"
    con.execute(f"DELETE FROM reconciliations WHERE NOT list_contains({kept}, scope)")
    con.execute(f"UPDATE reconciliations SET content_version = {int(version)}")
    con.execute(f"DELETE FROM reconciliation_inputs WHERE NOT list_contains({kept}, scope)")
    if same:
        for name in RESULTS:
            con.execute(f"DELETE FROM reconciled_{name} WHERE NOT list_contains({kept}, scope)")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    first = not same
    for product in products:
        if product in same:
            continue
        try:
            rec = reconcile_figures(ledger, product=product)
        except SchemaError:
            # Figures the reconciler cannot read (a qualifier missing from the table): the
            # write stands, nothing is stored for the product, and reading it raises the
            # same error with its fix.
            continue
        with rec:
            for name in RESULTS:
                table = getattr(rec, f"{name}_table").get_name().rsplit(".", 1)[-1]
                if first:
                    con.execute(
                        f"CREATE TABLE reconciled_{name} AS "
                        f'SELECT ?::VARCHAR AS scope, * FROM "{table}"',
                        [product],
                    )
                else:
                    con.execute(
                        f'INSERT INTO reconciled_{name} SELECT ?, * FROM "{table}"', [product]
                    )
            c = rec.summary()
            con.execute(
                "INSERT INTO reconciliations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    product,
                    version,
                    code_key(),
                    now,
                    c["checks"],
                    c["consistent"],
                    c["inconsistent"],
                    c["unverifiable"],
                    c["figures"],
                    c["revised"],
                ],
            )
            con.execute("INSERT INTO reconciliation_inputs VALUES (?, ?)", [product, keys[product]])
        first = False
    if same or not first:  # the queries read the stored tables: compiled once they exist
        compile_all(ledger)
    if not first:  # the reconciler's SQL, for the next process that writes this ledger
        plans.save(ledger)
