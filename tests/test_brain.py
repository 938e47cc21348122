"""Brain loading fails loudly; analysis and suggestion use the stages present."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from salesbrain.brain import Brain, BrainLoadError, write_manifest
from salesbrain.jobs.train_compliance import run as train_compliance
from salesbrain.schema import Conversation, Message, Role, Turn


def conversation() -> Conversation:
    ts = datetime(2026, 10, 1, tzinfo=UTC)
    messages = (
        Message("m1", "g1", "c1", Role.CUSTOMER, ts, text="这款有39码吗"),
        Message("m2", "g1", "c1", Role.GUIDE, ts, text="有的，加我私人微信发你图"),
    )
    return Conversation("cv1", "g1", "c1", messages)


def test_missing_or_broken_brain_fails(tmp_path: Path) -> None:
    with pytest.raises(BrainLoadError, match="not a brain directory"):
        Brain.from_pretrained(tmp_path)
    write_manifest(tmp_path, "v1", ["compliance"], {})
    with pytest.raises(BrainLoadError, match="cannot load stage"):
        Brain.from_pretrained(tmp_path)


def test_compliance_only_brain_analyzes(tmp_path: Path) -> None:
    train_compliance("small", tmp_path, tmp_path)
    write_manifest(tmp_path, "v1", ["compliance"], {})
    brain = Brain.from_pretrained(tmp_path)
    assert brain.version == "v1" and brain.stage_names == ("compliance",)
    analysis = brain.analyze(conversation())
    assert [c.msgid for c in analysis.compliance] == ["m2"]
    assert analysis.compliance[0].hits[0].category == "off_platform"
    assert analysis.intents == [] and analysis.outcome is None
    result = brain.suggest([Turn(Role.CUSTOMER, "在吗")])
    assert result.suggestions == [] and result.intent is None
