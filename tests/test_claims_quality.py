"""The evaluation set: labelled sentences from the seeds and written for the test, scored.

Goals (issue 4): precision >= 0.95 and recall >= 0.90 on whole figures (every field right).
The numbers in docs/BENCHMARKS.md come from ``python benchmarks/claims_quality.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mineralflow import catalog
from mineralflow.claims.scoring import FIELDS, evaluate_seeds, evaluate_written, score
from mineralflow.ledger import MEASURES

LABELS = Path(__file__).parent / "claims_eval"
PRECISION, RECALL = 0.95, 0.90


@pytest.mark.parametrize("name", ["written.json", "holdout.json"])
def test_written_sets_meet_the_goals(name: str) -> None:
    scores, _sentences = evaluate_written(LABELS / name)
    assert scores.expected > 30
    assert scores.precision() >= PRECISION, scores.mistakes
    assert scores.recall() >= RECALL, scores.mistakes


@pytest.mark.shared
def test_seeds_meet_the_goals_and_the_set_has_60_sentences(shared: Path) -> None:
    seeds, seed_sentences = evaluate_seeds(LABELS / "seeds.json", shared / "seeds")
    written, written_sentences = evaluate_written(LABELS / "written.json")
    assert seed_sentences + written_sentences >= 60
    assert seeds.precision() >= PRECISION, seeds.mistakes
    assert seeds.recall() >= RECALL, seeds.mistakes
    both = seeds + written
    for field in FIELDS:
        assert both.precision(field) >= PRECISION, (field, both.mistakes)
        assert both.recall(field) >= RECALL, (field, both.mistakes)


def test_the_written_set_includes_negatives_and_other_scopes() -> None:
    items = json.loads((LABELS / "written.json").read_text(encoding="utf-8"))["items"]
    negatives = [i for i in items if not i["figures"]]
    products = {f.get("product") for i in items for f in i["figures"]}
    assert len(negatives) >= 10
    assert {"rare-earths", "rare-earth-products", "rare-earth-magnet-powders"} <= products


def test_labels_use_the_catalog_and_the_ledgers_vocabulary() -> None:
    known = set(catalog.countries())
    for name in ("written.json", "holdout.json", "seeds.json"):
        data = json.loads((LABELS / name).read_text(encoding="utf-8"))
        figures = [f for i in data.get("items", data.get("articles", [])) for f in i["figures"]]
        for f in figures:
            assert f.get("partner") in known, f
            assert f.get("measure") in (*MEASURES, None), f
            assert f.get("product", "rare-earth-magnets") in catalog.products(), f
            period = f.get("period")
            assert period is None or re.fullmatch(r"\d{4}-\d{2}(/\d{4}-\d{2})?", period), f


def test_score_counts_a_wrong_field_a_miss_and_a_spurious_claim() -> None:
    expected = [
        {"source": "a", "span": [0, 4], "partner": "USA", "value": 660.0},
        {"source": "a", "span": [10, 14], "partner": "WLD", "value": 3188.0},
    ]
    predicted = [
        {"source": "a", "span": [0, 4], "partner": "WLD", "value": 660.0},
        {"source": "a", "span": [20, 24], "partner": "WLD", "value": 1.0},
    ]
    s = score(expected, predicted, fields=("partner", "value"))
    assert (s.precision(), s.recall()) == (0.0, 0.0)
    assert (s.precision("value"), s.recall("value")) == (0.5, 0.5)
    assert len(s.mistakes) == 3
