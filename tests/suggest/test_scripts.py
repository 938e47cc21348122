"""The script library's rules: CSV rows checked one by one, mining merges and generalises."""

from __future__ import annotations

from salesbrain.db.scripts import Script
from salesbrain.suggest.scripts import (
    mine_scripts,
    only_placeholder,
    read_scripts_csv,
    showable,
    write_scripts_csv,
)


def test_bad_rows_are_reported_with_line_and_reason_and_good_rows_import() -> None:
    text = (
        "intent,text,tags\n"
        "size_fit,{尺码}码有货的亲,尺码|外套\n"
        "no_such_intent,您好,x\n"
        "logistics,,\n"
        "membership,会员生日当月有双倍积分\n"
        f"price_promotion,{'很' * 400},\n"
        "\n"
        'return_exchange,"七天无理由退换，您在订单页申请就好",售后\n'
        "logistics,[订单x],\n"
    )
    parsed = read_scripts_csv(text)
    assert [(s.intent, s.text, s.tags) for s in parsed.scripts] == [
        ("size_fit", "{尺码}码有货的亲", ("尺码", "外套")),
        ("return_exchange", "七天无理由退换，您在订单页申请就好", ("售后",)),
    ]
    reasons = {e.line: e.reason for e in parsed.errors}
    assert sorted(reasons) == [3, 4, 5, 6, 9]
    assert "unknown intent 'no_such_intent'" in reasons[3]
    assert reasons[4] == "empty text"
    assert reasons[5] == "2 columns, expected 3"
    assert "400 characters" in reasons[6]
    assert "placeholder" in reasons[9]


def test_a_wrong_header_refuses_the_file() -> None:
    parsed = read_scripts_csv("text,intent\n您好,greeting\n")
    assert parsed.scripts == [] and parsed.errors[0].line == 1
    assert "header must be intent,text,tags" in parsed.errors[0].reason


def test_export_reads_back_as_the_same_scripts() -> None:
    scripts = [
        Script("sc_1", "size_fit", '{尺码}码有货，"现货"', ("尺码", "外套")),
        Script("sc_2", "greeting", "您好，在的", ()),
    ]
    parsed = read_scripts_csv(write_scripts_csv(scripts))
    assert parsed.errors == []
    assert [(s.intent, s.text, s.tags) for s in parsed.scripts] == [
        (s.intent, s.text, s.tags) for s in scripts
    ]


def test_mining_merges_near_duplicates_and_generalises_slots() -> None:
    replies = [
        ("size_fit", "王女士，这件连衣裙M码有货的"),
        ("size_fit", "李小姐，这件外套L码有货的"),
        ("size_fit", "这件外套S码有货的哦"),
        ("price_promotion", "现在299元，满300减50"),
        ("price_promotion", "现在199元，满200减30"),
        ("size_fit", "身高165选M码就好"),
    ]
    mined = mine_scripts(replies, min_uses=2)
    by_intent = {s.intent: s for s in mined}
    assert set(by_intent) == {"size_fit", "price_promotion"}  # the single use is dropped
    assert by_intent["size_fit"].uses == 3
    assert "{商品}" in by_intent["size_fit"].text and "{尺码}码" in by_intent["size_fit"].text
    assert "王" not in by_intent["size_fit"].text and "连衣裙" not in by_intent["size_fit"].text
    assert by_intent["price_promotion"].text == "现在{价格}，{优惠券}"
    assert all(s.source == "mined" for s in mined)


def test_mining_never_keeps_a_bare_placeholder_a_closing_or_another_platforms_formula() -> None:
    replies = (
        [("logistics", "[订单x]")] * 5
        + [("logistics", "感谢您对京东的支持，祝您生活愉快")] * 5
        + [("logistics", "请问还有其他可以帮到您的吗")] * 5
        + [("logistics", "已经帮您催快递了")] * 2
    )
    assert [s.text for s in mine_scripts(replies, min_uses=2)] == ["已经帮您催快递了"]
    assert [s.intent for s in mine_scripts([("thanks_closing", "不客气，祝您生活愉快")] * 2)] == [
        "thanks_closing"
    ]


def test_what_a_tenant_may_be_shown() -> None:
    assert (
        only_placeholder("[订单x]") and only_placeholder("{姓名}~") and only_placeholder("[图片]")
    )
    assert not only_placeholder("[订单x]已经发货了")
    assert not showable("感谢您对京东的支持") and not showable("[订单x]")
    assert showable("{姓名}您好，M码有货")
