"""eval.safety_net: the real-set report counts fallback spans per 1,000 messages, with examples."""

from __future__ import annotations

import pytest

from eval import safety_net


def test_report_counts_only_fallback_spans(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["记一下 284619375", "手机13812345678", "好的"] + ["在吗"] * 7 + ["联系方式 abc12345"]
    monkeypatch.setattr(safety_net, "real_sets", lambda: iter([("toy", texts)]))
    row = safety_net.safety_net_report(examples=1)["toy"]
    assert row["messages"] == 11
    assert row["spans_by_kind"] == {"number": 2}  # the mobile is its own detector's
    assert row["spans_per_1000"] == pytest.approx(2000 / 11, abs=0.01)
    assert row["examples"] == ["记一下 ⟦284619375⟧"]
