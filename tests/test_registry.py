"""Brain registry: promotion guarded by eval results, rollback, live brain resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesbrain.artifacts import write_json
from salesbrain.brain import write_manifest
from salesbrain.registry import BrainRegistry, PromotionRefused, compare_eval, resolve_brain_dir


def make_brain(root: Path, version: str, macro_f1: float | None) -> None:
    directory = root / "brains" / version
    write_manifest(directory, version, ["compliance"], {})
    if macro_f1 is not None:
        write_json(directory / "eval_results.json", {"intent@abc": {"macro_f1": macro_f1, "n": 10}})


def test_promote_refuses_a_worse_candidate_and_rollback_restores(tmp_path: Path) -> None:
    registry = BrainRegistry(tmp_path)
    make_brain(tmp_path, "v1", 0.80)
    make_brain(tmp_path, "v2", 0.70)
    make_brain(tmp_path, "v3", 0.82)
    registry.promote("v1")
    with pytest.raises(PromotionRefused, match="intent@abc.macro_f1"):
        registry.promote("v2")
    assert registry.live_version() == "v1"
    registry.promote("v3")
    assert registry.live_dir() == tmp_path / "brains" / "v3"
    assert registry.rollback() == "v1"
    with pytest.raises(ValueError, match="nothing to roll back"):
        registry.rollback()


def test_force_and_unknown_versions(tmp_path: Path) -> None:
    registry = BrainRegistry(tmp_path)
    make_brain(tmp_path, "v1", 0.8)
    make_brain(tmp_path, "v2", 0.1)
    registry.promote("v1")
    registry.promote("v2", force=True)
    assert registry.live_version() == "v2"
    with pytest.raises(FileNotFoundError):
        registry.promote("nope")
    assert registry.versions() == ["v1", "v2"]


def test_compare_eval_only_on_shared_sets_and_direction() -> None:
    live = {"a": {"macro_f1": 0.8, "latency_p95_ms": 100.0}, "b": {"accuracy": 0.9}}
    candidate = {"a": {"macro_f1": 0.8, "latency_p95_ms": 130.0}, "c": {"accuracy": 0.1}}
    assert compare_eval(live, candidate) == ["a.latency_p95_ms 130.0000 vs 100.0000"]


def test_resolve_without_live_brain_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no live brain"):
        resolve_brain_dir(None, BrainRegistry(tmp_path))
    assert resolve_brain_dir(tmp_path / "x") == tmp_path / "x"
