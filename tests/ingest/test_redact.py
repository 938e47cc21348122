import dataclasses
import json
from pathlib import Path

import pytest

from salesbrain.ingest.redact import PLACEHOLDERS, RedactedSpan, Redaction, redact

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "redaction_spans.jsonl"


def _load_fixture() -> list[tuple[str, set[tuple[str, int, int]]]]:
    rows = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line]
    return [(r["text"], {(s["kind"], s["start"], s["end"]) for s in r["spans"]}) for r in rows]


def _found(text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start : s.end]) for s in redact(text).spans]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("我的手机是13812345678，下午都在", "mobile", "13812345678"),
        ("电话 138 1234 5678", "mobile", "138 1234 5678"),
        ("+86 139-0123-4567 也可以", "mobile", "+86 139-0123-4567"),
        ("手机：１３８００１３８０００", "mobile", "１３８００１３８０００"),
        ("座机021-62345678，白天打", "landline", "021-62345678"),
        ("家里电话(0571)87654321", "landline", "(0571)87654321"),
        ("座机：62345678", "landline", "62345678"),
        ("身份证号11010519491231002X，报关用", "id_card", "11010519491231002X"),
        ("退款打到6222 0212 3456 7890 128", "bank_card", "6222 0212 3456 7890 128"),
        ("邮箱是wangfang@163.com，发票发这里", "email", "wangfang@163.com"),
        ("加我vx：lily_shop88 备注买衣服", "wechat_id", "lily_shop88"),
        ("薇信Amy_20230815，加的时候说一下", "wechat_id", "Amy_20230815"),
        ("wxid_8k2j3h4g5f6d", "wechat_id", "wxid_8k2j3h4g5f6d"),
        ("订单号：2023112012345678，帮我查", "order_no", "2023112012345678"),
        ("单号SF1234567890123看看到哪了", "tracking_no", "SF1234567890123"),
        ("230415123456789013 这个单子能退吗", "order_no", "230415123456789013"),
        ("我住上海市浦东新区张杨路500号3楼", "address", "上海市浦东新区张杨路500号3楼"),
        ("阳光小区3栋2单元501室", "address", "阳光小区3栋2单元501室"),
        ("老家地址为淄博市朱台镇宁王村", "address", "淄博市朱台镇宁王村"),
        ("我叫张伟，上周买的外套", "person_name", "张伟"),
        ("收件人：欧阳娜娜，电话", "person_name", "欧阳娜娜"),
        ("您好王先生，已经发货了", "person_name", "王"),
        ("哈喽张姐，新款到了", "person_name", "张"),
        ("王秀英 13965001234", "person_name", "王秀英"),
    ],
)
def test_detects_each_kind(text: str, kind: str, value: str) -> None:
    assert (kind, value) in _found(text)


@pytest.mark.parametrize(
    "text",
    [
        "这件165cm 110斤穿M码可以吗",
        "¥199包邮吗？199元那款",
        "满300减50的券还能用吗，券20元",
        "2024年3月15日下午14:30到货，20240315",
        "3月8号女神节全场8折，满2件打9折",
        "客服热线400-820-8820，工商银行95588",
        "手机号138****5678是您本人吗，尾号5678",
        "SKU 100012043978 还有货吗，条码6901234567892",
        "快递在路上了，货号A2309-1",
        "我是油皮，我是江苏的，我是会员",
        "谢谢姐，明白姐，好的哥",
        "微信支付可以吗",
        "我们店在商场3楼，电梯上来左手边",
        "66666666666666 太棒了",
        "难道5号还不到吗，我知道3号发货",
    ],
)
def test_leaves_ordinary_shop_talk_alone(text: str) -> None:
    assert redact(text) == Redaction(text, ())


def test_wechat_id_without_a_cue_is_not_detected() -> None:
    assert redact("lily_shop88").spans == ()


def test_id_card_with_a_wrong_check_digit_is_an_order_number_not_an_id() -> None:
    kinds = [s.kind for s in redact("号码110105194912310021").spans]
    assert kinds == ["order_no"]


def test_order_cue_wins_over_a_number_that_looks_like_a_phone() -> None:
    assert _found("订单13812345678") == [("order_no", "13812345678")]


def test_spans_index_the_original_text_and_rebuild_the_redacted_text() -> None:
    text = "我叫王小明，手机：１３８ ００１３ ８０００，寄到杭州市西湖区文三路90号"
    result = redact(text)
    rebuilt, cursor = "", 0
    for span in result.spans:
        assert span.placeholder == PLACEHOLDERS[span.kind]
        rebuilt += text[cursor : span.start] + span.placeholder
        cursor = span.end
    assert rebuilt + text[cursor:] == result.text
    assert [s.kind for s in result.spans] == ["person_name", "mobile", "address"]
    assert text[result.spans[1].start : result.spans[1].end] == "１３８ ００１３ ８０００"


def test_placeholders_are_typed_and_chinese() -> None:
    assert redact("电话13812345678").text == "电话[手机号]"
    assert set(PLACEHOLDERS) == {
        "mobile", "landline", "id_card", "bank_card", "email", "wechat_id", "qq_number",
        "order_no", "tracking_no", "number", "address", "person_name",
    }


def test_jddc_placeholders_survive() -> None:
    text = "[姓名x]先生您好，[订单x]已发货，送到[地址x][数字x]号楼[数字x]室，电话[电话x]"
    assert redact(text) == Redaction(text, ())


def test_redaction_is_idempotent_over_the_fixture() -> None:
    for text, _ in _load_fixture():
        once = redact(text).text
        assert redact(once) == Redaction(once, ())


def test_results_are_frozen() -> None:
    result = redact("电话13812345678")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "x"  # type: ignore[misc]
    assert isinstance(result.spans[0], RedactedSpan)


def test_fixture_is_well_formed() -> None:
    rows = _load_fixture()
    spans = [span for _, gold in rows for span in gold]
    assert len(rows) >= 150 and len(spans) >= 200
    assert {kind for kind, _, _ in spans} == set(PLACEHOLDERS)
    for text, gold in rows:
        for _, start, end in gold:
            assert 0 <= start < end <= len(text)


def test_fixture_precision_and_recall_stay_above_regression_floor() -> None:
    gold_n = pred_n = hits = 0
    for text, gold in _load_fixture():
        pred = {(s.kind, s.start, s.end) for s in redact(text).spans}
        gold_n, pred_n, hits = gold_n + len(gold), pred_n + len(pred), hits + len(gold & pred)
    assert hits / pred_n >= 0.9, f"exact precision {hits / pred_n:.3f}"
    assert hits / gold_n >= 0.9, f"exact recall {hits / gold_n:.3f}"
