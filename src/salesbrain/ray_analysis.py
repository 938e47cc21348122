"""`salesbrain analyze --engine ray`: the in-process labelling, spread over Ray actors.

The driver lists the conversations that need analysis and splits their ids into batches,
exactly as the in-process engine does. Each actor opens the store and loads the brain once, then
runs the in-process engine's own step, `analysis.analyze_batch`, on each batch it is handed:
read those conversations, analyse them, replace their labels in one transaction. A batch run
twice replaces its own labels, so when a worker dies mid-batch Ray restarts the actor (which
loads the brain again) and runs the batch again: nothing is lost and nothing doubled.

Every worker must reach the store and the brain directory by the same URL and path: one
machine (a local cluster, the default; SQLite works there), or a cluster sharing a PostgreSQL
database and a brain directory on shared storage (`--address auto`).

Needs the `ray` extra: `pip install 'salesbrain[ray]'`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from tqdm import tqdm

from salesbrain.analysis import (
    analysis_report,
    analyze_batch,
    attributed_conversations,
    batches,
    brain_settings,
    pending_conversations,
)
from salesbrain.artifacts import read_json
from salesbrain.brain import MANIFEST, Brain, BrainLoadError
from salesbrain.db import Database
from salesbrain.scoring.materialise import ensure_materialised

# How often a batch is run again, and its actor restarted, after its worker process died.
RETRIES = 3


class Labeller:
    """One worker: opens the store and loads the brain once, then labels a batch per call."""

    def __init__(self, db_url: str, tenant: str, brain_dir: str, precision: str | None) -> None:
        self.store = Database.open(db_url, tenant, upgrade=False)
        # A brain that does not load is reported by `settings`, not raised here: Ray would
        # bury it in its own traceback, and the driver names it in one line instead.
        self.brain: Brain | None = None
        self.load_error = ""
        try:
            self.brain = Brain.from_pretrained(Path(brain_dir), precision=precision)
        except BrainLoadError as error:
            self.load_error = str(error)

    def label(self, conversation_ids: list[str], attributed: list[str]) -> tuple[int, int]:
        """(conversations, messages) labelled; the batch's old labels are replaced."""
        if self.brain is None:
            raise BrainLoadError(self.load_error)
        return analyze_batch(self.store, self.brain, conversation_ids, set(attributed))

    def settings(self) -> dict[str, Any]:
        """How the brain runs here, or {"error": why it did not load}."""
        import torch

        if self.brain is None:
            return {"error": self.load_error}
        return {**brain_settings(self.brain), "threads": torch.get_num_threads()}


def analyze_store_on_ray(
    store: Database, brain_dir: Path, *, address: str | None = None, workers: int = 2,
    batch_size: int = 64, precision: str | None = None, progress: bool = False,
    retries: int = RETRIES, labeller: type[Labeller] = Labeller,
) -> dict[str, Any]:
    """Analyse what changed on `workers` Ray actors; returns the in-process report's counts.

    `address` joins a running cluster ("auto": the one on this machine's node); without it a
    local cluster of `workers` CPUs is started for the run and shut down after.
    """
    if workers <= 0:
        raise ValueError("workers must be positive")
    version = manifest_version(brain_dir)
    started = time.perf_counter()
    pending = pending_conversations(store, version)
    if not pending:
        return {**analysis_report(version, 0, 0, time.perf_counter() - started),
                "engine": "ray", "workers": 0, "dashboard": ensure_materialised(store)}
    attributed = attributed_conversations(store)
    jobs = [(ids, sorted(attributed.intersection(ids))) for ids in batches(pending, batch_size)]
    with ray_cluster(address, workers):
        actors = start_labellers(labeller, workers=min(workers, len(jobs)), retries=retries,
                                 args=(worker_url(store), store.tenant,
                                       str(Path(brain_dir).resolve()), precision))
        settings = loaded_settings(actors)
        counts = run_batches(actors, jobs, total=len(pending), progress=progress)
    report = {**analysis_report(version, counts[0], counts[1], time.perf_counter() - started),
              **settings, "engine": "ray", "workers": len(actors)}
    # the dashboard is materialised once, here, from the labels every actor wrote
    report["dashboard"] = ensure_materialised(store)
    return report


def run_batches(actors: list[Any], jobs: list[tuple[list[str], list[str]]], *, total: int,
                progress: bool) -> tuple[int, int]:
    """Hand each batch to the next free actor; (conversations, messages) labelled in all."""
    from ray.util import ActorPool

    done = [0, 0]
    pool = ActorPool(actors)
    with tqdm(total=total, unit="conv", disable=not progress, desc="analyze (ray)") as bar:
        for n_conversations, n_messages in pool.map_unordered(
                lambda actor, job: actor.label.remote(*job), jobs):
            done[0] += n_conversations
            done[1] += n_messages
            bar.update(n_conversations)
    return done[0], done[1]


def start_labellers(labeller: type[Labeller], *, workers: int, retries: int,
                    args: tuple[Any, ...]) -> list[Any]:
    import ray

    # A killed worker restarts its actor and reruns the call it was in (max_task_retries).
    actor = ray.remote(labeller).options(num_cpus=1, max_restarts=retries,
                                         max_task_retries=retries)
    return [actor.remote(*args) for _ in range(workers)]


@contextmanager
def ray_cluster(address: str | None, workers: int) -> Iterator[None]:
    """Ray as the caller left it: joined or started here, and shut down here only if so."""
    import ray

    if ray.is_initialized():
        yield
        return
    if address:
        ray.init(address=address, logging_level=logging.WARNING)
    else:
        ray.init(num_cpus=workers, include_dashboard=False, logging_level=logging.WARNING)
    try:
        yield
    finally:
        ray.shutdown()


def manifest_version(brain_dir: Path) -> str:
    """The brain's version from its manifest, without loading its models on the driver."""
    try:
        return str(read_json(Path(brain_dir) / MANIFEST)["version"])
    except (FileNotFoundError, ValueError, KeyError) as error:
        raise BrainLoadError(f"{brain_dir}: not a brain directory ({error})") from error


def worker_url(store: Database) -> str:
    """The store's URL as a worker elsewhere opens it: an SQLite path made absolute."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise ValueError("an in-memory SQLite store cannot be shared with Ray workers")
        url = url.set(database=str(Path(str(url.database)).resolve()))
    return make_url(url).render_as_string(hide_password=False)


def loaded_settings(actors: list[Any]) -> dict[str, Any]:
    """The first worker's settings, once every worker has loaded the brain; else why not."""
    import ray

    reports = ray.get([actor.settings.remote() for actor in actors])
    for report in reports:
        if "error" in report:
            raise BrainLoadError(report["error"])
    return dict(reports[0])
