"""Load test of POST /v1/suggest on loopback, then a brain hot swap under load.

    python -m eval.load_test                                  # tiny rules-only brain
    python -m eval.load_test --brain models/brains/<version>  # a trained brain
    python -m eval.load_test --seconds 20 --max-requests 3000 --json

`salesbrain serve` runs in a subprocess on 127.0.0.1 (one worker) over a SQLite store holding a
simulated brand. `wrk` (apt install wrk) sends suggestion requests for stored conversations,
each with its guide's key, at 1, 8 and 32 connections; each level is bounded by time and by
request count. Then, at 8 connections, the operator promotes and rolls back between two copies
of the brain, one swap after another; every request must still succeed and both versions must
have answered. wrk and the server share the machine's cores: the numbers are a floor.

Why wrk: an asyncio httpx client on the same 2 cores spent more CPU per request than the
server at 32 connections (measured: 3.4 s of client CPU against 1.2 s of server CPU for 1,500
/healthz requests), so it measured itself. Where wrk is not installed the test says so in one
line and falls back to that client (`eval.pyload`, same bounds, loopback only); its numbers
are then a lower floor still.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from eval.pyload import run_python_load
from eval.serving import Server, registry_of, seed_brand
from eval.wrk import Target, run_wrk, write_script
from salesbrain.db import Database
from salesbrain.security import create_api_key

LEVELS = (1, 8, 32)
# A load run: (connections, seconds) -> the statistics of `eval.wrk.run_wrk`.
Driver = Callable[[int, float], dict[str, Any]]


def load_driver(url: str, targets: list[Target], max_requests: int, script: Path | None
                ) -> Driver:
    """wrk running `script` (written here), or the Python load generator where it is None."""
    if script is not None:
        write_script(script, "/v1/suggest", targets, max_requests)
        return lambda connections, seconds: run_wrk(url, script, connections, seconds)
    return lambda connections, seconds: run_python_load(
        url, "/v1/suggest", targets, connections, seconds, max_requests)


def prepare(work: Path, brain: Path | None, size: dict[str, int]) -> tuple[Database, list[Target],
                                                                          str]:
    """Seed a brand; one key per guide; two copies of the brain in a registry."""
    store = Database.open(f"sqlite:///{work / 'load.db'}", tenant="load")
    seed_brand(store, work / "brand", True, **size)
    targets = []
    for guide in store.guides():
        key = create_api_key(store, "guide", guide_id=guide.guide_id, label="load test")
        targets += [Target(key, {"conversation_id": c.conversation_id, "k": 3})
                    for c in store.conversations(guide_id=guide.guide_id)]
    registry_of(work / "models", {"load-a": brain, "load-b": brain})
    return store, targets, create_api_key(store, "admin", label="load test")


def level(drive: Driver, connections: int, seconds: float) -> dict[str, Any]:
    stats = drive(connections, seconds)
    return {"connections": connections, "requests": stats["requests"], "errors": stats["errors"],
            "rps": stats["rps"], **{f"p{q}_ms": round(stats[f"p{q}_us"] / 1000, 1)
                                    for q in (50, 95, 99)},
            "no_suggestion": stats["empty"]}


def swap_repeatedly(url: str, admin_key: str, stop: threading.Event, pause_s: float,
                    log: list[dict[str, Any]]) -> None:
    """Promote load-b, roll back to load-a, and again, until told to stop."""
    headers = {"Authorization": f"Bearer {admin_key}"}
    promote = True
    launched = time.perf_counter()
    with httpx.Client(base_url=url, timeout=600) as http:
        while not stop.wait(pause_s):
            path = "/v1/models/load-b/promote?force=true" if promote else "/v1/models/rollback"
            started = time.perf_counter()
            response = http.post(path, headers=headers)
            log.append({"call": path, "status": response.status_code,
                        "serving": response.json().get("serving"),
                        "seconds": round(time.perf_counter() - started, 2),
                        "done_at_s": round(time.perf_counter() - launched, 2)})
            promote = not promote


def hot_swap(server: Server, drive: Driver, admin_key: str, seconds: float,
             pause_s: float) -> dict[str, Any]:
    swaps: list[dict[str, Any]] = []
    stop = threading.Event()
    swapper = threading.Thread(target=swap_repeatedly,
                               args=(server.url, admin_key, stop, pause_s, swaps))
    swapper.start()
    try:
        stats = drive(8, seconds)
    finally:
        stop.set()
        swapper.join()
    span_s = stats["span_us"] / 1e6
    return {"connections": 8, "requests": stats["requests"], "failed_requests": stats["errors"],
            "rps": stats["rps"], "p99_ms": round(stats["p99_us"] / 1000, 1),
            "load_seconds": round(span_s, 1), "versions_served": stats["versions"],
            "swaps_during_load": sum(1 for s in swaps if s["done_at_s"] <= span_s),
            "swaps": swaps}


def run_load_test(brain: Path | None, seconds: float, max_requests: int, pause_s: float,
                  size: dict[str, int], swap_seconds: float | None = None,
                  worker_threads: int = 8, swap_max_requests: int | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="load_test_") as tmp:
        work = Path(tmp)
        store, targets, admin_key = prepare(work, brain, size)
        wrk = shutil.which("wrk") is not None
        if not wrk:
            print("wrk not found (apt-get install wrk): using the slower Python load generator",
                  file=sys.stderr)
        db_url = store.engine.url.render_as_string(hide_password=False)
        server = Server(db_url, work / "models", work / "server.log", rate_per_second=1e6,
                        rate_burst=1_000_000, operator_tenant="load",
                        worker_threads=worker_threads)
        try:
            ready = server.wait_ready()
            drive = load_driver(server.url, targets, max_requests,
                                work / "suggest.lua" if wrk else None)
            drive(4, 2)  # warm-up: connections, caches, lazy imports
            table = [level(drive, c, seconds) for c in LEVELS]
            swap_drive = load_driver(server.url, targets, swap_max_requests or max_requests,
                                     work / "swap.lua" if wrk else None)
            swap = hot_swap(server, swap_drive, admin_key, swap_seconds or seconds, pause_s)
        finally:
            server.stop()
    return {"brain": str(brain) if brain else "tiny rules-only brain",
            "brain_version": ready["brain_version"], "cpu_count": os.cpu_count(),
            "worker_threads": worker_threads, "load_generator": "wrk" if wrk else "python",
            "load_average": os.getloadavg(), "conversations": len(targets),
            "levels": table, "hot_swap": swap}


def print_table(result: dict[str, Any]) -> None:
    print(f"brain: {result['brain']}  cpus: {result['cpu_count']}  "
          f"load generator: {result['load_generator']}  "
          f"server threads: {result['worker_threads']}  "
          f"load average after: {[round(x, 1) for x in result['load_average']]}")
    print(f"{'clients':>7} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'p99 ms':>7} {'no suggestion':>13}")
    for row in result["levels"]:
        print(f"{row['connections']:>7} {row['requests']:>8} {row['errors']:>6} {row['rps']:>7} "
              f"{row['p50_ms']:>7} {row['p95_ms']:>7} {row['p99_ms']:>7} "
              f"{row['no_suggestion']:>13}")
    swap = result["hot_swap"]
    print(f"hot swap at 8 clients: {swap['requests']} requests in {swap['load_seconds']} s, "
          f"{swap['failed_requests']} failed, {swap['swaps_during_load']} swaps during the load "
          f"({len(swap['swaps'])} in all), answers per version {swap['versions_served']}")
    for call in swap["swaps"]:
        print(f"  at {call['done_at_s']:>6} s  {call['call']} -> {call['status']} serving "
              f"{call['serving']} in {call['seconds']} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brain", type=Path, default=None, help="a trained brain directory")
    parser.add_argument("--seconds", type=float, default=15.0, help="per level")
    parser.add_argument("--max-requests", type=int, default=3000, help="per level")
    parser.add_argument("--swap-pause", type=float, default=1.0, help="seconds between swaps")
    parser.add_argument("--swap-seconds", type=float, default=None,
                        help="length of the hot-swap run (default: --seconds)")
    parser.add_argument("--swap-max-requests", type=int, default=None,
                        help="request cap of the hot-swap run (default: --max-requests)")
    parser.add_argument("--worker-threads", type=int, default=8, help="server handler threads")
    parser.add_argument("--guides", type=int, default=20)
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    size = {"guides": args.guides, "customers": args.customers, "days": args.days}
    result = run_load_test(args.brain, args.seconds, args.max_requests, args.swap_pause, size,
                           args.swap_seconds, args.worker_threads, args.swap_max_requests)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print_table(result)
    failed = sum(r["errors"] for r in result["levels"]) + result["hot_swap"]["failed_requests"]
    swapped = len(result["hot_swap"]["versions_served"]) == 2
    raise SystemExit(1 if failed or not swapped else 0)


if __name__ == "__main__":
    main()
