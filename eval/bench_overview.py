"""p50 and p95 latency of the manager's overview routes on a simulated brand.

Every route is measured twice, each time on a freshly started service: first as the
service scores on request (no snapshot), then after `materialise_dashboard` (what
`salesbrain analyze` runs at its end) stored the snapshots the service reads instead.

Run:
    .venv/bin/python -m eval.bench_overview                        # 40 guides, 2000 customers
    .venv/bin/python -m eval.bench_overview --guides 8 --customers 200 --days 7 --repeats 20

The brand is built as in `eval.bench_dashboard` (simulated, ingested into a temporary SQLite
store, labelled with the simulator's truth) and served in-process with the real reports. Each
route is called once cold (the first call after start: facts, scores and champions' openers
computed and cached), then `--repeats` times warm; p50 and p95 are over the warm calls. The
brain is replaced by a placeholder, so recall drafts pass the shipped compliance rules. The
last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from eval.bench_dashboard import app_client, label_with_truth, timed
from eval.serving import seed_brand
from salesbrain.db import Database
from salesbrain.scoring.materialise import materialise_dashboard


def routes(store: Database) -> dict[str, str]:
    """One request per route; recall asks for the month after the brand's last order."""
    last = max(order.ts for order in store.orders())
    month = f"{last.year + last.month // 12}-{last.month % 12 + 1:02d}"
    return {"leaderboard": "/v1/leaderboard?period=month", "segments": "/v1/segments",
            "trends": "/v1/trends?period=week", "alerts": "/v1/compliance/alerts",
            "search": "/v1/conversations/search?q=羽绒服",
            "search_short": "/v1/conversations/search?q=码",
            "recall": f"/v1/recall-tasks?month={month}"}


def measure(client: Any, headers: dict[str, str], path: str, repeats: int) -> dict[str, float]:
    cold = timed(client, headers, [path])
    warm = [timed(client, headers, [path]) for _ in range(repeats)]
    return {"cold_ms": round(cold * 1000, 1),
            "p50_ms": round(float(np.percentile(warm, 50)) * 1000, 1),
            "p95_ms": round(float(np.percentile(warm, 95)) * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guides", type=int, default=40)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    from salesbrain.security import create_api_key
    from service.api.deps import get_brain

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = Database.open(f"sqlite:///{root / 'brand.db'}", tenant="bench")
        started = time.perf_counter()
        seed_brand(store, root / "brand", guides=args.guides, customers=args.customers,
                   days=args.days)
        label_with_truth(store, root / "brand")
        print(f"brand ready in {time.perf_counter() - started:.1f} s "
              f"({store.count('conversations')} conversations)")
        headers = {"X-API-Key": create_api_key(store, "admin")}
        result: dict[str, Any] = {"guides": args.guides, "customers": args.customers,
                                  "days": args.days, "conversations": store.count("conversations"),
                                  "repeats": args.repeats}
        for path_kind in ("on_request", "materialised"):
            if path_kind == "materialised":  # what `salesbrain analyze` does at its end
                result["materialise"] = materialise_dashboard(store)
            print(f"{path_kind}:")
            client = app_client(root / "brand.db")  # a fresh service: nothing in memory
            client.app.dependency_overrides[get_brain] = lambda: object()
            found_routes = result[path_kind] = {}
            with client:
                for name, path in routes(store).items():
                    found = found_routes[name] = measure(client, headers, path, args.repeats)
                    print(f"  {name:13s} cold {found['cold_ms']:8.1f} ms   p50 "
                          f"{found['p50_ms']:7.1f} ms   p95 {found['p95_ms']:7.1f} ms")
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
