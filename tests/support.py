"""Names tests import (conftest modules are not importable by name: there are two)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MINERALFLOW_SHARED", ROOT.parent / "shared"))
"""The project's shared folder (seeds, reference data), beside the checkout in CI."""

CliRunner = Callable[..., tuple[int, str, str]]
"""``run_cli(*args, env=None) -> (exit code, stdout, stderr)``."""


def copy_ledger(source: Path, dest: Path) -> Path:
    """A writable copy of a closed ledger file (the same state as the writes that made it,
    in milliseconds rather than a load's seconds)."""
    shutil.copyfile(source, dest)
    return dest
