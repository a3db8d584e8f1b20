"""The claims reader on real stored pages (issue 11's acceptance): the 14 pages of
``../shared/articles``, labelled by span in ``tests/claims_eval/real`` (no article text here).

Goals: whole-figure precision >= 0.97 and recall >= 0.93 on what ``--save`` would book, no
wrong-scope or wrong-year trap produced, and no figure the text cannot place booked. The
numbers in docs/BENCHMARKS.md come from ``python benchmarks/claims_quality.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mineralflow import catalog
from mineralflow.claims.scoring import FIELDS, TRAP_CLASSES, evaluate_real
from mineralflow.ledger import MEASURES

LABELS = Path(__file__).parent / "claims_eval" / "real"


@pytest.mark.shared
def test_real_pages_meet_the_goals(shared: Path) -> None:
    r = evaluate_real(LABELS, shared / "articles")
    assert r.articles == 14
    assert r.figures.expected >= 70
    assert r.figures.precision() >= 0.97, r.figures.mistakes
    assert r.figures.recall() >= 0.93, r.figures.mistakes
    for kind in ("wrong-scope", "wrong-year"):
        assert r.traps.get(kind, 0) > 0
        assert r.produced.get(kind, 0) == 0, r.trap_hits
    assert r.unresolved_booked == 0, r.figures.mistakes


def test_labels_use_the_catalog_and_the_ledgers_vocabulary() -> None:
    files = sorted(LABELS.glob("*.json"))
    assert len(files) == 14
    known_partners = set(catalog.countries())
    for path in files:
        item = json.loads(path.read_text(encoding="utf-8"))
        for f in item["figures"]:
            assert set(FIELDS) <= set(f), (path.name, f)
            assert f["partner"] in known_partners, (path.name, f)
            assert f["product"] in catalog.products(), (path.name, f)
            assert f["measure"] in MEASURES, (path.name, f)
            assert f["class"] in (None, *TRAP_CLASSES), (path.name, f)
        for t in item["traps"]:
            assert t["class"] in TRAP_CLASSES, (path.name, t)
        spans = [tuple(e["span"]) for key in ("figures", "unresolved") for e in item[key]]
        assert len(spans) == len(set(spans)), path.name  # one label per figure
