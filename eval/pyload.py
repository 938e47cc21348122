"""A bounded load generator in Python (httpx, asyncio) for machines without `wrk`.

It returns the same statistics as `eval.wrk.run_wrk`, but its own CPU use competes with the
server on a small machine (see eval/load_test.py), so its numbers are a lower floor than
wrk's. Loopback only: it refuses any other host.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import numpy as np

from eval.wrk import Target

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


async def _client(http: httpx.AsyncClient, path: str, next_target: Any, stats: dict[str, Any],
                  latencies: list[float], bounds: tuple[float, int]) -> None:
    deadline, max_requests = bounds
    while time.perf_counter() < deadline and stats["requests"] < max_requests:
        target = next(next_target)
        stats["requests"] += 1
        started = time.perf_counter()
        try:
            response = await http.post(path, json=target.body,
                                       headers={"Authorization": f"Bearer {target.key}"})
        except httpx.TimeoutException:
            stats["timeouts"] += 1
            continue
        except httpx.TransportError:
            stats["socket_errors"] += 1
            continue
        latencies.append(time.perf_counter() - started)
        _count(response, stats)


def _count(response: httpx.Response, stats: dict[str, Any]) -> None:
    if response.status_code != 200:
        stats["non200"] += 1
        return
    body = response.json()
    version = body.get("brain_version")
    if version:
        stats["versions"][version] = stats["versions"].get(version, 0) + 1
    if body.get("suggestions") == []:
        stats["empty"] += 1


async def _drive(base_url: str, path: str, targets: list[Target], connections: int,
                 seconds: float, max_requests: int) -> dict[str, Any]:
    stats: dict[str, Any] = {"requests": 0, "non200": 0, "empty": 0, "socket_errors": 0,
                             "timeouts": 0, "versions": {}}
    latencies: list[float] = []
    cycle = itertools.cycle(targets)
    limits = httpx.Limits(max_connections=connections)
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=300) as http:
        await asyncio.gather(*(
            _client(http, path, cycle, stats, latencies, (started + seconds, max_requests))
            for _ in range(connections)))
    stats["span_us"] = int((time.perf_counter() - started) * 1e6)
    micros = np.array(latencies or [0.0]) * 1e6
    stats.update({f"p{q}_us": int(np.percentile(micros, q)) for q in (50, 95, 99)})
    stats["mean_us"] = round(float(micros.mean()), 1)
    return stats


def run_python_load(base_url: str, path: str, targets: list[Target], connections: int,
                    seconds: float, max_requests: int) -> dict[str, Any]:
    """`connections` concurrent clients cycling through `targets`, bounded by time and count."""
    host = urlsplit(base_url).hostname
    if host not in LOOPBACK_HOSTS:
        raise ValueError(f"{base_url}: the Python load generator only targets loopback")
    stats = asyncio.run(_drive(base_url, path, targets, connections, seconds, max_requests))
    stats["rps"] = round(stats["requests"] / max(stats["span_us"] / 1e6, 1e-6), 1)
    stats["errors"] = stats["non200"] + stats["socket_errors"] + stats["timeouts"]
    return stats
