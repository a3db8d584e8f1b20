"""Shared fixtures.

- ``ledger``: a fresh, empty in-memory ledger.
- ``db_path``: a path for a ledger file in a temporary folder (not created).
- ``bundled_db``: a ledger file with the bundled data loaded, built once per session; open it
  read-only in tests that must not change it; ``bundled_copy`` (or :func:`copy_ledger`) is a
  writable copy of it for a test that writes.
- ``shared``: the ``../shared`` folder beside the checkout (seeds, reference data); tests that
  use it skip with a reason on a user's fresh clone where it is absent. CI always has it.
- ``run_cli``: run ``mineralflow ARGS`` in-process and return (exit code, stdout, stderr).

Every test runs in a fresh working directory with ``MINERALFLOW_DB`` unset, so no test can
read or change the user's ledger (``./mineralflow.duckdb`` after ``make demo``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mineralflow.ledger import Ledger
from support import SHARED, CliRunner, copy_ledger


@pytest.fixture(autouse=True)
def away_from_the_users_ledger(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run each test in its own empty folder, with no ``MINERALFLOW_DB``."""
    monkeypatch.delenv("MINERALFLOW_DB", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    led = Ledger.memory()
    yield led
    led.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture(scope="session")
def bundled_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bundled") / "bundled.duckdb"
    with Ledger.open(path) as led:
        led.load_bundled()
    return path


@pytest.fixture
def bundled_copy(bundled_db: Path, tmp_path: Path) -> Path:
    """A writable ledger file holding the bundled data, as ``load_bundled`` leaves it."""
    return copy_ledger(bundled_db, tmp_path / "bundled-copy.duckdb")


@pytest.fixture
def bundled(bundled_db: Path) -> Iterator[Ledger]:
    """The bundled ledger, opened read-only."""
    led = Ledger.open(bundled_db, read_only=True)
    yield led
    led.close()


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(
            f"needs the project's shared folder at {SHARED} (seeds and reference data); "
            "it is beside the checkout in CI, absent on a user's clone"
        )
    return SHARED


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """Run the CLI in-process as a user would (through ``main``, so errors become messages)."""
    from mineralflow import cli

    def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr("sys.argv", ["mineralflow", *args])
        code = 0
        try:
            cli.main()
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The type check (tests/test_types.py, about 20 s of one core) first: begun at once, it
    # runs beside the other worker's tests rather than alone at the end.
    items.sort(key=lambda item: item.path.name != "test_types.py")
