"""The README, ARCHITECTURE.md and the CLI agree with what the code does."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import mineralflow
from support import SHARED

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [
        shlex.split(line, comments=True)[1:]
        for block in blocks
        for line in block.splitlines()
        if line.startswith("mineralflow ")
    ]


def test_readme_has_the_two_commands_and_five_examples():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in text
    assert "make test" in text
    assert len(readme_commands()) >= 5


def test_every_readme_example_runs(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in readme_commands():
        if args[0] == "serve" and "--get" not in args:
            continue  # starts a server that runs until stopped; tests/test_web.py covers it
        if "spark" in args:
            continue  # a Spark session costs 15 s; tests/metrics/test_brief_engines.py runs it
        if any("../shared" in a for a in args):
            if not SHARED.is_dir():
                continue  # the shared folder is beside the checkout in CI only
            args = [a.replace("../shared", str(SHARED)) for a in args]
        code, out, err = run_cli(*args)
        assert code == 0, (args, err)
        assert out or err, args


def test_architecture_names_modules_that_exist():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w/]+\.py|[\w]+/)`", text))
    assert named, "ARCHITECTURE.md names no module"
    package = ROOT / "src" / "mineralflow"
    for name in named:
        assert (package / name).exists() or (ROOT / name).exists(), name


def test_help_lists_every_command_the_docs_use(run_cli):
    _, out, _ = run_cli("--help")
    for args in readme_commands():
        assert args[0] in out


def test_every_command_a_message_names_exists(run_cli):
    """Error messages and help point users at `mineralflow X`: X must be a command."""
    _, out, _ = run_cli("--help")
    commands = out.split("Commands:", 1)[1]
    listed = set(re.findall(r"^  ([a-z][a-z-]+) ", commands, re.M))
    assert {"load", "brief", "check"} <= listed
    named = {
        m
        for f in (ROOT / "src" / "mineralflow").rglob("*.py")
        for m in re.findall(r"`mineralflow ([a-z][a-z-]+)", f.read_text(encoding="utf-8"))
    }
    assert named, "no message names a command: the pattern is wrong"
    assert named <= listed, f"named but not commands: {sorted(named - listed)}"


def test_public_api_is_exported_and_documented():
    for name in mineralflow.__all__:
        obj = getattr(mineralflow, name)
        assert obj.__doc__, f"{name} has no docstring"
    assert "Ledger" in mineralflow.__all__
    assert "build_brief" in mineralflow.__all__
