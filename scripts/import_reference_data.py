"""Convert the reference data in ../shared/data into mineralflow's bundled data files.

Run once by a developer when the reference data changes; `make demo` never needs ../shared.

    python scripts/import_reference_data.py ../shared/data src/mineralflow/data/bundled

Reads the reported monthly, cumulative and rank figures and the policy events, and writes
`figures.csv` and `events.csv` in the project's own long format (one row per stated number).
Figures from other inputs (``import_news_figures.py``) are kept. Sources are curated by hand
in `sources.csv`; every reference row must map to one of them by
URL (or, for the one source without a URL, by title), otherwise this script stops.

Decisions recorded here (each reference row keeps its original file and line as `locator`):
- Figures are stored as the source stated them. The reference data corrected one outlet's
  year label (a January-October total printed as 2023 whose figures are 2024's); the ledger
  keeps the period as printed so that the reconciler can find the mislabel itself, and the
  reference data's explanation goes in `note`.
- Adamas Intelligence counts magnets plus magnet alloys, so its figures go to the product
  `rare-earth-magnets-and-alloys`, not to the 85051110 series.
- "8.36 million kg" style figures keep their stated precision: the resolution is 10 t.
- A note that says 'roughly' turns into the qualifier `roughly`.
"""

from __future__ import annotations

import csv
import hashlib
import re
import sys
from pathlib import Path

FIGURE_COLUMNS = [
    "source_id",
    "reporter",
    "partner",
    "product",
    "flow",
    "period",
    "measure",
    "stated",
    "value",
    "unit",
    "resolution",
    "qualifier",
    "locator",
    "note",
]
EVENT_COLUMNS = [
    "event_id",
    "date_announced",
    "date_effective",
    "jurisdiction",
    "instrument",
    "kind",
    "commodities",
    "hs_codes",
    "summary",
    "source_url",
]

# Reference rows whose period the source printed differently from the reference data's
# corrected period: (file, line) -> period as printed by the source.
AS_PRINTED_PERIOD = {("reported_magnet_exports_cumulative.csv", 6): "2023-01/2023-10"}
WIDER_SCOPE_SOURCES = {"adamas-2024": "rare-earth-magnets-and-alloys"}
MILLION_KG = re.compile(r"gives ([\d.]+) million kg")


def decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def figure(source_id, partner, period, measure, stated, unit, locator, note="", product=None,
           resolution=None, qualifier="exact"):  # fmt: skip
    value = float(stated)
    if resolution is None:
        resolution = 10.0 ** -decimals(stated)
    return {
        "source_id": source_id,
        "reporter": "CHN",
        "partner": partner,
        "product": product or WIDER_SCOPE_SOURCES.get(source_id, "rare-earth-magnets"),
        "flow": "export",
        "period": period,
        "measure": measure,
        "stated": stated,
        "value": repr(value) if value != int(value) else str(int(value)),
        "unit": unit,
        "resolution": f"{resolution:g}",
        "qualifier": qualifier,
        "locator": locator,
        "note": note,
    }


def main(reference: Path, out: Path) -> int:
    sources = list(csv.DictReader((out / "sources.csv").open(encoding="utf-8")))
    by_url = {s["url"]: s["source_id"] for s in sources if s["url"]}
    by_title = {s["title"]: s["source_id"] for s in sources}

    def source_of(row: dict[str, str], where: str) -> str:
        if row["source_url"] in by_url:
            return by_url[row["source_url"]]
        for title, sid in by_title.items():
            if title in row["source_title"]:
                return sid
        raise SystemExit(f"{where}: no source in sources.csv for {row['source_title']!r}")

    figures: list[dict[str, str]] = []
    name = "reported_magnet_exports_monthly.csv"
    for line, row in enumerate(csv.DictReader((reference / name).open(encoding="utf-8")), 2):
        sid = source_of(row, f"{name}:{line}")
        loc = f"shared/data/{name} line {line}"
        for column, measure, unit in (
            ("tonnes", "level", "t"),
            ("mom_pct", "change_mom", "%"),
            ("yoy_pct", "change_yoy", "%"),
        ):
            if row[column]:
                figures.append(
                    figure(
                        sid,
                        row["partner"],
                        row["month"],
                        measure,
                        row[column],
                        unit,
                        f"{loc}, column {column}",
                    )
                )

    name = "reported_magnet_exports_cumulative.csv"
    for line, row in enumerate(csv.DictReader((reference / name).open(encoding="utf-8")), 2):
        sid = source_of(row, f"{name}:{line}")
        loc = f"shared/data/{name} line {line}"
        period = AS_PRINTED_PERIOD.get((name, line), f"{row['period_start']}/{row['period_end']}")
        note = row["note"]
        if (name, line) in AS_PRINTED_PERIOD:
            note = (
                f"Period as printed by the source. The reference data reads it as "
                f"{row['period_start']}/{row['period_end']}: {note}"
            )
        qualifier = "roughly" if "roughly" in note else "exact"
        if row["tonnes"]:
            million = MILLION_KG.search(note)
            stated, resolution = row["tonnes"], None
            if million:
                stated = f"{million.group(1)} million kg"
                resolution = 1000.0 * 10.0 ** -decimals(million.group(1))
            fig = figure(
                sid,
                row["partner"],
                period,
                "cumulative",
                row["tonnes"],
                "t",
                f"{loc}, column tonnes",
                note,
                resolution=resolution,
                qualifier=qualifier,
            )
            fig["stated"] = stated
            figures.append(fig)
        if row["yoy_pct"]:
            figures.append(
                figure(
                    sid,
                    row["partner"],
                    period,
                    "cumulative_change_yoy",
                    row["yoy_pct"],
                    "%",
                    f"{loc}, column yoy_pct",
                    note,
                )
            )

    name = "reported_magnet_export_ranks.csv"
    for line, row in enumerate(csv.DictReader((reference / name).open(encoding="utf-8")), 2):
        sid = source_of(row, f"{name}:{line}")
        figures.append(
            figure(
                sid,
                row["partner"],
                row["month"],
                "rank",
                row["rank"],
                "rank",
                f"shared/data/{name} line {line}, column rank",
            )
        )

    # Rows from other inputs (scripts/import_news_figures.py) are kept as they are.
    with (out / "figures.csv").open(encoding="utf-8") as f:
        others = [r for r in csv.DictReader(f) if not r["locator"].startswith("shared/data/")]
    with (out / "figures.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, FIGURE_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(figures + others)

    events = []
    name = "policy_events.csv"
    for row in csv.DictReader((reference / name).open(encoding="utf-8")):
        key = "|".join(row[c] for c in ("date_announced", "jurisdiction", "instrument"))
        digest = hashlib.sha1(key.encode()).hexdigest()[:6]
        row["event_id"] = f"ev-{row['date_announced']}-{row['jurisdiction'].lower()}-{digest}"
        events.append({c: row[c] for c in EVENT_COLUMNS})
    if len({e["event_id"] for e in events}) != len(events):
        raise SystemExit("event ids collide; lengthen the digest")
    with (out / "events.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, EVENT_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(events)
    print(f"wrote {len(figures)} figures and {len(events)} events to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
