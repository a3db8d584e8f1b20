"""Merge the hand-read news figures (``scripts/data/``) into mineralflow's bundled data files.

Run by a developer after adding or correcting rows in the two input tables; `make demo`
never needs it:

    python scripts/import_news_figures.py scripts/data src/mineralflow/data/bundled

Inputs (figures and facts only, never article text):

- ``news_sources.csv``: one row per page, in the columns of the bundled ``sources.csv``.
- ``news_figures.csv``: one row per number a page states: ``source_id``, ``partner``,
  ``product``, ``period``, ``measure``, ``stated`` (the number as the page prints it),
  ``value`` (only when the page states the number in words: "more than double" is a change
  of more than 100%), ``unit`` (t, kg or %), ``resolution`` (only when the last stated digit
  is not the resolution, e.g. trailing zeros of a rounded total), ``qualifier``, ``where``
  (the place on the page), ``note``.

Each figure was read from the page the search tool returned (first with ``mineralflow claims
FILE --format json`` on a copy of the page kept outside the repository, then checked by hand
against the page). Decisions (see docs/data.md):

- Kilograms become tonnes with the kilogram's resolution: "9,007 kg" is 9.007 t with a
  resolution of 0.001 t, and ``stated`` keeps "9,007 kg" as printed.
- German pages print a point as the thousands separator and a comma as the decimal mark
  ("11.523 Kilogramm", "2,41 Tonnen"); a row whose ``stated`` names Kilo/Tonnen is read so.
- Every other number is read as English prints it ("5,864.60" is 5864.60 with resolution 0.01).

The script is idempotent: it replaces the rows it wrote before (figures whose locator starts
with ``news_figures.csv`` and sources listed in ``news_sources.csv``) and keeps every other row,
so it can run before or after ``scripts/import_reference_data.py`` (which keeps these rows too).
"""

from __future__ import annotations

import csv
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
LOCATOR = "news_figures.csv"
GERMAN = re.compile(r"Kilo|Tonnen")
NUMBER = re.compile(r"-?\d[\d.,]*")
UNIT_WORDS = {"t": "", "kg": " kg", "%": ""}


def parse(stated: str) -> tuple[float, int]:
    """The number a page printed and its count of decimals, in the page's own notation.

    >>> parse("5,864.60"), parse("11.523 Kilogramm"), parse("2,41 Tonnen"), parse("-30.9")
    ((5864.6, 2), (11523.0, 0), (2.41, 2), (-30.9, 1))
    """
    match = NUMBER.search(stated)
    if match is None:
        raise ValueError(f"no number in {stated!r}")
    text = match.group(0)
    thousands, decimal = (".", ",") if GERMAN.search(stated) else (",", ".")
    text = text.replace(thousands, "")
    whole, _, frac = text.partition(decimal)
    return float(f"{whole}.{frac}" if frac else whole), len(frac)


def fmt(value: float) -> str:
    return repr(value) if value != int(value) else str(int(value))


def convert(row: dict[str, str], line: int) -> dict[str, str]:
    if row["value"]:  # words, not digits ("more than double"): the value the words mean
        value, decimals = float(row["value"]), 0
    else:
        value, decimals = parse(row["stated"])
    resolution = float(row["resolution"]) if row["resolution"] else 10.0**-decimals
    stated = row["stated"]
    if row["unit"] == "kg":
        value, resolution = value / 1000, resolution / 1000
        if "kg" not in stated and not GERMAN.search(stated):
            stated = f"{stated} kg"
        unit = "t"
    else:
        unit = row["unit"]
        if GERMAN.search(stated) or not stated.replace(".", "", 1).lstrip("-").isdigit():
            pass  # kept as printed: the brief shows "(stated as ...)"
        else:
            stated = stated.replace(",", "")
    return {
        "source_id": row["source_id"],
        "reporter": "CHN",
        "partner": row["partner"],
        "product": row["product"],
        "flow": "export",
        "period": row["period"],
        "measure": row["measure"],
        "stated": stated,
        "value": fmt(round(value, 9)),
        "unit": unit,
        "resolution": f"{resolution:g}",
        "qualifier": row["qualifier"] or "exact",
        "locator": f"{LOCATOR} line {line}, {row['where']}",
        "note": row["note"],
    }


def main(inputs: Path, out: Path) -> int:
    with (inputs / "news_sources.csv").open(encoding="utf-8") as f:
        new_sources = list(csv.DictReader(f))
    with (out / "sources.csv").open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        source_columns = list(reader.fieldnames or [])
        new_ids = {s["source_id"] for s in new_sources}
        sources = [s for s in reader if s["source_id"] not in new_ids]
    urls = {s["url"] for s in sources if s["url"]}
    for s in new_sources:
        if s["url"] in urls:
            raise SystemExit(f"{s['source_id']}: URL already cited by another source: {s['url']}")
    sources += [{c: s[c] for c in source_columns} for s in new_sources]

    with (inputs / "news_figures.csv").open(encoding="utf-8") as f:
        news = [convert(row, line) for line, row in enumerate(csv.DictReader(f), 2)]
    unknown = {r["source_id"] for r in news} - new_ids
    if unknown:
        raise SystemExit(f"news_figures.csv cites sources missing from news_sources.csv: {unknown}")
    with (out / "figures.csv").open(encoding="utf-8") as f:
        kept = [r for r in csv.DictReader(f) if not r["locator"].startswith(LOCATOR)]

    with (out / "sources.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, source_columns, lineterminator="\n")
        w.writeheader()
        w.writerows(sources)
    with (out / "figures.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, FIGURE_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(kept + news)
    print(f"wrote {len(news)} news figures from {len(new_sources)} sources to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
