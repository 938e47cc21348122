"""Compliance rules: positives and negatives per category, variants, spans, brand overrides."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from salesbrain.schema import Message, MessageType, Role
from salesbrain.stages import STAGES
from salesbrain.stages.compliance import ComplianceHit, ComplianceStage


@pytest.fixture(scope="module")
def stage() -> ComplianceStage:
    return ComplianceStage().fit()


def categories(stage: ComplianceStage, text: str) -> set[str]:
    return {hit.category for hit in stage.predict([text])[0]}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("加我私人微信，我发你优惠", "off_platform"),
        ("加 我 微 信 吧", "off_platform"),
        ("亲可以加我V信", "off_platform"),
        ("我的vx是 zhang_san88", "off_platform"),
        ("威信：abc12345", "off_platform"),
        ("＋我薇信详聊", "off_platform"),
        ("加微 更方便", "off_platform"),
        ("加个wx吧", "off_platform"),
        ("扣扣 一二三四五六七八", "off_platform"),
        ("ＱＱ：12345678", "off_platform"),
        ("钱直接转账给我就行", "off_platform"),
        ("私下给你打五折", "unauthorised_discount"),
        ("这是我们的内部价哦", "unauthorised_discount"),
        ("我自己贴钱给你优惠", "unauthorised_discount"),
        ("我再给你便宜点", "unauthorised_discount"),
        ("给你打8折", "unauthorised_discount"),
        ("活动都结束了，我还是照活动价给你算", "unauthorised_discount"),
        ("下周的会员价我提前给你", "unauthorised_discount"),
        ("爱买不买", "abusive_pressure"),
        ("你懂不懂啊", "abusive_pressure"),
        ("再不买就没了", "abusive_pressure"),
        ("你到底买不买", "abusive_pressure"),
        ("今天不买的话明天就涨价了", "abusive_pressure"),
        ("另一个顾客的电话是[手机号]", "customer_data_leak"),
        ("她的地址是[地址]，你们可以一起拼单", "customer_data_leak"),
        ("王女士的手机[手机号]", "customer_data_leak"),
        ("上次张姐也买了，她电话139****1234你问问她", "customer_data_leak"),
    ],
)
def test_positive_examples_hit_their_category(
    stage: ComplianceStage, text: str, category: str
) -> None:
    assert category in categories(stage, text)


@pytest.mark.parametrize(
    "text",
    [
        "您好，请问有什么可以帮您？",
        "加我企业微信，售后有问题随时找我",
        "这款滚筒洗衣机支持usb升级",
        "维修单我帮你加一下",
        "回家我再看微信消息",
        "不好意思，这个价格不能再给你便宜了",
        "现在店里满300减50，活动到周日",
        "您的地址是[地址]，对吗？",
        "我懂您的意思，这款确实更适合您",
        "这款最近卖得很好",
        "活动结束了，价格恢复原价了",
        "您先考虑一下，不着急",
    ],
)
def test_ordinary_guide_messages_are_clean(stage: ComplianceStage, text: str) -> None:
    assert stage.predict([text]) == [()]


def test_spans_point_into_the_original_text(stage: ComplianceStage) -> None:
    text = "亲，有需要加 我 Ｖ 信：ab_c123，谢谢"
    [hits] = stage.predict([text])
    assert hits, "expected an off-platform hit"
    for hit in hits:
        assert text[hit.start:hit.end] == hit.matched
    assert any("Ｖ 信" in hit.matched for hit in hits)
    assert any("ab_c123" in hit.matched for hit in hits)


def test_hit_fields_and_severity(stage: ComplianceStage) -> None:
    [hits] = stage.predict(["爱买不买"])
    assert hits == (ComplianceHit("abusive_pressure.insult", "abusive_pressure", "high",
                                  0, 4, "爱买不买"),)


def test_active_campaign_excuses_a_discount_offer() -> None:
    text = "双十一活动给你打八折"
    plain = ComplianceStage().fit()
    brand = ComplianceStage().fit({"active_campaigns": ["双十一"]})
    assert categories(plain, text) == {"unauthorised_discount"}
    assert brand.predict([text]) == [()]
    assert categories(brand, "私下给你打五折") == {"unauthorised_discount"}


def test_allowed_discount_matches_any_numeral_form() -> None:
    brand = ComplianceStage().fit({"allowed_discounts": ["8折"]})
    assert brand.predict(["给你打八折"]) == [()]
    assert categories(brand, "给你打七折") == {"unauthorised_discount"}


def test_brand_variant_spellings_are_folded_like_the_text() -> None:
    assert ComplianceStage().fit().predict(["加我VCHAT"]) == [()]
    brand = ComplianceStage().fit({"phrases": {"Ｖ Chat": "微信"}})
    assert categories(brand, "加我VCHAT") == {"off_platform"}
    assert categories(brand, "加我 v-chat") == {"off_platform"}


def test_brand_terms_rules_and_severity_overrides() -> None:
    brand = ComplianceStage().fit({
        "terms": {"abusive_pressure": ["穷鬼"]},
        "rules": {
            "abusive_pressure.urgency": {"patterns": []},
            "off_platform.douyin": {"category": "off_platform", "severity": "low",
                                    "excused_by_campaign": False, "patterns": ["抖音找我"]},
        },
    })
    assert categories(brand, "穷 鬼") == {"abusive_pressure"}
    assert brand.predict(["赶紧下单"]) == [()]
    [[hit]] = brand.predict(["抖音找我"])
    assert (hit.rule, hit.severity) == ("off_platform.douyin", "low")


@pytest.mark.parametrize(
    "overrides",
    [
        {"unknown_list": []},
        {"terms": {"politics": ["x"]}},
        {"rules": {"off_platform.contact_id": {"weight": 2}}},
        {"rules": {"new.rule": {"category": "off_platform", "patterns": ["x"]}}},
        {"rules": {"off_platform.contact_id": {"severity": "critical"}}},
        {"active_campaigns": "双十一"},
    ],
)
def test_bad_config_fails_loudly(overrides: dict) -> None:
    with pytest.raises((ValueError, TypeError)):
        ComplianceStage().fit(overrides)


def test_predict_before_fit_fails() -> None:
    with pytest.raises(RuntimeError, match="fit"):
        ComplianceStage().predict(["你好"])


def test_save_and_reload_keep_the_brand_config(tmp_path: Path) -> None:
    brand = ComplianceStage().fit({"terms": {"off_platform": ["小红书私信"]}})
    brand.save_pretrained(tmp_path)
    again = ComplianceStage.from_pretrained(tmp_path)
    texts = ["小红书私信我", "加我私人微信", "您好"]
    assert again.predict(texts) == brand.predict(texts)
    assert again.config_ == brand.config_
    assert STAGES["compliance"] is ComplianceStage


def test_guide_red_packet_is_a_signal(stage: ComplianceStage) -> None:
    ts = datetime(2024, 5, 1, tzinfo=UTC)
    small = Message("m1", "g1", "u1", Role.GUIDE, ts, MessageType.REDPACKET,
                    meta={"amount_fen": 888})
    large = Message("m2", "g1", "u1", Role.GUIDE, ts, MessageType.REDPACKET,
                    meta={"amount_fen": 20000})
    from_customer = Message("m3", "g1", "u1", Role.CUSTOMER, ts, MessageType.REDPACKET)
    assert stage.red_packet_hit(small).severity == "medium"  # type: ignore[union-attr]
    assert stage.red_packet_hit(large).severity == "high"  # type: ignore[union-attr]
    assert stage.red_packet_hit(from_customer) is None
