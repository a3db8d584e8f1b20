"""The brief in Markdown: the world sentence, destinations, totals, policy events, mirror,
checks, Analysis, nowcast and the numbered sources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import catalog
from ..mirror import MIRROR_NOTE
from ..outlet_record import independence_lines
from ..periods import Month
from .analysis_text import to_markdown as analysis_markdown
from .model import EVENT_WINDOW_MONTHS, Brief, PartnerLine, _cite, _world_numbers

if TYPE_CHECKING:
    from .. import nowcast as nowcasting

_JURISDICTION = {"CN": "China", "US": "United States", "US-CN": "United States and China"}
_LINK_WORDS = {"code": "by customs code", "term": "by name", "group": "as part of its group"}


def _changes(line: PartnerLine) -> str:
    parts = []
    if line.change_mom is not None:
        parts.append(line.change_mom.cited("m/m"))
    if line.change_yoy is not None:
        parts.append(line.change_yoy.cited("y/y"))
    return ", ".join(parts)


def _partner_sentence(line: PartnerLine) -> str:
    bits = []
    if line.level is not None:
        bits.append(line.level.cited(bold=True))
    changes = _changes(line)
    if changes:
        bits.append(changes)
    if line.share_of_world is not None:
        bits.append(f"{line.share_of_world:.1f}% of the world total")
    if line.rank is not None:
        bits.append(f"rank {line.rank}")
    return "; ".join(bits) if bits else "ranked, no tonnage stated"


def _markdown(b: Brief) -> str:
    month = Month.parse(b.period)
    reporter = catalog.partner_name(b.reporter)
    out = [
        f"# {b.product_name}: {reporter}'s exports, {month.name}",
        "",
        f"_{b.scope_note}_",
        "",
        "Figures as the sources state them; [n] points to the numbered source list. "
        "m/m: change from the previous month; y/y: change from the same month a year earlier."
        + (
            f" Official figures as published on {b.as_of} (later revisions left out)."
            if b.as_of
            else ""
        ),
        "",
        "## World",
        "",
    ]
    if b.world is not None and (b.world.level or b.world.change_mom or b.world.change_yoy):
        w = b.world
        sentence = f"{reporter} exported "
        sentence += f"{w.level.cited(bold=True)} " if w.level else "an unstated tonnage "
        sentence += f"of {b.product_name.lower()} in {month.name}"
        changes = _changes(w)
        out.append(sentence + (f": {changes}." if changes else "."))
        world_sources, _ = independence_lines(b.sources, _world_numbers(b))
        if world_sources:
            out += ["", world_sources]
    else:
        out.append(f"No world total is stated for {month.name}.")
    out += ["", "## Destinations", ""]
    if b.ranking:
        names = [catalog.partner_name(c) for c in b.ranking]
        out.append(
            f"Top destinations in {month.name}, in descending order {_cite(b.ranking_sources)}: "
            + ", ".join(names)
            + ". "
            + f"{names[0]} was the largest destination."
        )
        out.append("")
    if b.destinations:
        for line in b.destinations:
            out.append(f"- {line.name}: {_partner_sentence(line)}.")
    else:
        out.append("No destination is stated for this month.")
    if b.aggregates:
        out += ["", "Blocs and regions (as the sources define them):", ""]
        for line in b.aggregates:
            out.append(f"- {line.name}: {_partner_sentence(line)}.")
    if b.cumulative:
        out += ["", "## Year to date and other totals", ""]
        for cum in b.cumulative:
            bits = []
            if cum.total is not None:
                bits.append(cum.total.cited(bold=True))
            if cum.change_yoy is not None:
                bits.append(cum.change_yoy.cited("y/y"))
            subject = (
                "exports to the world"
                if cum.partner == "WLD"
                else f"exports to {catalog.with_article(cum.name)}"
            )
            out.append(f"- In {cum.described} ({cum.period}), {subject}: {', '.join(bits)}.")
    first = month.shift(1 - EVENT_WINDOW_MONTHS)
    out += ["", f"## Policy events, {first.name} to {month.name}", ""]
    if b.events:
        for ev in b.events:
            when = ev.date_announced
            if ev.date_effective and ev.date_effective != ev.date_announced:
                when += f" (effective {ev.date_effective})"
            out.append(
                f"- {when}, {_JURISDICTION.get(ev.jurisdiction, ev.jurisdiction)}: "
                f"{ev.instrument} ({ev.kind.replace('_', ' ')}; names the product "
                f"{_LINK_WORDS[ev.link]}) {_cite([ev.source])}. {ev.summary}"
            )
    else:
        out.append("No policy event in the ledger names this product in these six months.")
    if b.broad_events:
        out += [
            "",
            f"Also in these months: {b.broad_events} measures on all goods (general tariffs "
            "and their suspensions); `mineralflow events` lists them.",
        ]
    bad = [c for c in b.checks if c.verdict != "consistent"]
    if b.mirror:
        out += ["", "## Mirror: what the importers report", ""]
        out.append(
            f"{reporter}'s exports as its customs state them, against each importer's own record "
            f"of imports from {reporter} in {month.name} (quantities; importer minus exporter):"
        )
        out.append("")
        for m in b.mirror:
            if m.importer == "EU27":
                who, says = f"EU members on both sides ({m.members})", "they report"
            else:
                who, says = m.name, f"{m.name} reports"
            out.append(
                f"- {who}: {reporter} reports {m.exporter_kg / 1000:,.3f} t "
                f"{_cite([m.exporter_source])}; {says} {m.importer_kg / 1000:,.3f} t "
                f"{_cite([m.importer_source])}: {_pct(m.gap_pct)}."
            )
        out += ["", f"_{MIRROR_NOTE}_"]
    out += ["", "## Checks", ""]
    out.append(
        f"The reconciler's checks of this month's figures against the figures they relate: "
        f"{len(bad)} failed; {len(b.checks) - len(bad)} listed below hold within rounding"
        + (
            f", and {b.unlisted} more (figures against each other, members against their "
            "bloc, region or the world)"
            if b.unlisted
            else ""
        )
        + (
            f"; {b.unverifiable} could not be checked (a term is missing)."
            if b.unverifiable
            else "."
        )
        + (" ⚠ marks a figure a failed check names as most likely wrong." if bad else "")
    )
    out.append("")
    for c in sorted(b.checks, key=lambda c: c.verdict == "consistent"):
        if c.verdict == "consistent":
            out.append(f"- {c.subject}: {c.stated}; {c.computed}: consistent {_cite(c.sources)}.")
        else:
            off = f" (off by {c.gap:g} {c.gap_unit})" if c.gap is not None else ""
            blame = f"Most likely wrong: {c.suspect}, which {c.why}" if c.suspect else c.why or ""
            out.append(
                f"- **Disagreement**, {c.subject}: {c.stated}, but {c.computed}{off} "
                f"{_cite(c.sources)}. {blame[0].upper()}{blame[1:]}."
            )
    if b.analysis is not None:
        out += ["", *analysis_markdown(b.analysis)]
    if b.nowcast is not None:
        out += ["", "## Nowcast: an estimate, not a stated figure", ""]
        out.append(
            _describe_nowcast(b.nowcast)
            + " Its record against the naive forecasts: `mineralflow nowcast --backtest`."
        )
    out += ["", "## Sources", ""]
    out += [s.to_markdown() for s in b.sources]
    _, copies = independence_lines(b.sources, _world_numbers(b))
    if copies:
        out += ["", copies]
    return "\n".join(out) + "\n"


def _pct(x: float) -> str:
    return f"{x:+.1f}%"


def _describe_nowcast(n: nowcasting.Nowcast) -> str:
    from .. import nowcast as nowcasting

    return nowcasting.describe(n)
