"""`safety_net_spans`: which redactions came from the fallback for long numbers and contact ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salesbrain.ingest.redact import redact, redact_message, safety_net_spans

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _net(text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start:s.end]) for s in safety_net_spans(text)]


@pytest.mark.parametrize(("text", "caught"), [
    ("记一下 284619375，手机13812345678", [("number", "284619375")]),
    ("会员卡 2846193751", [("number", "2846193751")]),
    ("12345678901234 这个单子能退吗", [("order_no", "12345678901234")]),
    ("联系方式 abc12345", [("number", "abc12345")]),
])
def test_fallback_spans_are_reported(text: str, caught: list[tuple[str, str]]) -> None:
    assert _net(text) == caught


@pytest.mark.parametrize("text", [
    "我的手机是13812345678",            # a mobile: its own detector
    "订单号：2023112012345678，帮我查",  # a cued order number, not the fallback
    "单号SF1234567890123看看到哪了",     # a carrier's tracking number
    "满300减50，今天下午3点前下单",       # prices and times are left alone
    "88888888888",                       # made-up emphasis, not redacted at all
])
def test_detectors_other_than_the_fallback_are_not_reported(text: str) -> None:
    assert _net(text) == []


def test_fallback_spans_are_what_is_stored() -> None:
    lines = (FIXTURES / "redaction_spans.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line]
    texts += ["记一下 284619375，手机13812345678", "联系方式 abc12345，寄到张杨路500号"]
    reported = 0
    for text in texts:
        net = safety_net_spans(text)
        reported += len(net)
        assert set(net) <= set(redact(text).spans)
        assert set(net) <= set(redact_message(text).spans)
    assert reported >= 2
