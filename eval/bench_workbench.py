"""How soon the guide's workbench is usable on a brand's store, in headless Chromium.

    salesbrain simulate --out var/sim && salesbrain ingest var/sim/archive.jsonl \\
        --guides var/sim/guides.csv --orders var/sim/orders.csv --db sqlite:///var/sim.db
    python -m eval.bench_workbench --db sqlite:///var/sim.db [--brain models/brains/VERSION]

Takes the guide with the most conversations, serves the app on loopback (a tiny real brain
unless --brain is given) and measures, over --runs page loads: the page opened with her key
until her inbox is shown, and until the live stream is connected; and a click on her latest
conversation until the chat and its suggestion panel are shown. Prints milliseconds.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from eval.bench_stream import serving
from eval.serving import tiny_brain
from salesbrain.db import Database
from salesbrain.security import create_api_key
from service.core.brains import load_brain
from service.core.config import Settings
from service.main import create_app

CHROMIUM = "/usr/bin/chromium"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--tenant", default="demo")
    parser.add_argument("--brain", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    store = Database.open(args.db, tenant=args.tenant)
    guide, n = Counter(c.guide_id for c in store.conversations()).most_common(1)[0]
    key = create_api_key(store, "guide", guide_id=guide, label="bench_workbench")
    with tempfile.TemporaryDirectory() as tmp:
        brain_dir = args.brain or tiny_brain(Path(tmp) / "brain", "bench")
        app = create_app(Settings(db_url=args.db, operator_tenant=args.tenant,
                                  models_root=Path(tmp) / "models", stream_recheck_s=0.5),
                         load_brain(brain_dir))
        with serving(app) as base_url:
            inbox_ms, live_ms, chat_ms = measure(base_url, key, args.runs)
    print(json.dumps({"guide": guide, "conversations": n, "runs": args.runs,  # noqa: T201
                      "inbox_ms": summary(inbox_ms), "live_ms": summary(live_ms),
                      "chat_ms": summary(chat_ms)}))


def measure(base_url: str, key: str,
            runs: int) -> tuple[list[float], list[float], list[float]]:
    from playwright.sync_api import sync_playwright

    inbox_ms, live_ms, chat_ms = [], [], []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])
        for _ in range(runs):
            page = browser.new_context().new_page()
            page.goto(base_url + "/workbench")
            page.evaluate("key => sessionStorage.setItem('salesbrain.key', key)", key)
            started = time.perf_counter()
            page.reload()
            page.wait_for_selector("#inbox li[data-conversation]")
            inbox_ms.append((time.perf_counter() - started) * 1000)
            page.wait_for_selector("#live:not(.off)")
            live_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            page.click("#inbox li[data-conversation]")
            page.wait_for_selector("#messages li")
            page.wait_for_selector("#suggestions .card, #suggestions p")
            chat_ms.append((time.perf_counter() - started) * 1000)
            page.context.close()
        browser.close()
    return inbox_ms, live_ms, chat_ms


def summary(values: list[float]) -> dict[str, float]:
    return {"median": round(float(np.median(values)), 1), "max": round(max(values), 1)}


if __name__ == "__main__":
    main()
