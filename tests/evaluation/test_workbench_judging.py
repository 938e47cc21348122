import json
from pathlib import Path

import pytest

from eval.workbench_judging import agreement, read_verdicts, verdict_shares


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_shares_per_system_and_tier_count_edits_as_acceptable() -> None:
    key = {"a": {"system": "served", "tier": "script"}, "b": {"system": "served", "tier": "script"},
           "c": {"system": "bm25", "tier": None}}
    shares = verdict_shares({"a": "as_is", "b": "wrong", "c": "after_edit"}, key)
    assert shares["served"]["acceptable"] == 0.5
    assert shares["served:script"]["wrong"] == 1
    assert shares["bm25"]["acceptable"] == 1.0
    assert "bm25:None" not in shares


def test_agreement_is_exact_share_and_kappa_corrects_for_chance() -> None:
    first = {"a": "as_is", "b": "wrong", "c": "wrong", "d": "after_edit"}
    assert agreement(first, dict(first)) == {"items": 4, "exact": 1.0, "kappa": 1.0}
    flipped = agreement(first, {"a": "wrong", "b": "as_is", "c": "wrong", "d": "after_edit"})
    assert flipped["exact"] == 0.5 and flipped["kappa"] < 0.5


def test_an_unknown_verdict_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "j.jsonl", [{"id": "a", "verdict": "as_is"},
                                        {"id": "b", "verdict": "fine"}])
    with pytest.raises(ValueError, match=r"j.jsonl:2: verdict"):
        read_verdicts(path)
