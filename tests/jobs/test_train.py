"""train_brain: every stage has a job, the manifest lists what was trained, the gate's result is
written beside it, and a brain written to an explicit directory is never promoted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salesbrain.brain import STAGE_ORDER
from salesbrain.jobs.train import JOBS, train_brain


def test_every_stage_has_a_training_job() -> None:
    assert list(JOBS) == list(STAGE_ORDER)
    assert all(callable(job.run) and job.PRESETS for job in JOBS.values())


def test_train_brain_writes_the_manifest_and_the_gate_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESBRAIN_MODELS", str(tmp_path / "models"))
    out = tmp_path / "brain"
    brain_dir = train_brain(
        preset="small", data_dir=tmp_path / "no-shared-data", out_dir=out,
        db=f"sqlite:///{tmp_path / 'store.db'}", stages=("compliance",),
    )
    manifest = json.loads((brain_dir / "brain.json").read_text(encoding="utf-8"))
    assert brain_dir == out
    assert manifest["stages"] == ["compliance"] and manifest["preset"] == "small"
    assert sorted(p.name for p in out.iterdir()) == ["brain.json", "compliance",
                                                      "eval_results.json"]
    # without the shared data nothing is evaluated, and the gate says so with an empty result
    assert json.loads((out / "eval_results.json").read_text(encoding="utf-8")) == {}
    assert not (tmp_path / "models").exists()


def test_unknown_preset_fails_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'tiny'"):
        train_brain(preset="tiny", out_dir=tmp_path / "brain")
