"""Names tests import (conftest modules are not importable by name: there are two)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MINERALFLOW_SHARED", ROOT.parent / "shared"))
"""The project's shared folder (seeds, reference data), beside the checkout in CI."""

CliRunner = Callable[..., tuple[int, str, str]]
"""``run_cli(*args, env=None) -> (exit code, stdout, stderr)``."""
