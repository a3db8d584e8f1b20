"""Precision and recall of the claims reader on the evaluation set in tests/claims_eval/.

    python benchmarks/claims_quality.py [--seeds ../shared/seeds] [--mistakes]

Prints Markdown tables (per field and whole figures) for the seeds, the hand-written set,
the held-out set and all together; the numbers in docs/BENCHMARKS.md come from this script.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mineralflow.claims.scoring import FIELDS, Scores, evaluate_seeds, evaluate_written

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
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
    if args.mistakes:
        print()
        for name, s, _ in rows[:-1]:
            for m in s.mistakes:
                print(f"- {name}: {m}")


if __name__ == "__main__":
    main()
