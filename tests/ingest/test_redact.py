import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from salesbrain.ingest.redact import PLACEHOLDERS, RedactedSpan, Redaction, redact, redact_batch

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


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("我手机一三八一二三四五六七八", "mobile", "一三八一二三四五六七八"),
        ("电话幺八五幺二三四五六七八", "mobile", "幺八五幺二三四五六七八"),
        ("号码壹叁捌贰贰零玖肆肆壹伍", "mobile", "壹叁捌贰贰零玖肆肆壹伍"),
        ("打我１８６２２０９４４１５", "mobile", "１８６２２０９４４１５"),
        ("我的号139🌸2465🌸0817", "mobile", "139🌸2465🌸0817"),
        ("1️⃣8️⃣9️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣ 这是我电话", "mobile",
         "1️⃣8️⃣9️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣"),
        ("手机178/0138/9264", "mobile", "178/0138/9264"),
        ("打186.2209.4415找我", "mobile", "186.2209.4415"),
        ("电话是 1 8 0 9 2 2 4 5 6 7 8 哈", "mobile", "1 8 0 9 2 2 4 5 6 7 8"),
        ("我电话138后面是2749 6150", "mobile", "138后面是2749 6150"),
        ("一三八然后一二三四接着五六七八", "mobile", "一三八然后一二三四接着五六七八"),
        ("微信搜 lulu_beauty88 有图", "wechat_id", "lulu_beauty88"),
        ("加薇 amy_2023 发你色号", "wechat_id", "amy_2023"),
        ("➕V: Coco_skin520", "wechat_id", "Coco_skin520"),
        ("＋v Coco_skin520", "wechat_id", "Coco_skin520"),
        ("V：Coco_skin520 备注口红", "wechat_id", "Coco_skin520"),
        ("威信号是 nana_0312", "wechat_id", "nana_0312"),
        ("QQ 2847563910 也可以", "qq_number", "2847563910"),
        ("扣扣号是78451236", "qq_number", "78451236"),
        ("企鹅：1234509876", "qq_number", "1234509876"),
        ("qq一二三四五六七八", "qq_number", "一二三四五六七八"),
        ("已发顺丰 SF 1234 5678 9012", "tracking_no", "SF 1234 5678 9012"),
        ("圆通YT7788123456789明天到", "tracking_no", "YT7788123456789"),
        ("京东快递JDX001234567890", "tracking_no", "JDX001234567890"),
        ("极兔JT0001234567890", "tracking_no", "JT0001234567890"),
        ("中通快递单号 7731 2345 6789 01", "tracking_no", "7731 2345 6789 01"),
        ("韵达单号4312345678901", "tracking_no", "4312345678901"),
        ("EMS EA123456789CN", "tracking_no", "EA123456789CN"),
        ("送到南京市鼓楼区中山北路8号紫峰大厦27F", "address", "南京市鼓楼区中山北路8号紫峰大厦27F"),
        ("寄到杭州市西湖区文一路100号翠苑一区5-402", "address",
         "杭州市西湖区文一路100号翠苑一区5-402"),
        ("我在香港广场南座 3801上班", "address", "香港广场南座 3801"),
        ("寄到武汉大学12舍就行", "address", "武汉大学12舍"),
        ("地址：创业大厦B座1203", "address", "创业大厦B座1203"),
        ("阳光小区3栋2单元501", "address", "阳光小区3栋2单元501"),
        ("王阿姨您好，羊绒衫到了", "person_name", "王"),
        ("李老师，精华用完了吗", "person_name", "李"),
        ("店长杨丽说可以调货", "person_name", "杨丽"),
        ("退款户名张伟，工行的卡", "person_name", "张伟"),
        ("我朋友林晓婷也想要", "person_name", "林晓婷"),
        ("【国贸店 导购 周佳怡】", "person_name", "周佳怡"),
        ("有问题随时找我 —— 周佳怡", "person_name", "周佳怡"),
        ("邮寄地址：福建省厦门市思明区湖滨南路88号，林晓收", "person_name", "林晓"),
        ("联系方式：zw88991，白天回", "number", "zw88991"),
        ("这个号 952736418 是我另一个号", "number", "952736418"),
    ],
)
def test_detects_numbers_ids_and_names_as_customers_write_them(
    text: str, kind: str, value: str
) -> None:
    assert (kind, value) in _found(text)


@pytest.mark.parametrize(
    "text",
    [
        "¥1399 到手，原价1999元",
        "双十一 2026-11-11 10:00 开抢",
        "2026/11/11 20:00:00 付尾款",
        "身高160/84A 穿38码",
        "一二三楼都有货，一件就包邮",
        "三个月内可以退，两天到",
        "客服电话400-820-8820，800 810 8888",
        "3件5折，满2件9折",
        "尺码 160 165 170 175 都有",
        "价格 199/299/399 三档",
        "货号A2309-1，款号 2309A-15",
        "SKU 100012043978",
        "李宁的外套和王牌的电视都在静安嘉里中心店",
        "V领毛衣，VIP888888 会员价",
        "iPhone15 手机壳有吗",
        "看看 item.jd.com/1640472728.html 这个",
        "123456789 一二三四五六七八九",
        "老师们好，阿姨说明天来",
    ],
)
def test_leaves_look_alikes_alone(text: str) -> None:
    assert redact(text) == Redaction(text, ())


def test_two_phone_numbers_side_by_side_stay_two() -> None:
    assert _found("13800138000 13900139000") == [
        ("mobile", "13800138000"), ("mobile", "13900139000")]


def test_number_words_next_to_digits_are_words() -> None:
    kinds = _found("订单7712003456789和订单7712003456790一起发吗")
    assert kinds == [("order_no", "7712003456789"), ("order_no", "7712003456790")]


def test_landline_extension_is_not_read_as_a_card() -> None:
    assert _found("公司电话0571-88886666-8012") == [("landline", "0571-88886666-8012")]


class FakeTagger:
    """Tags a fixed substring as a name or address, and records what it was asked."""

    def __init__(self, tags: dict[str, str]) -> None:
        self.tags, self.calls = tags, []  # type: ignore[var-annotated]

    def wants(self, text: str) -> bool:
        return any(value in text for value in self.tags)

    def spans(self, texts: Sequence[str]) -> list[list[tuple[str, int, int]]]:
        self.calls.append(list(texts))
        return [[(kind, t.index(v), t.index(v) + len(v)) for v, kind in self.tags.items() if v in t]
                for t in texts]


def test_tagger_spans_join_rule_spans() -> None:
    tagger = FakeTagger({"小美": "person_name"})
    result = redact("小美电话13812345678", tagger)
    assert result.text == "[姓名]电话[手机号]"
    assert tagger.calls == [["小美电话13812345678"]]


def test_rule_span_wins_over_a_tagger_span_of_another_kind() -> None:
    tagger = FakeTagger({"13812345678": "address"})
    assert [s.kind for s in redact("电话13812345678", tagger).spans] == ["mobile"]


def test_tagger_widens_a_rule_span_of_its_own_kind() -> None:
    text = "寄到杭州市西湖区文三路90号 东楼三层"
    tagger = FakeTagger({"文三路90号 东楼三层": "address"})
    assert redact(text, tagger).text == "寄到[地址]"


def test_batch_asks_the_tagger_once_for_the_messages_it_wants() -> None:
    tagger = FakeTagger({"朵朵": "person_name"})
    results = redact_batch(["朵朵到了吗", "好的亲", "朵朵也要"], tagger)
    assert [r.text for r in results] == ["[姓名]到了吗", "好的亲", "[姓名]也要"]
    assert tagger.calls == [["朵朵到了吗", "朵朵也要"]]
    assert redact_batch(["好的亲"], FakeTagger({})) == [Redaction("好的亲", ())]


def test_a_tagger_span_outside_the_message_is_an_error() -> None:
    class Broken(FakeTagger):
        def spans(self, texts: Sequence[str]) -> list[list[tuple[str, int, int]]]:
            return [[("person_name", 0, 99)] for _ in texts]

    with pytest.raises(ValueError, match="not a name or address"):
        redact("小美你好", Broken({"小美": "person_name"}))


@pytest.mark.parametrize(
    ("stored", "now"),
    [("寄到[地址]5-402", "寄到[地址]"), ("[地址]27F", "[地址]"), ("[地址]一区5-402", "[地址]"),
     ("[地址]香港广场南座 3801", "[地址]"), ("[地址]B座1203室", "[地址]")],
)
def test_door_left_behind_by_an_older_redaction_joins_its_placeholder(
    stored: str, now: str
) -> None:
    assert redact(stored).text == now
    assert redact(now) == Redaction(now, ())
