"""The ledger: one embedded DuckDB file where every figure keeps its source and vintage.

Tables (schema version in ``schema_version``; each change is a numbered migration in
:mod:`mineralflow.ledger_schema`):

- ``sources``: one row per document or data release (news article, market report,
  official release), with its authority, outlet, URL, publication date, content hash.
- ``figures``: one row per stated number (reporter, partner, product, flow, period,
  measure, value as stated, resolution and qualifier, source and locator).
- ``events`` and ``event_products``: dated policy events and the products they touch.
- ``releases``, ``release_periods``, ``flow_rows`` (read through the view ``flows``) and
  ``partner_keys``: official statistics releases and their rows (``mineralflow.ingestion``).
- ``catalog_*``: the packaged catalogs, copied in so queries can join them.
- ``feed_entries``: the entries of the feeds ``mineralflow watch`` follows that it has dealt
  with (``mineralflow.fetch.feeds``).

Every write is one transaction: it happens completely or not at all::

    >>> with Ledger.open("mineralflow.duckdb") as ledger:   # doctest: +SKIP
    ...     ledger.load_bundled()
    ...     ledger.figures_df(product="rare-earth-magnets", period="2025-06")
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from . import catalog, compiled, engines
from .errors import LedgerNotFound, LedgerReadOnly, SchemaError
from .ledger_schema import MEASURE_WORDS, MEASURES, MIGRATIONS, SCHEMA_VERSION
from .periods import Period

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from .engines import DuckDBBackend

__all__ = ["DEFAULT_DB", "MEASURES", "MEASURE_WORDS", "Ledger", "LoadReport", "default_path"]

DEFAULT_DB = "mineralflow.duckdb"


def default_path() -> Path:
    """``$MINERALFLOW_DB`` if set, else ``mineralflow.duckdb`` in the working directory."""
    return Path(os.environ.get("MINERALFLOW_DB") or DEFAULT_DB)


BUNDLED = "bundled"


@dataclass
class LoadReport:
    """What a load changed: rows added, updated and removed per table."""

    sources_added: int = 0
    sources_updated: int = 0
    figures_added: int = 0
    figures_removed: int = 0
    events_added: int = 0
    events_removed: int = 0

    @property
    def changed(self) -> bool:
        return any(vars(self).values())


class Ledger:
    """An open ledger file. Use :meth:`open`; close it, or use it as a context manager."""

    def __init__(self, con: Any, path: Path | None, *, read_only: bool) -> None:
        self._con = con
        self._backend: DuckDBBackend | None = None
        self.path = path
        self.read_only = read_only
        self._scopes: list[bool] = []  # one per open transaction() block: did it change?
        self._changed = False  # did any block closed inside the outermost one change?

    @classmethod
    def open(cls, path: Path | str | None = None, *, read_only: bool = False) -> Ledger:
        """Open (and, for writing, create and migrate) the ledger at ``path``.

        ``path`` defaults to :func:`default_path`. Reading a ledger that does not exist raises
        :class:`LedgerNotFound`; a read-only ledger is never modified.
        """
        p = Path(path) if path is not None else default_path()
        if read_only and not p.exists():
            raise LedgerNotFound(p)
        if not read_only:
            p.parent.mkdir(parents=True, exist_ok=True)
        ledger = cls(engines.connect(p, read_only=read_only), p, read_only=read_only)
        ledger._migrate()
        return ledger

    @classmethod
    def memory(cls) -> Ledger:
        """A throwaway in-memory ledger (tests, notebooks)."""
        ledger = cls(engines.connect(None), None, read_only=False)
        ledger._migrate()
        return ledger

    def close(self) -> None:
        if self._backend is not None:
            self._backend.disconnect()
        else:
            self._con.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------
    @property
    def con(self) -> Any:
        """The raw DuckDB connection (for writers in this package)."""
        return self._con

    @property
    def backend(self) -> DuckDBBackend:
        """The Ibis backend over the ledger's connection (made when first asked for)."""
        if self._backend is None:
            self._backend = engines.duckdb_backend(self._con)
        return self._backend

    def schema_version(self) -> int:
        row = self.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version' "
            "AND NOT temporary"
        ).fetchone()
        if not row[0]:
            return 0
        row = self.con.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def _migrate(self) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise SchemaError(
                f"{self.path} has schema version {version}, newer than this mineralflow's "
                f"{SCHEMA_VERSION}; upgrade mineralflow to read it"
            )
        if version == SCHEMA_VERSION:
            return
        if self.read_only:
            raise SchemaError(
                f"{self.path} has schema version {version}; open it once for writing "
                f"(e.g. `mineralflow load`) to migrate it to {SCHEMA_VERSION}"
            )
        with self.transaction():
            self.con.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                "applied_at TIMESTAMP NOT NULL, description VARCHAR NOT NULL)"
            )
            for number, description, sql in MIGRATIONS:
                if number > version:
                    self.con.execute(sql)
                    self.con.execute(
                        "INSERT INTO schema_version VALUES (?, now(), ?)", [number, description]
                    )
            self._sync_catalog()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One DuckDB transaction: committed when the block ends, rolled back on any error.

        A transaction opened inside another joins it (DuckDB has no savepoints): the outer
        block commits or rolls back everything, so writers can be combined into one atomic
        write (``watch --save`` books articles and remembers the feed entries together).

        Before it commits, a transaction that changed the ledger bumps its content version
        and stores the reconciliation of every product whose figures changed
        (:mod:`mineralflow.reconcile.store`), so the stored verdicts are committed with the
        figures they judge. A writer that found nothing to change says so with
        :meth:`mark_unchanged`, for its own block only: a block that only wraps other
        writers says so too, and the ledger is unchanged when every block was.
        """
        if self.read_only:
            raise LedgerReadOnly(f"{self.path} is open read-only; open it for writing")
        from .reconcile import store

        con = self.con
        if self._scopes:
            self._scopes.append(True)
            try:
                yield con
            finally:
                self._changed |= self._scopes.pop()
            return
        con.execute("BEGIN TRANSACTION")
        self._scopes, self._changed = [True], False
        try:
            yield con
            if self._changed or self._scopes[0]:
                if self._has_state():
                    con.execute("UPDATE ledger_state SET content_version = content_version + 1")
                store.refresh(self)
            elif store.needs_refresh(self):
                store.refresh(self, changed=False)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            self._scopes = []
        con.execute("COMMIT")

    def mark_unchanged(self) -> None:
        """Inside :meth:`transaction`: the innermost open block changed nothing itself. The
        ledger gets a new content version when any block, at any depth, did not say so."""
        if self._scopes:
            self._scopes[-1] = False

    def _has_state(self) -> bool:
        row = self.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'ledger_state' "
            "AND NOT temporary"
        ).fetchone()
        return bool(row[0])

    def content_version(self) -> int:
        """A number that grows with every write that changed the ledger."""
        row = self.con.execute("SELECT content_version FROM ledger_state").fetchone()
        return int(row[0])

    def _sync_catalog(self) -> None:
        """Copy the packaged catalogs into the ledger (inside the caller's transaction)."""
        tables: dict[str, list[dict[str, Any]]] = {
            "catalog_products": [
                {
                    "product": p.id,
                    "name": p.name,
                    "group": p.group,
                    "tracked": p.tracked,
                    "scope_note": p.scope_note,
                }
                for p in catalog.products().values()
            ],
            "catalog_product_codes": catalog.read_table("product_codes.csv"),
            "catalog_partners": [dict(vars(c).items()) for c in catalog.countries().values()],
            "catalog_authorities": [
                {"authority": r["authority"], "rank": int(r["rank"]), "name": r["name"]}
                for r in catalog.read_table("authorities.csv")
            ],
        }
        for name, rows in tables.items():
            self._replace_rows(name, rows)

    def _replace_rows(self, table: str, rows: Sequence[dict[str, Any]], where: str = "") -> None:
        self.con.execute(f"DELETE FROM {table} {where}")
        if rows:
            self._insert(table, rows)

    def _insert(self, table: str, rows: Sequence[dict[str, Any]], suffix: str = "") -> None:
        import pyarrow as pa

        columns = list(rows[0])
        staged = pa.Table.from_pylist(list(rows))
        self.con.register("_staged", staged)
        try:
            cols = ", ".join(f'"{c}"' for c in columns)
            self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _staged {suffix}")
        finally:
            self.con.unregister("_staged")

    # -- loading ---------------------------------------------------------------------------
    def load_bundled(self) -> LoadReport:
        """Load the bundled, cited data set; loading it again changes nothing."""
        from .sources import bundled

        data = bundled.read()
        return self.sync_dataset(BUNDLED, data.sources, data.figures, data.events)

    def sync_dataset(
        self,
        dataset: str,
        sources: Sequence[dict[str, Any]],
        figures: Sequence[dict[str, Any]],
        events: Sequence[dict[str, Any]] = (),
    ) -> LoadReport:
        """Make the ledger hold exactly this data set's sources, figures and events.

        One transaction. New rows are added, sources whose content changed are updated in
        place (keeping their id), rows the data set no longer has are removed; rows of other
        data sets are not touched. Running it twice with the same input changes nothing.
        """
        import pyarrow as pa

        report = LoadReport()
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with self.transaction() as con:
            self._sync_catalog()
            before = dict(
                con.execute(
                    "SELECT source_id, content_hash FROM sources WHERE dataset = ?", [dataset]
                ).fetchall()
            )
            for s in sources:
                if s["source_id"] not in before:
                    report.sources_added += 1
                elif before[s["source_id"]] != s["content_hash"]:
                    report.sources_updated += 1
            if sources:
                rows = [{**s, "ingested_at": now, "dataset": dataset} for s in sources]
                updates = ", ".join(
                    f"{c} = excluded.{c}" for c in rows[0] if c not in ("source_id", "dataset")
                )
                self._insert(
                    "sources",
                    rows,
                    "ON CONFLICT (source_id) DO UPDATE SET "
                    f"{updates} WHERE sources.content_hash <> excluded.content_hash",
                )
            ids = [s["source_id"] for s in sources]
            con.register("_ids", pa.table({"source_id": pa.array(ids, pa.string())}))
            fig_ids = pa.table(
                {"figure_id": pa.array([f["figure_id"] for f in figures], pa.string())}
            )
            con.register("_fig_ids", fig_ids)
            report.figures_removed = con.execute(
                "DELETE FROM figures WHERE source_id IN (SELECT source_id FROM sources "
                "WHERE dataset = ?) AND figure_id NOT IN (SELECT figure_id FROM _fig_ids)",
                [dataset],
            ).fetchone()[0]
            con.execute(
                "DELETE FROM sources WHERE dataset = ? AND source_id NOT IN "
                "(SELECT source_id FROM _ids)",
                [dataset],
            )
            con.unregister("_ids")
            con.unregister("_fig_ids")
            existing = {r[0] for r in con.execute("SELECT figure_id FROM figures").fetchall()}
            new = [f for f in figures if f["figure_id"] not in existing]
            report.figures_added = len(new)
            if new:
                self._insert("figures", new)
            if events:
                old = {
                    r[0]
                    for r in con.execute(
                        "SELECT event_id FROM events WHERE dataset = ?", [dataset]
                    ).fetchall()
                }
                keep = {e["event_id"] for e in events}
                report.events_added = len(keep - old)
                report.events_removed = len(old - keep)
                con.execute(
                    "DELETE FROM event_products WHERE event_id IN "
                    "(SELECT event_id FROM events WHERE dataset = ?)",
                    [dataset],
                )
                self._replace_rows(
                    "events",
                    [{**e, "dataset": dataset} for e in events],
                    f"WHERE dataset = '{dataset}'",
                )
                links = [
                    {"event_id": e["event_id"], "product": p, "link": link}
                    for e in events
                    for p, link in catalog.link_event(e["commodities"], e["hs_codes"] or "")
                ]
                if links:
                    self._insert("event_products", links)
            if not report.changed:
                self.mark_unchanged()
        return report

    def add_documents(
        self,
        dataset: str,
        sources: Sequence[dict[str, Any]],
        figures: Sequence[dict[str, Any]],
    ) -> LoadReport:
        """Add sources and their figures in one transaction; a source already in the ledger
        (same ``source_id``) is skipped with its figures, so adding twice is a no-op.

        Unlike :meth:`sync_dataset` this never updates or removes anything: documents such as
        articles and official releases are immutable once read (a revision is a new source).
        """
        import pyarrow as pa

        report = LoadReport()
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with self.transaction() as con:
            ids = [s["source_id"] for s in sources]
            con.register("_ids", pa.table({"source_id": pa.array(ids, pa.string())}))
            try:
                present = {
                    r[0]
                    for r in con.execute(
                        "SELECT source_id FROM sources "
                        "WHERE source_id IN (SELECT source_id FROM _ids)"
                    ).fetchall()
                }
            finally:
                con.unregister("_ids")
            new_sources = [
                {**s, "ingested_at": now, "dataset": dataset}
                for s in sources
                if s["source_id"] not in present
            ]
            new_figures = [f for f in figures if f["source_id"] not in present]
            if new_sources:
                self._insert("sources", new_sources)
            if new_figures:
                self._insert("figures", new_figures)
            report.sources_added = len(new_sources)
            report.figures_added = len(new_figures)
            if not report.changed:
                self.mark_unchanged()
        return report

    # -- reading ---------------------------------------------------------------------------
    def table(self, name: str) -> ibis.Table:
        """An Ibis table of the ledger (``figures_v``, ``sources``, ``events`` ...)."""
        return self.backend.table(name)

    def figures(
        self,
        *,
        product: str | None = None,
        period: str | Period | None = None,
        partner: str | Sequence[str] | None = None,
        measure: str | Sequence[str] | None = None,
        reporter: str | None = None,
        as_of: str | dt.date | None = None,
        revised: bool = False,
    ) -> ibis.Table:
        """Figures with their source columns, filtered; ``period`` matches its end month
        and span exactly (``2025-06`` is the month, ``2025-01/2025-06`` the half-year).

        Official figures come from the vintage in force (the latest release of the same
        publisher; ``revised=True`` keeps the older ones too); ``as_of`` keeps official
        releases published on or before that day (see :mod:`mineralflow.releases`)."""
        from .releases import figures_in_force

        t = figures_in_force(self, as_of=as_of, revised=revised)
        if product is not None:
            catalog.product(product)
            t = t.filter(t.product == product)
        if period is not None:
            p = Period.parse(period) if isinstance(period, str) else period
            t = t.filter((t.period_start == p.start.first_day) & (t.period_end == p.end.first_day))
        if partner is not None:
            t = t.filter(t.partner.isin([partner] if isinstance(partner, str) else partner))
        if measure is not None:
            t = t.filter(t.measure.isin([measure] if isinstance(measure, str) else measure))
        if reporter is not None:
            t = t.filter(t.reporter == reporter)
        return t.order_by(["period_end", "period_start", "partner", "measure", "source_id"])

    def figures_df(self, **filters: Any) -> pd.DataFrame:
        """:meth:`figures` as a pandas DataFrame."""
        df: pd.DataFrame = self.figures(**filters).execute()
        return df

    def periods(self, product: str) -> list[str]:
        """Months for which the ledger holds figures of ``product``, oldest first."""
        months = compiled.rows(self, "ledger.periods", product=product)
        return [f"{r['period_end'].year:04d}-{r['period_end'].month:02d}" for r in months]


@compiled.query("ledger.periods", tables=("figures",), order=("period_end",), product="string")
def _periods_query(tables: Any, p: compiled.Params) -> ibis.Table:
    t = tables["figures"]
    t = t.filter((t.product == p.product) & (t.period_start == t.period_end))
    return t.select(t.period_end).distinct()
