"""Golden files: JSON pages as the tool writes them, reviewed as diffs.

After an intended change, rewrite them with ``MINERALFLOW_UPDATE_GOLDEN=1 pytest
tests/test_web_golden.py`` and review ``git diff tests/golden``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mineralflow.web import get

GOLDEN = Path(__file__).parent / "golden"
PAGES = {
    "product.json": "/products/rare-earth-magnets.json",
    "events-rare-earth-magnets.json": "/events.json?product=rare-earth-magnets",
    "outlets-rare-earth-magnets.json": "/outlets.json?product=rare-earth-magnets",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_json_page_matches_its_golden_file(bundled, name):
    status, _, body = get(bundled, PAGES[name])
    assert status == 200
    text = json.dumps(json.loads(body), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    path = GOLDEN / name
    if os.environ.get("MINERALFLOW_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{path} differs; see the module docstring"
