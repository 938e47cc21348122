"""Load test of POST /v1/suggest on loopback, then a brain hot swap under load.

    python -m eval.load_test                                  # rules-only tiny brain
    python -m eval.load_test --brain models/brains/<version>  # a trained brain
    python -m eval.load_test --seconds 20 --max-requests 3000 --json

`salesbrain serve` runs in a subprocess on 127.0.0.1 (one worker) over a SQLite store holding a
simulated brand; an asyncio httpx client on the same machine sends suggestion requests for
stored conversations with guide keys, at 1, 8 and 32 concurrent clients, each level bounded by
time and request count. Then, at 8 clients, the operator promotes and rolls back between two
copies of the brain every `--swap-every` seconds; every request must still succeed. Client and
server share the machine's cores, so the numbers are a floor of what the server alone does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from eval.serving import Server, registry_of, seed_brand
from salesbrain.security import create_api_key
from salesbrain.store import Store

LEVELS = (1, 8, 32)


@dataclass
class Run:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    versions: set[str] = field(default_factory=set)
    seconds: float = 0.0

    def summary(self, concurrency: int) -> dict[str, Any]:
        ordered = sorted(self.latencies_ms)
        return {
            "concurrency": concurrency, "requests": len(ordered) + len(self.errors),
            "errors": len(self.errors), "rps": round(len(ordered) / self.seconds, 1),
            **{f"p{q}_ms": round(percentile(ordered, q), 1) for q in (50, 95, 99)},
            "mean_ms": round(statistics.fmean(ordered), 1) if ordered else None,
        }


def percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass(frozen=True)
class Workload:
    """(guide key, conversation id) pairs a client cycles through."""

    targets: list[tuple[str, str]]
    admin_key: str


async def client_loop(http: httpx.AsyncClient, workload: Workload, run: Run, stop_at: float,
                      budget: list[int], seed: int) -> None:
    chooser = random.Random(seed)
    while time.monotonic() < stop_at and budget[0] > 0:
        budget[0] -= 1
        key, conversation_id = chooser.choice(workload.targets)
        started = time.perf_counter()
        try:
            response = await http.post("/v1/suggest", json={"conversation_id": conversation_id,
                                                            "k": 3},
                                       headers={"Authorization": f"Bearer {key}"})
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code == 200:
                run.latencies_ms.append(elapsed)
                run.versions.add(response.json()["brain_version"])
            else:
                run.errors.append(f"{response.status_code} {response.text[:200]}")
        except httpx.HTTPError as error:
            run.errors.append(f"{type(error).__name__}: {error}")


async def load(url: str, workload: Workload, concurrency: int, seconds: float,
               max_requests: int) -> Run:
    run = Run()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as http:
        budget = [max_requests]
        started = time.monotonic()
        await asyncio.gather(*(client_loop(http, workload, run, started + seconds, budget, i)
                               for i in range(concurrency)))
        run.seconds = time.monotonic() - started
    return run


async def swapper(url: str, admin_key: str, stop_at: float, every_s: float,
                  log: list[dict[str, Any]]) -> None:
    """Promote the second brain, then roll back, over and over, while clients run."""
    headers = {"Authorization": f"Bearer {admin_key}"}
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        promote = True
        while time.monotonic() + every_s < stop_at:
            await asyncio.sleep(every_s)
            path = "/v1/models/load-b/promote?force=true" if promote else "/v1/models/rollback"
            started = time.perf_counter()
            response = await http.post(path, headers=headers)
            log.append({"call": path, "status": response.status_code,
                        "seconds": round(time.perf_counter() - started, 2),
                        "serving": response.json().get("serving")})
            promote = not promote


async def hot_swap(url: str, workload: Workload, seconds: float, max_requests: int,
                   every_s: float) -> dict[str, Any]:
    swaps: list[dict[str, Any]] = []
    stop_at = time.monotonic() + seconds
    run, _ = await asyncio.gather(load(url, workload, 8, seconds, max_requests),
                                  swapper(url, workload.admin_key, stop_at, every_s, swaps))
    return {**run.summary(8), "failed_requests": len(run.errors),
            "failures": run.errors[:5], "swaps": swaps,
            "versions_served": sorted(run.versions)}


def prepare(work: Path, brain: Path | None, size: dict[str, int]) -> tuple[Store, Workload]:
    store = Store.open(f"sqlite:///{work / 'load.db'}", tenant="load")
    seed_brand(store, work / "brand", True, **size)
    targets = []
    for guide in store.guides():
        key = create_api_key(store, "guide", guide_id=guide.guide_id, label="load test")
        targets += [(key, c.conversation_id) for c in store.conversations(guide_id=guide.guide_id)]
    registry_of(work / "models", {"load-a": brain, "load-b": brain})
    return store, Workload(targets, create_api_key(store, "admin", label="load test"))


def run_load_test(brain: Path | None, seconds: float, max_requests: int, swap_every: float,
                  size: dict[str, int]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="load_test_") as tmp:
        work = Path(tmp)
        store, workload = prepare(work, brain, size)
        db_url = store.engine.url.render_as_string(hide_password=False)
        server = Server(db_url, work / "models", work / "server.log", rate_per_second=1e6,
                        rate_burst=1_000_000, operator_tenant="load")
        try:
            ready = server.wait_ready()
            asyncio.run(load(server.url, workload, 4, 3, 50))  # warm-up: connections, caches
            table = [asyncio.run(load(server.url, workload, c, seconds, max_requests)).summary(c)
                     for c in LEVELS]
            swap = asyncio.run(hot_swap(server.url, workload, seconds, max_requests, swap_every))
        finally:
            server.stop()
    return {"brain": str(brain) if brain else "tiny rules-only brain",
            "brain_version": ready["brain_version"], "cpu_count": os.cpu_count(),
            "conversations": len(workload.targets), "levels": table, "hot_swap": swap}


def print_table(result: dict[str, Any]) -> None:
    print(f"brain: {result['brain']}  cpus: {result['cpu_count']}  "
          f"conversations: {result['conversations']}")
    print(f"{'clients':>7} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'p99 ms':>7}")
    for row in result["levels"]:
        print(f"{row['concurrency']:>7} {row['requests']:>8} {row['errors']:>6} {row['rps']:>7} "
              f"{row['p50_ms']:>7} {row['p95_ms']:>7} {row['p99_ms']:>7}")
    swap = result["hot_swap"]
    print(f"hot swap at 8 clients: {swap['requests']} requests, {swap['failed_requests']} failed, "
          f"{len(swap['swaps'])} swaps, versions served {swap['versions_served']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brain", type=Path, default=None, help="a trained brain directory")
    parser.add_argument("--seconds", type=float, default=15.0, help="per concurrency level")
    parser.add_argument("--max-requests", type=int, default=3000, help="per concurrency level")
    parser.add_argument("--swap-every", type=float, default=2.0)
    parser.add_argument("--guides", type=int, default=20)
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    size = {"guides": args.guides, "customers": args.customers, "days": args.days}
    result = run_load_test(args.brain, args.seconds, args.max_requests, args.swap_every, size)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print_table(result)
    failed = sum(r["errors"] for r in result["levels"]) + result["hot_swap"]["failed_requests"]
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
