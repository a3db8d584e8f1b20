"""Load benchmark of the local web view: N requests at concurrency C over loopback.

Starts ``mineralflow serve`` on a free loopback port in a subprocess (over the bundled data
unless --db is given), asks every page once (the cold renders, timed one by one), then
sends --requests requests spread round-robin over the same pages and their .json twins
with --concurrency in flight, and prints the latencies (p50, p90, p99, max), the
throughput and the error count. Bounded: each request times out after 30 s and the whole
run after --max-seconds.

    flock /tmp/mineralflow-heavy.lock .venv/bin/python benchmarks/web_load.py

Run it on a quiet machine; the numbers go in docs/BENCHMARKS.md with the command.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PRODUCT = "rare-earth-magnets"
PAGES = [
    "/",
    f"/products/{PRODUCT}",
    f"/products/{PRODUCT}/2025-06",
    f"/products/{PRODUCT}/2025-08",
    f"/products/{PRODUCT}/partners/USA",
    f"/products/{PRODUCT}/partners/DEU",
    "/sources",
    "/conflicts",
    f"/events?product={PRODUCT}",
]


def twin(path: str) -> str:
    base, sep, query = path.partition("?")
    return ("/index" if base == "/" else base) + ".json" + sep + query


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


async def load(base: str, paths: list[str], requests: int, concurrency: int) -> dict[str, object]:
    latencies: list[float] = []
    errors: list[str] = []
    counter = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker() -> None:
            for i in counter:
                path = paths[i % len(paths)]
                started = time.perf_counter()
                try:
                    response = await client.get(path)
                    await response.aread()
                    if response.status_code != 200:
                        errors.append(f"{path}: HTTP {response.status_code}")
                except httpx.HTTPError as e:
                    errors.append(f"{path}: {type(e).__name__}")
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    ms = [x * 1000 for x in latencies]
    return {
        "requests": len(latencies),
        "concurrency": concurrency,
        "errors": len(errors),
        "error_examples": errors[:5],
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(ms, 50), 2),
        "p90_ms": round(percentile(ms, 90), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="ledger file (default: bundled data, temp)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    mineralflow = Path(sys.executable).with_name("mineralflow")
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "bench.duckdb"
            subprocess.run(
                [str(mineralflow), "load", "--db", str(db)], check=True, capture_output=True
            )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(mineralflow), "serve", "--db", str(db), "--port", str(port), "--no-access-log"],
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
                        print("the server did not start", file=sys.stderr)
                        return 1
                    time.sleep(0.2)
            paths = [p for page in PAGES for p in (page, twin(page))]
            cold = {}
            for path in paths:
                started = time.perf_counter()
                status = httpx.get(base + path, timeout=120).status_code
                cold[path] = (status, round((time.perf_counter() - started) * 1000, 1))
            result = asyncio.run(
                asyncio.wait_for(
                    load(base, paths, args.requests, args.concurrency), args.max_seconds
                )
            )
        finally:
            server.terminate()
            server.wait(timeout=10)
    result["cold_ms"] = {p: ms for p, (_, ms) in cold.items()}
    result["cold_errors"] = [p for p, (status, _) in cold.items() if status != 200]
    result["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version[:6]}"
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["errors"] == 0 and not result["cold_errors"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
