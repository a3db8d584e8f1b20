"""What a user waits for: each command as a whole process, several runs, min/median/max.

Runs ``mineralflow`` (the console script beside this Python) as a user would, each command
``--runs`` times in a fresh process, over a ledger of the bundled data that this script loads
into a temporary folder (or ``--db``), and times each run: wall clock and the CPU time of
the child (user + system, from ``getrusage``), which the other jobs of a shared machine
disturb much less. Beside them, the baseline: the brief's numbers as plain DuckDB SQL in one
process (``benchmarks/brief_sql.py``), the practical limit. The web view is timed twice:
``serve --get PATH`` as a whole process (cold: a new process renders the page) and, warm, a
page asked again of a running server over loopback.

    .venv/bin/python benchmarks/latency.py --runs 7 --json benchmarks/results/latency.json

The load average before and after is printed with the results; the numbers go in
docs/BENCHMARKS.md with this command.

The package's bytecode is compiled first (``compileall``), as it is after any first run on a
user's machine: with ``PYTHONDONTWRITEBYTECODE`` set (as on the machines these numbers were
taken on) every process would otherwise compile mineralflow's source again, about 0.2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
PRODUCT = "rare-earth-magnets"
PERIOD = "2025-06"
PAGES = (
    "/",
    f"/products/{PRODUCT}/{PERIOD}",
    f"/products/{PRODUCT}/{PERIOD}.json",
    f"/products/{PRODUCT}/partners/USA",
    "/conflicts",
    # A chart of the month page, drawn on request (the page itself only names it).
    f"/products/{PRODUCT}/{PERIOD}/charts/world.svg",
)


def commands(db: str, out: str) -> dict[str, list[str]]:
    """Name -> arguments of ``mineralflow``."""
    brief = ["brief", "--product", PRODUCT, "--period", PERIOD, "--db", db]
    cmds = {
        "--help": ["--help"],
        "load (up to date)": ["load", "--db", db],
        "brief md": brief,
        "brief json": [*brief, "--format", "json"],
        "check": ["check", "--product", PRODUCT, "--period", "2025-08", "--db", db],
        "figures": ["figures", "--period", PERIOD, "--format", "csv", "--db", db],
        "claims (seeds)": ["claims", str(SEEDS), "--published", "2025-07-20"],
        "report html": ["report", "--period", PERIOD, "--db", db, "-o", f"{out}/r.html"],
    }
    if not SEEDS.is_dir():
        del cmds["claims (seeds)"]
    for page in PAGES:
        cmds[f"serve --get {page}"] = ["serve", "--db", db, "--get", page]
    return cmds


def timed(argv: Sequence[str], env: dict[str, str]) -> tuple[float, float, bytes]:
    """(wall seconds, CPU seconds of the child, stdout) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, env=env, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def summary(values: list[float]) -> dict[str, float]:
    return {
        "min": round(min(values), 3),
        "median": round(statistics.median(values), 3),
        "max": round(max(values), 3),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def warm_pages(mineralflow: Path, db: str, runs: int) -> dict[str, dict[str, float]]:
    """Each page asked ``runs`` more times of a running server after its first (cold)
    request: milliseconds per request, over loopback."""
    import httpx  # the dev extra; only this part needs it

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(mineralflow), "serve", "--db", db, "--port", str(port), "--no-access-log"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/favicon.ico", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.1)
        result = {}
        with httpx.Client(base_url=base, timeout=120) as client:
            for page in PAGES:
                started = time.perf_counter()
                client.get(page).raise_for_status()
                cold = (time.perf_counter() - started) * 1000
                ms = []
                for _ in range(runs):
                    started = time.perf_counter()
                    client.get(page).raise_for_status()
                    ms.append((time.perf_counter() - started) * 1000)
                result[page] = {"first_ms": round(cold, 1), **summary(ms)}
        return result
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="ledger file (default: bundled data, temp)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", help="comma-separated command names (default: all)")
    parser.add_argument("--no-warm", action="store_true", help="skip the running server")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    mineralflow = Path(sys.executable).with_name("mineralflow")
    env = {k: v for k, v in os.environ.items() if k != "MINERALFLOW_DB"}
    package = Path(__import__("mineralflow").__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    load_before = os.getloadavg()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="mineralflow-latency-") as tmp:
        db = str(args.db or Path(tmp) / "bundled.duckdb")
        if args.db is None:
            subprocess.run([str(mineralflow), "load", "--db", db], check=True, capture_output=True)
        runs: dict[str, list[str]] = {
            name: [str(mineralflow), *argv] for name, argv in commands(db, tmp).items()
        }
        runs["baseline: brief numbers in plain SQL"] = [
            sys.executable,
            str(ROOT / "benchmarks" / "brief_sql.py"),
            "--db",
            db,
            "--period",
            PERIOD,
        ]
        if args.only:
            wanted = {w.strip() for w in args.only.split(",")}
            runs = {k: v for k, v in runs.items() if k in wanted}
        for name, argv in runs.items():
            walls, cpus = [], []
            for _ in range(args.runs):
                wall, cpu, _out = timed(argv, env)
                walls.append(wall)
                cpus.append(cpu)
            results[name] = {"wall": summary(walls), "cpu": summary(cpus)}
            w, c = results[name]["wall"], results[name]["cpu"]  # type: ignore[index]
            print(
                f"{name:42s} wall {w['min']:6.3f} {w['median']:6.3f} {w['max']:6.3f}   "
                f"cpu {c['min']:6.3f} {c['median']:6.3f} {c['max']:6.3f}",
                flush=True,
            )
        if not args.no_warm and not args.only:
            results["serve warm (ms)"] = warm = warm_pages(mineralflow, db, max(args.runs, 10))
            for page, ms in warm.items():
                print(
                    f"serve warm {page:31s} first {ms['first_ms']:8.1f} ms, then "
                    f"{ms['min']:.1f} / {ms['median']:.1f} / {ms['max']:.1f} ms"
                )
    load_after = os.getloadavg()
    results["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    results["load_average"] = {"before": load_before[0], "after": load_after[0]}
    print(f"load average (1 min): {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
