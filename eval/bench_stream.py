"""Live workbench latency: a customer message posted to POST /v1/messages until its suggestions
arrive on the guide's GET /v1/stream.

    python -m eval.bench_stream [--brain models/brains/VERSION] [--messages 200]

Without --brain the server runs a tiny real brain (the compliance stage only: the suggestion
stage abstains, so this measures the pipeline without the ranker); pass a trained brain to
include ranking. The app runs under uvicorn in this process on loopback, so the client shares
the interpreter with the server and the numbers are an upper bound. Prints p50/p95/max of
`accepted` (the POST answered, to the push) and `posted` (the POST sent, to the push).
"""

from __future__ import annotations

import argparse
import json
import queue
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import torch
import uvicorn

from eval.serving import free_port, tiny_brain
from salesbrain.db import Database
from salesbrain.db.access import revoke_api_key
from salesbrain.security import create_api_key, key_id_of
from service.core.brains import load_brain
from service.core.config import Settings
from service.main import create_app

GUIDE, CUSTOMER = "g1", "wmBench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brain", type=Path, default=None)
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        brain_dir = args.brain or tiny_brain(root / "brain", "bench")
        store = Database.open(f"sqlite:///{root / 'bench.db'}", tenant="demo")
        keys = {role: create_api_key(store, role, **scope) for role, scope in
                (("guide", {"guide_id": GUIDE}), ("admin", {}))}
        settings = Settings(db_url=f"sqlite:///{root / 'bench.db'}", models_root=root / "models",
                            rate_per_second=10_000, rate_burst=10_000, stream_recheck_s=0.2)
        app = create_app(settings, load_brain(brain_dir))
        with serving(app) as base_url:
            latencies, listener = measure(base_url, keys, args.messages)
            # Revoking the key is what closes a stream: the server then shuts down cleanly.
            revoke_api_key(store, key_id_of(keys["guide"]))
            listener.join(timeout=10)
        report(latencies, brain_dir)


def measure(base_url: str, keys: dict[str, str],
            n: int) -> tuple[dict[str, list[float]], threading.Thread]:
    pushed: queue.Queue[float] = queue.Queue()
    token = httpx.post(base_url + "/v1/stream/token",
                       headers={"Authorization": f"Bearer {keys['guide']}"}).json()["token"]
    listener = threading.Thread(target=listen, daemon=True,
                                args=(base_url + "/v1/stream?token=" + token, pushed))
    listener.start()
    time.sleep(0.5)
    admin = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {keys['admin']}"})
    posted_s, accepted_s = [], []
    start_ms = int(time.time() * 1000)
    for i in range(n):
        record = {"msgid": f"bench-{i}", "guide_id": GUIDE, "customer_id": CUSTOMER,
                  "role": "customer", "ts": start_ms + i * 1000, "text": f"这件外套有M码吗 {i}"}
        sent = time.perf_counter()
        response = admin.post("/v1/messages", json={"format": "plain", "records": [record]})
        accepted = time.perf_counter()
        response.raise_for_status()
        arrived = pushed.get(timeout=30)
        posted_s.append(arrived - sent)
        accepted_s.append(arrived - accepted)
    return {"posted": posted_s, "accepted": accepted_s}, listener


def listen(url: str, pushed: queue.Queue[float]) -> None:
    with httpx.stream("GET", url, timeout=None) as response:
        for line in response.iter_lines():
            if line == "event: suggestions":
                pushed.put(time.perf_counter())


class serving:
    """uvicorn on a free loopback port in a thread, for the length of a `with`."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning",
                                                    timeout_graceful_shutdown=1))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def report(latencies: dict[str, list[float]], brain_dir: Path) -> None:
    summary: dict[str, Any] = {"brain": str(brain_dir), "messages": len(latencies["posted"])}
    for name, values in latencies.items():
        ms = np.array(values) * 1000
        summary[name] = {"p50_ms": round(float(np.percentile(ms, 50)), 1),
                         "p95_ms": round(float(np.percentile(ms, 95)), 1),
                         "max_ms": round(float(ms.max()), 1)}
    print(json.dumps(summary, ensure_ascii=False))  # noqa: T201


if __name__ == "__main__":
    main()
