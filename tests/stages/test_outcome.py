"""Outcome stage: attribution and rules first, the model for the rest.

The contract (overfit, save and reload, batch equals one by one) is in test_stage_contract.py,
on the tiny data here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from salesbrain.schema import Role, Turn
from salesbrain.stages import STAGES
from salesbrain.stages.outcome import (
    OutcomeInput,
    OutcomeSettings,
    OutcomeStage,
    open_question,
    render_conversation,
)

NOW = datetime(2026, 10, 20, 12, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=10)

TINY = {
    "resolved": [["在吗，快递到哪了", "已经发出了，明天到", "好的谢谢"],
                 ["发票怎么开", "订单页可以申请电子发票", "好的明白了，谢谢"]],
    "complaint_open": [["质量太差了，穿一次就坏", "我们也没办法", "什么态度，我要投诉"],
                       ["退款拖了半个月", "规定就是这样", "太过分了，投诉你们"]],
    "lost": [["这件多少钱", "599", "太贵了，算了不要了"],
             ["有没有便宜点的", "没有活动", "那算了，不买了"]],
    "store_visit": [["你们店在哪", "万达三楼", "好的周六去店里试"],
                    ["能到店试穿吗", "可以，给您留着", "行，明天下午到店"]],
}


def conversation(texts: list[str], last_ts: datetime = LONG_AGO, **flags: bool) -> OutcomeInput:
    roles = [Role.CUSTOMER, Role.GUIDE]
    turns = tuple(Turn(roles[i % 2], text) for i, text in enumerate(texts))
    return OutcomeInput(turns, last_ts, NOW, flags.get("attributed_order", False),
                        flags.get("guide_spoke", True), flags.get("customer_spoke", True))


def tiny_data() -> tuple[list[OutcomeInput], list[str]]:
    inputs, outcomes = [], []
    for outcome, dialogues in TINY.items():
        for texts in dialogues:
            inputs.append(conversation(texts))
            outcomes.append(outcome)
    return inputs, outcomes


@pytest.fixture(scope="module")
def stage() -> OutcomeStage:
    return OutcomeStage(OutcomeSettings(c=100.0)).fit(*tiny_data())


def test_the_model_decides_when_no_rule_applies(stage: OutcomeStage) -> None:
    predictions = stage.predict(tiny_data()[0])
    assert all(p.source == "model" and 0.25 < p.probability <= 1.0 for p in predictions)
    assert STAGES["outcome"] is OutcomeStage


def test_attribution_wins_over_everything(stage: OutcomeStage) -> None:
    [prediction] = stage.predict([conversation(TINY["lost"][0], attributed_order=True)])
    assert (prediction.outcome, prediction.source) == ("purchased", "attribution")


def test_no_customer_reply_is_no_reply(stage: OutcomeStage) -> None:
    item = OutcomeInput((Turn(Role.GUIDE, "新品到了，来看看吗？"),), NOW, NOW, False, True, False)
    [prediction] = stage.predict([item])
    assert (prediction.outcome, prediction.source) == ("no_reply", "rule")


def test_recent_open_question_is_ongoing_but_old_one_is_not(stage: OutcomeStage) -> None:
    texts = ["这件有M码吗", "有的", "那黑色呢？"]
    recent = conversation(texts, last_ts=NOW - timedelta(hours=2))
    old = conversation(texts, last_ts=NOW - timedelta(days=3))
    assert stage.predict([recent])[0].outcome == "ongoing"
    assert stage.predict([old])[0].source == "model"


def test_open_question_reads_the_last_spoken_turn() -> None:
    assert open_question([Turn(Role.GUIDE, "您看可以吗？")])
    assert open_question([Turn(Role.GUIDE, "好的"), Turn(Role.CUSTOMER, "嗯嗯")])
    assert not open_question([Turn(Role.CUSTOMER, "好的"), Turn(Role.GUIDE, "不客气")])
    assert not open_question([])


def test_rendering_marks_roles_and_keeps_the_last_turns() -> None:
    turns = [Turn(Role.CUSTOMER, "a"), Turn(Role.GUIDE, "b\nc"), Turn(Role.CUSTOMER, "d")]
    assert render_conversation(turns, max_turns=2) == "导:b c\n客:d"


def test_rule_outcomes_are_not_model_classes_and_unknown_labels_fail() -> None:
    inputs, outcomes = tiny_data()
    stage = OutcomeStage().fit(inputs + [conversation(["x"])], outcomes + ["purchased"])
    assert "purchased" not in stage.labels_
    with pytest.raises(ValueError, match="taxonomy"):
        OutcomeStage().fit(inputs[:1], ["sold"])


def test_predict_before_fit_fails() -> None:
    with pytest.raises(RuntimeError, match="fit"):
        OutcomeStage().predict([conversation(["你好"])])
