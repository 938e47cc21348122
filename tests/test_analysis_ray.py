"""`salesbrain analyze --engine ray`: the same labels as in-process, and none lost or doubled
when a worker dies mid-batch. Needs the `ray` extra; without it these tests skip, except the
one checking that the command says what to install."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from salesbrain.analysis import analyze_store
from salesbrain.cli import app
from salesbrain.db import Database
from salesbrain.db import tables as t
from salesbrain.ingest.pipeline import Ingestor
from tests.test_analysis import CHATS, build_tiny_brain, write_chats

ROOT = Path(__file__).resolve().parents[1]
N_CONVERSATIONS = 7
BATCH = 2  # four batches, so both workers get several


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'salesbrain[ray]'")
    # Workers import this module as pytest named it (the dying labeller is defined here).
    path = os.pathsep.join(str(p) for p in (ROOT, ROOT / "src", Path(__file__).parent))
    ray.init(num_cpus=2, include_dashboard=False, runtime_env={"env_vars": {"PYTHONPATH": path}})
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def brain_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_brain(tmp_path_factory.mktemp("brain"))


def chats_store(path: Path) -> Database:
    """Seven two-message conversations; every other guide reply has a compliance hit."""
    rows = []
    for n in range(N_CONVERSATIONS):
        for _, role, ts, text in CHATS[(n % 2) * 2 : (n % 2) * 2 + 2]:
            rows.append((f"cv{n}", role, f"2026-10-{n + 10:02d}{ts[10:]}", text))
    store = Database.open(f"sqlite:///{path}", "acme")
    Ingestor(store).ingest_messages(write_chats(path.with_suffix(".jsonl"), rows), "jsonl")
    return store


def stored_labels(store: Database) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every label row but its time stamp, in a fixed order."""
    lab, ml = t.conversation_labels.c, t.message_labels.c
    with store.engine.connect() as conn:
        conversations = conn.execute(
            select(lab.conversation_id, lab.outcome, lab.sentiment, lab.quality,
                   lab.compliance_hits, lab.brain_version)
            .where(lab.tenant == store.tenant).order_by(lab.conversation_id)).all()
        messages = conn.execute(
            select(ml.msgid, ml.intent, ml.probability, ml.uncertain, ml.compliance,
                   ml.brain_version)
            .where(ml.tenant == store.tenant).order_by(ml.msgid)).all()
    return [tuple(r) for r in conversations], [tuple(r) for r in messages]


def assert_same_labels(ray_store: Database, process_store: Database) -> None:
    got, want = stored_labels(ray_store), stored_labels(process_store)
    assert got[0] == want[0]
    assert [row[:2] + row[3:] for row in got[1]] == [row[:2] + row[3:] for row in want[1]]
    # Probabilities may differ in the last bits: workers run torch on one thread each.
    assert [row[2] for row in got[1]] == pytest.approx([row[2] for row in want[1]], abs=1e-4)


@pytest.fixture(scope="module")
def in_process(brain_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Database:
    store = chats_store(tmp_path_factory.mktemp("process") / "s.db")
    report = analyze_store(store, brain_dir, batch_size=BATCH)
    assert report["conversations"] == N_CONVERSATIONS
    return store


@pytest.mark.slow  # fine-tunes a tiny intent model and starts a Ray cluster
def test_ray_labels_equal_in_process_labels(
        ray_cluster: Any, brain_dir: Path, in_process: Database, tmp_path: Path) -> None:
    from salesbrain.ray_analysis import analyze_store_on_ray

    store = chats_store(tmp_path / "s.db")
    report = analyze_store_on_ray(store, brain_dir, workers=2, batch_size=BATCH)
    assert (report["conversations"], report["workers"]) == (N_CONVERSATIONS, 2)
    assert report["messages"] == 2 * N_CONVERSATIONS
    assert_same_labels(store, in_process)
    assert len(stored_labels(store)[1]) > N_CONVERSATIONS  # intents and compliance hits
    again = analyze_store_on_ray(store, brain_dir, workers=2, batch_size=BATCH)
    assert again["conversations"] == 0  # nothing changed since


def dies_once(marker: Path, when: str) -> type:
    """A labeller whose worker process exits, once in the whole run, before or after saving
    its first batch (the marker file says it has happened)."""
    from salesbrain.ray_analysis import Labeller

    class DiesOnce(Labeller):
        def label(self, conversation_ids: list[str], attributed: list[str]) -> tuple[int, int]:
            first = _claim(marker)
            if first and when == "before saving":
                os._exit(1)
            done = super().label(conversation_ids, attributed)
            if first and when == "after saving":
                os._exit(1)
            return done

    return DiesOnce


def _claim(marker: Path) -> bool:
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


@pytest.mark.slow  # fine-tunes a tiny intent model and starts a Ray cluster
@pytest.mark.parametrize("when", ["before saving", "after saving"])
def test_a_killed_worker_has_its_batch_redone_nothing_lost_or_doubled(
        ray_cluster: Any, brain_dir: Path, in_process: Database, tmp_path: Path,
        when: str) -> None:
    from salesbrain.ray_analysis import analyze_store_on_ray

    store, marker = chats_store(tmp_path / "s.db"), tmp_path / "died"
    report = analyze_store_on_ray(store, brain_dir, workers=2, batch_size=BATCH,
                                  labeller=dies_once(marker, when))
    assert marker.exists()  # a worker did die
    assert report["conversations"] == N_CONVERSATIONS  # each batch counted once
    assert len(stored_labels(store)[0]) == N_CONVERSATIONS
    assert_same_labels(store, in_process)


@pytest.mark.slow  # starts a Ray cluster
def test_analyze_command_runs_on_ray(ray_cluster: Any, tmp_path: Path) -> None:
    from salesbrain.brain import write_manifest
    from salesbrain.jobs.train_compliance import run as train_compliance

    brain = tmp_path / "rules"
    train_compliance("small", brain, brain)
    write_manifest(brain, "rules1", ["compliance"], {})
    chats_store(tmp_path / "s.db")
    result = CliRunner().invoke(app, ["analyze", "--engine", "ray", "--brain", str(brain),
                                      "--db", f"sqlite:///{tmp_path / 's.db'}",
                                      "--tenant", "acme"])
    assert result.exit_code == 0, result.output
    assert f"analysed {N_CONVERSATIONS} conversations" in result.stdout
    assert "on 1 Ray worker," in result.stdout  # one batch of 64 needs no second worker


def test_analyze_on_ray_without_ray_says_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from salesbrain.brain import write_manifest

    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    write_manifest(tmp_path / "b", "v1", ["compliance"], {})
    result = CliRunner().invoke(app, ["analyze", "--engine", "ray", "--brain",
                                      str(tmp_path / "b"), "--db", f"sqlite:///{tmp_path}/s.db"])
    assert result.exit_code == 1 and "pip install 'salesbrain[ray]'" in result.output


@pytest.mark.slow  # starts a Ray cluster
def test_a_brain_the_workers_cannot_load_is_named_and_nothing_is_labelled(
        ray_cluster: Any, tmp_path: Path) -> None:
    from salesbrain.brain import BrainLoadError, write_manifest
    from salesbrain.ray_analysis import analyze_store_on_ray

    write_manifest(tmp_path / "b", "v1", ["compliance"], {})  # lists a stage it does not hold
    store = chats_store(tmp_path / "s.db")
    with pytest.raises(BrainLoadError, match="compliance: cannot load stage"):
        analyze_store_on_ray(store, tmp_path / "b", workers=1)
    assert stored_labels(store) == ([], [])
