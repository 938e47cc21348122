"""The demo brand, end to end: simulate, ingest, train (small preset), analyse, serve.

    salesbrain demo                 # what `make demo` runs
    salesbrain demo --no-serve      # build everything, print the keys, do not start the server

Everything lives under `var/demo/` (database, brand files) and `models/brains/` (the brain).
Re-running reuses the simulated brand and the database: ingestion is idempotent.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from salesbrain.analysis import analyze_store
from salesbrain.db import Database
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.jobs.train import train_brain
from salesbrain.registry import BrainRegistry
from salesbrain.security import create_api_key
from salesbrain.simulate import simulate_brand

TENANT = "demo"
BRAND: dict[str, Any] = {"guides": 40, "customers": 2000, "days": 30, "seed": 0}


def step(message: str) -> None:
    print(f"[demo] {message}", flush=True)


def build_demo(out_dir: Path) -> tuple[str, Database]:
    brand_dir = out_dir / "brand"
    db_url = f"sqlite:///{(out_dir / 'salesbrain.db').resolve()}"
    # A brand simulated before the simulator wrote a member file is simulated again (same bytes).
    if not all((brand_dir / name).is_file() for name in ("archive.jsonl", "members.csv")):
        step(f"simulating a brand of {BRAND['guides']} guides and {BRAND['customers']} customers")
        simulate_brand(brand_dir, **BRAND)
    store = Database.open(db_url, TENANT)
    ingestor = Ingestor(store, progress=True)
    ingestor.ingest_brand_tables(brand_dir)
    summary = ingestor.ingest_messages(brand_dir / "archive.jsonl", "wecom")
    step(f"ingested: {summary.as_dict()}")
    return db_url, store


def train_demo_brain(db_url: str) -> Path:
    registry = BrainRegistry()
    if registry.live_version() is not None:
        step(f"using the live brain {registry.live_version()} (delete models/ to retrain)")
        return registry.live_dir()
    # The demo brain is not evaluated: held-out evaluation is for brains that may be promoted
    # over another, and it would double the demo's wait.
    step("training the small preset on the CPU (several minutes on 2 cores)")
    started = time.perf_counter()
    brain_dir = train_brain(preset="small", db=db_url, tenant=TENANT, evaluate=False)
    step(f"trained {brain_dir.name} in {time.perf_counter() - started:.0f} s")
    return brain_dir


def demo_keys(store: Database) -> dict[str, str]:
    guide = store.guides()[0]
    return {
        f"guide ({guide.guide_id})": create_api_key(
            store, "guide", guide_id=guide.guide_id, label="demo"
        ),
        f"manager (store {guide.store_id})": create_api_key(
            store, "manager", store_ids=[guide.store_id], label="demo"
        ),
        "admin": create_api_key(store, "admin", label="demo"),
    }


def run_demo(
    out_dir: Path = Path("var/demo"), port: int = 8000, serve: Callable[..., None] | None = None
) -> None:
    """Build the demo; then, given `serve` (the service's `run`), serve it on `port`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    db_url, store = build_demo(out_dir)
    brain_dir = train_demo_brain(db_url)
    step(f"analysed: {analyze_store(store, brain_dir, progress=True)}")
    keys = demo_keys(store)
    base = f"http://127.0.0.1:{port}"
    lines = [
        f"manager pages:   {base}/",
        f"guide workbench: {base}/workbench",
        f"API docs:        {base}/docs",
        f"health:          {base}/healthz",
        *(f"API key {role}: {secret}" for role, secret in keys.items()),
    ]
    for line in lines:
        step(line)
    if serve is not None:
        os.environ["SALESBRAIN_DB"] = db_url
        serve(brain=brain_dir, host="127.0.0.1", port=port, db=db_url)
