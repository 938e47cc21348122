"""`salesbrain train --engine ray`: every stage's job as its own Ray task, all at once.

The stages learn independently of each other, so each task runs the same job as the in-process
trainer (`train.train_stage`), into a scratch directory of its own worker, and sends back the
files of its stage directory; the driver writes them into the one brain directory. The
manifest, evaluation and promotion that follow are the in-process trainer's, unchanged. A task
whose worker dies is run again by Ray (three times at most). A job's scratch files (prepared
data) stay with its worker and are deleted with it.

Every worker must reach the shared data directory by the same path and the store by the same
URL. Needs the `ray` extra: `pip install 'salesbrain[ray]'`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from salesbrain.db import Database
from salesbrain.ray_analysis import ray_cluster, worker_url


def train_stages_on_ray(
    stages: Sequence[str], preset: str, brain_dir: Path, data_dir: Path, device: str,
    store: Database, *, address: str | None = None,
) -> dict[str, float]:
    """Train `stages` in parallel Ray tasks into `brain_dir`; seconds each took."""
    import ray

    cpus = min(len(stages), os.cpu_count() or 1)
    with ray_cluster(address, cpus):
        task = ray.remote(num_cpus=1, max_retries=3)(train_stage_files)
        refs = {name: task.remote(name, preset, str(Path(data_dir).resolve()), device,
                                  worker_url(store), store.tenant) for name in stages}
        timings = {}
        for name, ref in refs.items():
            seconds, files = ray.get(ref)
            write_stage(Path(brain_dir) / name, files)
            timings[name] = seconds
    return timings


def train_stage_files(name: str, preset: str, data_dir: str, device: str, db_url: str,
                      tenant: str) -> tuple[float, dict[str, bytes]]:
    """Train one stage in a scratch directory; (seconds, its stage directory's files)."""
    from salesbrain.jobs.train import train_stage

    context = {"store": Database.open(db_url, tenant, upgrade=False), "tenant": tenant}
    with tempfile.TemporaryDirectory(prefix=f"salesbrain-{name}-") as scratch:
        seconds = train_stage(name, preset, Path(scratch), Path(data_dir), device, context)
        stage_dir = Path(scratch) / name
        files = {path.relative_to(stage_dir).as_posix(): path.read_bytes()
                 for path in sorted(stage_dir.rglob("*")) if path.is_file()}
    return seconds, files


def write_stage(stage_dir: Path, files: dict[str, bytes]) -> None:
    if not files:
        raise RuntimeError(f"{stage_dir.name}: the training job wrote no stage directory")
    for relative, content in files.items():
        target = stage_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
