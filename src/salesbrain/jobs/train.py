"""Train every stage and assemble a brain directory, then evaluate it on held-out data.

    salesbrain train --preset small            # a few minutes on 2 CPU cores (tests, demo)
    salesbrain train --preset benchmark        # the preset whose numbers are reported
    python -m salesbrain.jobs.train --preset small --out /tmp/brain

Each stage's job lives in `salesbrain/jobs/train_<stage>.py` and exposes `PRESETS` and
`run(preset, out_dir, data_dir, device, **context)`; jobs that learn from the tenant's own
conversations take the store through `context`. After training,
`salesbrain.evaluation.brain.evaluate_brain` measures the brain on the held-out sets and writes
`eval_results.json`, which promotion reads.
"""

from __future__ import annotations

import argparse
import inspect
import logging
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from salesbrain.artifacts import version_stamp, write_json
from salesbrain.brain import STAGE_ORDER, write_manifest
from salesbrain.db import Database
from salesbrain.evaluation.brain import evaluate_brain
from salesbrain.jobs import (
    train_compliance,
    train_intent,
    train_outcome,
    train_quality,
    train_sentiment,
    train_suggest,
)
from salesbrain.paths import REPO_ROOT, models_dir, shared_data_dir
from salesbrain.registry import BrainRegistry

log = logging.getLogger("salesbrain.training")

PRESETS = ("small", "benchmark", "full")
# Stage name -> training job module. Compliance is configured, not learned, but is still a stage.
JOBS: dict[str, ModuleType] = {
    "compliance": train_compliance, "intent": train_intent, "sentiment": train_sentiment,
    "outcome": train_outcome, "quality": train_quality, "suggest": train_suggest,
}


def new_version() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def train_brain(
    preset: str = "small",
    data_dir: Path | None = None,
    out_dir: Path | None = None,
    device: str = "cpu",
    db: str | None = None,
    tenant: str = "demo",
    stages: tuple[str, ...] = STAGE_ORDER,
    promote: bool = True,
    evaluate: bool = True,
    engine: str = "process",
    address: str | None = None,
) -> Path:
    """Train `stages` into a brain directory, one after another in this process, or with
    `engine="ray"` each as its own Ray task at once (`salesbrain.jobs.train_ray`)."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    if engine not in ("process", "ray"):
        raise ValueError(f"unknown engine {engine!r}; choose process or ray")
    data_dir = Path(data_dir) if data_dir else shared_data_dir()
    version = new_version()
    brain_dir = Path(out_dir) if out_dir else models_dir() / "brains" / version
    brain_dir.mkdir(parents=True, exist_ok=True)
    store = Database.open(db, tenant)
    context = {"store": store, "tenant": tenant}

    if engine == "ray":
        from salesbrain.jobs.train_ray import train_stages_on_ray

        timings = train_stages_on_ray(stages, preset, brain_dir, data_dir, device, store,
                                      address=address)
    else:
        timings = {name: train_stage(name, preset, brain_dir, data_dir, device, context)
                   for name in stages}

    write_manifest(brain_dir, version, stages, {
        "preset": preset, "device": device, "tenant": tenant,
        "train_seconds": timings, "stamp": version_stamp(),
    })
    if evaluate:
        _evaluate(brain_dir, data_dir)
    _move_scratch(brain_dir, stages, REPO_ROOT / "var" / "train_work" / version)
    if promote and out_dir is None:
        registry = BrainRegistry()
        if registry.live_version() is None:
            registry.promote(version)
    return brain_dir


def train_stage(name: str, preset: str, brain_dir: Path, data_dir: Path, device: str,
                context: dict[str, Any]) -> float:
    """Train one stage into `brain_dir`; the seconds it took."""
    started = time.perf_counter()
    log.info("training stage %s (preset %s)", name, preset)
    run_job(name, preset, brain_dir, data_dir, device, context)
    return round(time.perf_counter() - started, 1)


def run_job(
    name: str, preset: str, brain_dir: Path, data_dir: Path, device: str, context: dict[str, Any]
) -> Path:
    job = JOBS[name]
    accepted = inspect.signature(job.run).parameters
    extra = {key: value for key, value in context.items() if key in accepted}
    return Path(job.run(preset, brain_dir, data_dir, device, **extra))


def _move_scratch(brain_dir: Path, stages: tuple[str, ...], work_dir: Path) -> None:
    """Keep the brain directory to the artifact contract; training scratch goes under var/."""
    keep = {*stages, "brain.json", "eval_results.json"}
    for entry in sorted(brain_dir.iterdir()):
        if entry.name not in keep:
            work_dir.mkdir(parents=True, exist_ok=True)
            shutil.move(str(entry), str(work_dir / entry.name))


def _evaluate(brain_dir: Path, data_dir: Path) -> None:
    results = evaluate_brain(brain_dir, data_dir)
    write_json(brain_dir / "eval_results.json", results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="small", choices=PRESETS)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--db", default=None)
    parser.add_argument("--tenant", default="demo")
    parser.add_argument("--stages", default=",".join(STAGE_ORDER))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    path = train_brain(args.preset, args.data_dir, args.out, args.device, args.db, args.tenant,
                       tuple(s for s in args.stages.split(",") if s))
    print(path)


if __name__ == "__main__":
    main()
