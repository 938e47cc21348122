"""`salesbrain train --engine ray`: each stage trained as a Ray task, its files gathered into
the one brain directory, manifest and gate as in-process. Needs the `ray` extra."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from salesbrain.brain import Brain
from salesbrain.jobs.train import train_brain

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'salesbrain[ray]'")
    path = os.pathsep.join(str(p) for p in (ROOT, ROOT / "src"))
    ray.init(num_cpus=2, include_dashboard=False, runtime_env={"env_vars": {"PYTHONPATH": path}})
    yield ray
    ray.shutdown()


def files_of(directory: Path) -> dict[str, Any]:
    """Every file's content; version.json without its wall-clock stamp, which two trainings
    seconds apart cannot share."""
    files: dict[str, Any] = {}
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(directory).as_posix()
        if path.name == "version.json":
            version = json.loads(path.read_text(encoding="utf-8"))
            assert version.pop("created_at")
            files[name] = version
        else:
            files[name] = path.read_bytes()
    return files


@pytest.mark.slow  # starts a Ray cluster
def test_stages_trained_as_ray_tasks_make_the_in_process_brain(
        ray_cluster: Any, tmp_path: Path) -> None:
    options: dict[str, Any] = {
        "preset": "small", "data_dir": tmp_path / "no-shared-data", "stages": ("compliance",),
        "db": f"sqlite:///{tmp_path / 'store.db'}"}
    on_ray = train_brain(out_dir=tmp_path / "ray", engine="ray", **options)
    in_process = train_brain(out_dir=tmp_path / "process", **options)
    assert sorted(p.name for p in on_ray.iterdir()) == ["brain.json", "compliance",
                                                         "eval_results.json"]
    assert files_of(on_ray / "compliance") == files_of(in_process / "compliance")
    manifest = json.loads((on_ray / "brain.json").read_text(encoding="utf-8"))
    assert manifest["stages"] == ["compliance"] and "compliance" in manifest["train_seconds"]
    assert Brain.from_pretrained(on_ray).stage_names == ("compliance",)


def test_an_unknown_engine_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'spark'"):
        train_brain(out_dir=tmp_path / "b", engine="spark", stages=("compliance",),
                    db=f"sqlite:///{tmp_path / 'store.db'}")
