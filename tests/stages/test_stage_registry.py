"""The stage registry: each stage listed once, in order, and registered under its own name."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesbrain.artifacts import read_json
from salesbrain.brain import write_manifest
from salesbrain.stages import STAGE_MODULES, STAGE_ORDER, load_all_stages, register_stage
from salesbrain.stages.compliance import ComplianceStage


def test_every_listed_stage_registers_under_its_name() -> None:
    stages = load_all_stages()
    assert set(stages) == set(STAGE_ORDER) == set(STAGE_MODULES)
    for name, cls in stages.items():
        assert cls.name == name and cls.__module__ == STAGE_MODULES[name]


def test_a_stage_missing_from_the_list_or_misnamed_is_refused() -> None:
    with pytest.raises(ValueError, match="not listed"):
        register_stage("tone")(ComplianceStage)
    with pytest.raises(ValueError, match="named 'compliance'"):
        register_stage("intent")(type("IntentStage", (ComplianceStage,),
                                      {"__module__": "salesbrain.stages.intent"}))


def test_the_manifest_lists_stages_in_registry_order(tmp_path: Path) -> None:
    write_manifest(tmp_path, "v1", ["suggest", "compliance", "intent"], {})
    assert read_json(tmp_path / "brain.json")["stages"] == ["compliance", "intent", "suggest"]
