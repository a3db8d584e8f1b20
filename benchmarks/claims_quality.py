"""Precision and recall of the claims reader on the evaluation set in tests/claims_eval/.

    python benchmarks/claims_quality.py [--seeds ../shared/seeds] [--articles ../shared/articles]
                                        [--mistakes]

Prints Markdown tables (per field and whole figures) for the seeds, the hand-written set,
the held-out set and all together, then the real-article set (``tests/claims_eval/real``)
with its per-class table; the numbers in docs/BENCHMARKS.md come from this script.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mineralflow.claims.scoring import (
    FIELDS,
    TRAP_CLASSES,
    RealScores,
    Scores,
    evaluate_real,
    evaluate_seeds,
    evaluate_written,
)

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "claims_eval"


def table(rows: list[tuple[str, Scores, int]]) -> str:
    head = "| set | sentences | figures | claims | " + " | ".join(FIELDS) + " | whole figure |"
    rule = "|---" * (len(FIELDS) + 5) + "|"
    lines = [head, rule]
    for name, s, n in rows:
        cells = [f"{s.precision(f):.3f} / {s.recall(f):.3f}" for f in FIELDS]
        whole = f"**{s.precision():.3f} / {s.recall():.3f}**"
        lines.append(
            f"| {name} | {n} | {s.expected} | {s.predicted} | "
            + " | ".join(cells)
            + f" | {whole} |"
        )
    return "\n".join(lines)


def real_table(r: RealScores) -> str:
    s = r.figures
    lines = [
        f"{r.articles} pages: {s.expected} figures, {s.predicted} booked (resolved claims), "
        f"{s.whole} right: **precision {s.precision():.3f}, recall {s.recall():.3f}**; "
        f"{r.unresolved_labelled} figures the text cannot place, {r.unresolved_booked} booked "
        "anyway.",
        "",
        "| class | traps | traps produced | figures of that shape read right |",
        "|---|---|---|---|",
    ]
    for kind in TRAP_CLASSES:
        shaped = r.shaped.get(kind, 0)
        right = f"{r.shaped_right.get(kind, 0)} / {shaped}" if shaped else "-"
        lines.append(f"| {kind} | {r.traps.get(kind, 0)} | {r.produced.get(kind, 0)} | {right} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    parser.add_argument("--articles", type=Path, default=ROOT.parent / "shared" / "articles")
    parser.add_argument("--mistakes", action="store_true", help="list every mistake")
    args = parser.parse_args()
    rows: list[tuple[str, Scores, int]] = []
    if args.seeds.is_dir():
        seeds, n = evaluate_seeds(LABELS / "seeds.json", args.seeds)
        rows.append(("seeds (5 articles)", seeds, n))
    written, n_written = evaluate_written(LABELS / "written.json")
    rows.append(("written", written, n_written))
    holdout, n_holdout = evaluate_written(LABELS / "holdout.json")
    rows.append(("held out", holdout, n_holdout))
    total = rows[0][1]
    for _, s, _ in rows[1:]:
        total = total + s
    rows.append(("all", total, sum(n for _, _, n in rows)))
    print("Precision / recall per field (right / claims read, right / figures expected):\n")
    print(table(rows))
    real = evaluate_real(LABELS / "real", args.articles) if args.articles.is_dir() else None
    if real is not None:
        print("\nReal stored pages (../shared/articles):\n")
        print(real_table(real))
    if args.mistakes:
        print()
        for name, s, _ in rows[:-1]:
            for m in s.mistakes:
                print(f"- {name}: {m}")
        if real is not None:
            for m in real.figures.mistakes:
                print(f"- real: {m}")
            for m in real.trap_hits:
                print(f"- real trap: {m}")


if __name__ == "__main__":
    main()
