"""The outlet record: figure by figure, how often each outlet's trade numbers hold up.

For every outlet in the ledger (every source that is not an official release), the record
counts the figures it stated and judges each against the reconciler's verdicts
(:func:`mineralflow.check`)::

    >>> with Ledger.open(read_only=True) as ledger:                  # doctest: +SKIP
    ...     record = outlet_record(ledger, product="rare-earth-magnets")
    ...     for group in record.groups:
    ...         print(group.publisher, [o.outlet for o in group.outlets])

A **statement** is one figure as one article states it; the same figure stated twice in one
article (headline and body) counts once. Each statement is judged against the **reference**
of its cell: the official release in force where the ledger holds one, else the
reconciler's best estimate (the consensus):

- **wrong**: a check names it most likely wrong, or it disagrees with the reference beyond
  rounding;
- **consistent**: neither, and at least one check it takes part in holds (another figure
  confirms it);
- **unconfirmed**: nothing in the ledger confirms or contradicts it (it alone states its
  cell and no relation reaches it, or its only failed check names no figure).

Outlets are grouped by the publisher whose story they carry (the source's
``original_publisher``, else the outlet itself): a Reuters copy on Kitco or TimesLIVE is not
an independent source, so a group is one independent source however many outlets carry it.
See ``docs/outlets.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from . import catalog, compiled
from .ledger import MEASURE_WORDS, Ledger
from .periods import Month
from .reconcile import Reconciliation, reconcile
from .reconcile.store import every_product

__all__ = [
    "RELEASE_DAY",
    "OutletRecord",
    "OutletReport",
    "PublisherGroup",
    "Statement",
    "independence",
    "independence_lines",
    "independent_count",
    "outlet_record",
    "publisher_of",
    "release_date",
]

RELEASE_DAY = 20
"""Day of the following month on which China's customs publish the detailed breakdown by
product and country (``docs/domain.md``); the delay of an article is counted from it unless
the ledger holds an official release of the month published earlier."""

VERDICTS = ("consistent", "wrong", "unconfirmed")
HABITS = ("precise", "rounded", "qualified", "alone")
_TOLERANCE = 1e-9


def publisher_of(outlet: str, original_publisher: str | None) -> str:
    """The independent source behind an article: the publisher whose story it carries, else
    the outlet itself::

    >>> publisher_of("Kitco", "Reuters")
    'Reuters'
    >>> publisher_of("Tradium", None)
    'Tradium'
    """
    original = (original_publisher or "").strip()
    return original or outlet.strip()


def independent_count(sources: Iterable[tuple[str, str | None]]) -> tuple[int, int]:
    """``(sources, independent)`` for ``(outlet, original_publisher)`` pairs, one per source:
    copies of one publisher's story count once among the independent ones::

    >>> independent_count([("Kitco", "Reuters"), ("TimesLIVE", "Reuters"), ("SMM", "SMM")])
    (3, 2)
    """
    pairs = list(sources)
    return len(pairs), len({publisher_of(o, p) for o, p in pairs})


class _Ref(Protocol):
    """A numbered source of the brief (:class:`mineralflow.brief.SourceRef`)."""

    @property
    def number(self) -> int: ...
    @property
    def outlet(self) -> str: ...
    @property
    def original_publisher(self) -> str | None: ...
    @property
    def authority(self) -> str: ...


_NOT_NEWS = ("official", "policy_source")


def independence(refs: Sequence[_Ref], world: Sequence[int]) -> dict[str, list[int]]:
    """``[sources, independent]`` for the sources numbered ``world`` (those stating the
    world level) and for every news or market source among ``refs``."""
    by = {r.number: r for r in refs}
    level = [(by[n].outlet, by[n].original_publisher) for n in world if n in by]
    news = [(r.outlet, r.original_publisher) for r in refs if r.authority not in _NOT_NEWS]
    return {"world_level": list(independent_count(level)), "sources": list(independent_count(news))}


def independence_lines(refs: Sequence[_Ref], world: Sequence[int]) -> tuple[str | None, str | None]:
    """The brief's two lines: how many sources state the world level and how many of them
    are independent; and which numbered sources share a publisher (None when none do)."""
    counts = independence(refs, world)
    n, k = counts["world_level"]
    level = (
        f"The world total is stated by {n} sources within rounding, {k} of them independent "
        "(copies of one publisher's story count once)."
        if n > 1
        else None
    )
    groups: dict[str, list[int]] = {}
    for r in refs:
        if r.authority not in _NOT_NEWS:
            groups.setdefault(publisher_of(r.outlet, r.original_publisher), []).append(r.number)
    shared = {p: ns for p, ns in sorted(groups.items()) if len(ns) > 1}
    if not shared:
        return level, None
    n, k = counts["sources"]
    listing = "; ".join(f"{p} " + "".join(f"[{x}]" for x in ns) for p, ns in shared.items())
    return level, (
        f"{k} of these {n} news and market sources are independent: the articles of one "
        f"publisher and the copies of its stories count once ({listing})."
    )


def release_date(month: Month, official_first: dt.date | None = None) -> dt.date:
    """When the figures of ``month`` were first public: the ``RELEASE_DAY`` of the next month
    (customs' rhythm), or an official release of the month the ledger holds, when it was
    published earlier (a later one is a revision or a compilation, not the first release)::

    >>> release_date(Month(2025, 6))
    datetime.date(2025, 7, 20)
    """
    after = month.shift(1)
    rhythm = dt.date(after.year, after.month, RELEASE_DAY)
    return min(rhythm, official_first) if official_first is not None else rhythm


@dataclass(frozen=True)
class Statement:
    """One figure as one article states it, with its verdict."""

    figure_ids: tuple[str, ...]
    source_id: str
    outlet: str
    publisher: str
    title: str
    url: str | None
    published: str | None
    reporter: str
    partner: str
    product: str
    flow: str
    period: str
    measure: str
    stated: str
    value: float
    unit: str
    qualifier: str
    resolution: float
    reference: str  # "official" or "consensus": what its cell is judged against
    reference_text: str  # the reference figure as its source states it
    verdict: str  # consistent, wrong, unconfirmed
    habit: str  # precise, rounded, qualified, alone (no other source states the cell), or ""
    passed: int  # checks it takes part in that hold
    failed: int  # checks it takes part in that fail
    named: tuple[str, ...] = ()  # ids of the conflicts that name it most likely wrong
    why: str = ""  # for a wrong figure: what the reconciler found

    @property
    def text(self) -> str:
        """``1,346 t``, ``-1.6%``, ``around 160%``: as stated, with its unit and qualifier."""
        return _text(self.stated, self.unit, self.qualifier)

    @property
    def cell(self) -> str:
        """``United States m/m change, 2025-08``."""
        from . import catalog

        name = "World" if self.partner == "WLD" else catalog.partner_name(self.partner)
        return f"{name} {MEASURE_WORDS.get(self.measure, self.measure)}, {self.period}"


@dataclass
class OutletRecord:
    """One outlet's record for one publisher's stories (an outlet that carries two
    publishers' stories has a record under each)."""

    outlet: str
    publisher: str
    authorities: tuple[str, ...]
    sources: tuple[str, ...]
    statements: list[Statement] = field(default_factory=list)
    delays: list[int] = field(default_factory=list)  # days, one per dated article

    @property
    def copies(self) -> bool:
        """True when the outlet carries another publisher's story (Kitco's Reuters copy);
        False for the publisher's own site under a longer name ("SMM (news.metal.com)")."""
        return self.publisher.casefold() not in self.outlet.casefold()

    def count(self, verdict: str) -> int:
        return sum(s.verdict == verdict for s in self.statements)

    def against(self, reference: str) -> tuple[int, int]:
        """``(consistent, judged)`` among statements whose cell has that reference."""
        judged = [
            s for s in self.statements if s.reference == reference and s.verdict != "unconfirmed"
        ]
        return sum(s.verdict == "consistent" for s in judged), len(judged)

    @property
    def share_consistent(self) -> float | None:
        """Consistent statements out of those the ledger could judge (None: none could)."""
        judged = self.count("consistent") + self.count("wrong")
        return self.count("consistent") / judged if judged else None

    def habits(self) -> dict[str, int]:
        return {h: sum(s.habit == h for s in self.statements) for h in HABITS}

    @property
    def share_precise(self) -> float | None:
        """Precise statements out of those with another source to compare (or qualified)."""
        h = self.habits()
        n = h["precise"] + h["rounded"] + h["qualified"]
        return h["precise"] / n if n else None

    @property
    def median_delay(self) -> float | None:
        return statistics.median(self.delays) if self.delays else None

    @property
    def conflicts_named(self) -> int:
        return len({c for s in self.statements for c in s.named})

    @property
    def wrong(self) -> list[Statement]:
        return [s for s in self.statements if s.verdict == "wrong"]

    def to_dict(self) -> dict[str, Any]:
        official = self.against("official")
        consensus = self.against("consensus")
        return {
            "outlet": self.outlet,
            "publisher": self.publisher,
            "copies": self.copies,
            "authorities": list(self.authorities),
            "sources": list(self.sources),
            "statements": len(self.statements),
            "consistent": self.count("consistent"),
            "wrong": self.count("wrong"),
            "unconfirmed": self.count("unconfirmed"),
            "share_consistent": _round(self.share_consistent),
            "against_official": {"consistent": official[0], "judged": official[1]},
            "against_consensus": {"consistent": consensus[0], "judged": consensus[1]},
            "conflicts_named": self.conflicts_named,
            "habits": self.habits(),
            "share_precise": _round(self.share_precise),
            "median_delay_days": self.median_delay,
            "dated_sources": len(self.delays),
            "wrong_figures": [_statement_dict(s) for s in self.wrong],
        }


@dataclass
class PublisherGroup:
    """The outlets carrying one publisher's stories: one independent source."""

    publisher: str
    outlets: list[OutletRecord]

    @property
    def statements(self) -> int:
        return sum(len(o.statements) for o in self.outlets)

    def count(self, verdict: str) -> int:
        return sum(o.count(verdict) for o in self.outlets)

    @property
    def share_consistent(self) -> float | None:
        judged = self.count("consistent") + self.count("wrong")
        return self.count("consistent") / judged if judged else None

    @property
    def copies(self) -> int:
        """Outlets in the group that carry the publisher's story rather than being it."""
        return sum(o.copies for o in self.outlets)

    def to_dict(self) -> dict[str, Any]:
        return {
            "publisher": self.publisher,
            "outlets": [o.to_dict() for o in self.outlets],
            "copies": self.copies,
            "statements": self.statements,
            "consistent": self.count("consistent"),
            "wrong": self.count("wrong"),
            "unconfirmed": self.count("unconfirmed"),
            "share_consistent": _round(self.share_consistent),
        }


@dataclass
class OutletReport:
    """The record of every outlet, grouped by the publisher whose stories they carry."""

    product: str | None
    groups: list[PublisherGroup]
    release_day: int = RELEASE_DAY

    @property
    def outlets(self) -> list[OutletRecord]:
        return [o for g in self.groups for o in g.outlets]

    def to_dict(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "release_day": self.release_day,
            "outlets": len({o.outlet for o in self.outlets}),
            "independent": len(self.groups),
            "groups": [g.to_dict() for g in self.groups],
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _text(stated: str, unit: str, qualifier: str) -> str:
    """A figure as stated, with its unit where the words leave it out and its qualifier::

    >>> _text("-1.6", "%", "exact"), _text("3,188 tons", "t", "exact"), _text("160", "%", "around")
    ('-1.6%', '3,188 tons', 'around 160%')
    """
    if stated.replace(",", "").replace(".", "", 1).lstrip("+-").isdigit():
        body = (
            f"{stated}%"
            if unit == "%"
            else f"rank {stated}"
            if unit == "rank"
            else f"{stated} {unit}"
        )
    else:
        body = stated
    return body if qualifier == "exact" else f"{qualifier.replace('_', ' ')} {body}"


def _statement_dict(s: Statement) -> dict[str, Any]:
    data = asdict(s)
    data["figure_ids"] = list(s.figure_ids)
    data["named"] = list(s.named)
    data["text"] = s.text
    data["cell"] = s.cell
    return data


_MISSING = ("NaTType", "NAType")


def _records(df: Any) -> list[dict[str, Any]]:
    """DataFrame rows as dicts, arrays as lists and missing values as None."""
    out = []
    for row in df.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for k, v in row.items():
            if hasattr(v, "tolist") and not isinstance(v, str):
                v = v.tolist()
            elif (isinstance(v, float) and math.isnan(v)) or type(v).__name__ in _MISSING:
                v = None
            clean[str(k)] = v
        out.append(clean)
    return out


def _results(rec: Reconciliation) -> dict[str, list[dict[str, Any]]]:
    """The reconciliation's ``checks``, ``conflicts`` and ``best``: by SQL when stored (no
    Ibis, no pandas), else from its DataFrames."""
    out = {}
    for name in ("checks", "conflicts", "best"):
        found = rec.rows(name)
        out[name] = found if found is not None else _records(getattr(rec, name))
    return out


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


_CELL = ("reporter", "partner", "product", "flow", "period", "measure", "unit")


def outlet_record(
    ledger: Ledger,
    *,
    product: str | None = None,
    reconciliation: Reconciliation | None = None,
    outlets: Sequence[str] | None = None,
) -> OutletReport:
    """The record of every outlet stating figures of ``product`` (default: every product).

    ``reconciliation`` is the reconciler's result for the same product when the caller
    already has it (the report has); ``outlets`` keeps only the records of those outlets
    (still judged against every figure in the ledger).
    """
    if product is not None:
        catalog.product(product)
    if reconciliation is not None:
        return _build(ledger, _results(reconciliation), product, outlets)
    # Every product: the stored verdicts of each, when current (the same as reconciling the
    # whole ledger, which is done otherwise).
    every = every_product(ledger) if product is None else None
    if every is not None:
        return _build(ledger, every, product, outlets)
    with reconcile(ledger, product=product) as rec:
        return _build(ledger, _results(rec), product, outlets)


def _build(
    ledger: Ledger,
    results: dict[str, list[dict[str, Any]]],
    product: str | None,
    only: Sequence[str] | None,
) -> OutletReport:
    figures = compiled.rows(ledger, "outlets.figures", product=product)
    by_id = {f["figure_id"]: f for f in figures}

    passed: dict[str, int] = {}
    failed: dict[str, int] = {}
    for c in results["checks"]:
        if c["verdict"] == "unverifiable":
            continue
        tally = passed if c["verdict"] == "consistent" else failed
        for fid in c["figure_ids"]:
            tally[fid] = tally.get(fid, 0) + 1
    named: dict[str, list[dict[str, Any]]] = {}
    for c in results["conflicts"]:
        if c["suspect_figure_id"] is not None:
            named.setdefault(c["suspect_figure_id"], []).append(c)

    # Each figure's cell: its reference (the best estimate), agreement, and who else states it.
    cell_of: dict[str, dict[str, Any]] = {}
    for b in results["best"]:
        if b["derived"]:
            continue
        members = [*b["figure_ids"], *b["disagreeing_figure_ids"]]
        info = {
            "best": b,
            "sources": {by_id[i]["source_id"] for i in members if i in by_id},
            "finest": min(
                (by_id[i]["resolution"] for i in members if i in by_id), default=math.inf
            ),
        }
        for fid in b["figure_ids"]:
            cell_of[fid] = {**info, "agrees": True}
        for fid in b["disagreeing_figure_ids"]:
            cell_of[fid] = {**info, "agrees": False}

    # The first official release of each month (revised vintages included), for the delays.
    official_first: dict[tuple[str, str, Month], dt.date] = {}
    for f in compiled.rows(ledger, "outlets.official", product=product):
        if f["source_published"] is not None:
            key = (f["reporter"], f["product"], Month.of(_day(f["period_end"])))  # type: ignore[arg-type]
            day = _day(f["source_published"])
            assert day is not None
            official_first[key] = min(official_first.get(key, day), day)

    groups: dict[tuple[str, str, str, float, str, float], list[dict[str, Any]]] = {}
    for f in figures:
        if f["authority"] == "official" or (only is not None and f["outlet"] not in only):
            continue
        key = (f["source_id"], *(f[c] for c in _CELL), f["value"], f["qualifier"], f["resolution"])
        groups.setdefault(key, []).append(f)  # type: ignore[arg-type]

    records: dict[tuple[str, str], OutletRecord] = {}
    for rows in groups.values():
        s = _statement(rows, cell_of, passed, failed, named)
        rec_key = (s.publisher, s.outlet)
        if rec_key not in records:
            records[rec_key] = OutletRecord(s.outlet, s.publisher, (), ())
        r = records[rec_key]
        r.statements.append(s)
        if s.source_id not in r.sources:
            r.sources = (*r.sources, s.source_id)
        authority = rows[0]["authority"]
        if authority not in r.authorities:
            r.authorities = tuple(sorted((*r.authorities, authority)))

    by_source: dict[str, list[dict[str, Any]]] = {}
    for f in figures:
        by_source.setdefault(f["source_id"], []).append(f)
    for r in records.values():
        r.statements.sort(key=lambda s: (s.period, s.partner, s.measure, s.stated))
        for source_id in r.sources:
            delay = _delay(by_source[source_id], official_first)
            if delay is not None:
                r.delays.append(delay)

    publishers: dict[str, list[OutletRecord]] = {}
    for r in records.values():
        publishers.setdefault(r.publisher, []).append(r)
    out = [
        PublisherGroup(p, sorted(rs, key=lambda r: (r.copies, -len(r.statements), r.outlet)))
        for p, rs in publishers.items()
    ]
    out.sort(key=lambda g: (-len(g.outlets), -g.statements, g.publisher))
    return OutletReport(product=product, groups=out)


def _statement(
    rows: list[dict[str, Any]],
    cell_of: dict[str, dict[str, Any]],
    passed: dict[str, int],
    failed: dict[str, int],
    named: dict[str, list[dict[str, Any]]],
) -> Statement:
    """One statement (a figure and its restatements in the same article) and its verdict."""
    head = rows[0]
    ids = tuple(sorted(r["figure_id"] for r in rows))
    cells = [cell_of[i] for i in ids if i in cell_of]
    cell = cells[0] if cells else None
    best = cell["best"] if cell else None
    conflicts = [c for i in ids for c in named.get(i, [])]
    n_pass = sum(passed.get(i, 0) for i in ids)
    n_fail = sum(failed.get(i, 0) for i in ids)
    disagrees = any(not c["agrees"] for c in cells)
    reference = "official" if best is not None and best["official"] else "consensus"
    reference_text = (
        _text(best["stated"], best["unit"], best["qualifier"]) if best is not None else ""
    )
    if conflicts or disagrees:
        verdict = "wrong"
    elif n_pass:
        verdict = "consistent"
    else:
        verdict = "unconfirmed"
    reasons = []
    if disagrees and best is not None:
        against = "the official release" if reference == "official" else "the best estimate"
        by = f" ({best['outlet']})" if best["outlet"] else ""
        reasons.append(f"disagrees beyond rounding with {against}, {reference_text}{by}")
    if conflicts:
        blame = "; ".join(dict.fromkeys(str(c["why"]) for c in conflicts))
        reasons.append(f"named most likely wrong by the checks: {blame}")
    why = "; ".join(reasons)
    return Statement(
        figure_ids=ids,
        source_id=head["source_id"],
        outlet=head["outlet"],
        publisher=publisher_of(head["outlet"], head["original_publisher"]),
        title=head["source_title"],
        url=head["source_url"],
        published=str(_day(head["source_published"])) if head["source_published"] else None,
        reporter=head["reporter"],
        partner=head["partner"],
        product=head["product"],
        flow=head["flow"],
        period=head["period"],
        measure=head["measure"],
        stated=head["stated"],
        value=float(head["value"]),
        unit=head["unit"],
        qualifier=head["qualifier"],
        resolution=float(head["resolution"]),
        reference=reference,
        reference_text=reference_text,
        verdict=verdict,
        habit=_habit(head, cell),
        passed=n_pass,
        failed=n_fail,
        named=tuple(sorted({str(c["check_id"]) for c in conflicts})),
        why=why,
    )


def _habit(f: dict[str, Any], cell: dict[str, Any] | None) -> str:
    """How the figure is written: ``qualified`` ("about 160%"), else ``precise`` (to the
    finest digit any source states for the cell) or ``rounded``; ``alone`` when no other
    source states the cell (nothing to compare its digits with); "" for ranks."""
    if f["unit"] == "rank":
        return ""
    if f["qualifier"] != "exact":
        return "qualified"
    if cell is None or not (cell["sources"] - {f["source_id"]}):
        return "alone"
    finest = float(cell["finest"])
    return "precise" if f["resolution"] <= finest * (1 + _TOLERANCE) else "rounded"


def _delay(
    rows: list[dict[str, Any]], official_first: dict[tuple[str, str, Month], dt.date]
) -> int | None:
    """Days from the release of the latest month an article states to its publication."""
    published = _day(rows[0]["source_published"])
    if published is None:
        return None
    latest = max(Month.of(_day(r["period_end"])) for r in rows)  # type: ignore[arg-type]
    firsts = [
        official_first[(r["reporter"], r["product"], latest)]
        for r in rows
        if (r["reporter"], r["product"], latest) in official_first
    ]
    released = release_date(latest, min(firsts) if firsts else None)
    return (published - released).days


@compiled.query(
    "outlets.figures",
    tables=(),
    order=("period_end", "period_start", "partner", "measure", "source_id", "figure_id"),
    product="string",
)
def _figures_query(ledger: Any, p: compiled.Params) -> Any:
    # As ledger.figures(product=...) gives them (the vintage in force); NULL: every product.
    from .releases import figures_in_force

    t = figures_in_force(ledger)
    return t.filter(p.product.isnull() | (t.product == p.product))


@compiled.query("outlets.official", tables=(), order=("figure_id",), product="string")
def _official_query(ledger: Any, p: compiled.Params) -> Any:
    # Every official vintage, revised ones included: when each month was first released.
    from .releases import figures_in_force

    t = figures_in_force(ledger, revised=True)
    t = t.filter((t.authority == "official") & (p.product.isnull() | (t.product == p.product)))
    return t.select("figure_id", "reporter", "product", "period_end", "source_published")
