"""The package type-checks (mypy, strict, as configured in pyproject.toml).

Run by pytest rather than beside it in `make test`: one of the suite's tests, it shares the
two workers with the rest (conftest.py starts it first) instead of holding one core for about
20 s while the other waits. `make typecheck` runs the same check on its own."""

from __future__ import annotations

import subprocess
import sys

from support import ROOT


def test_the_package_type_checks() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Success: no issues found")
