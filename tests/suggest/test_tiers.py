"""Tiers: the champions' replies first, scripts when the ranker abstains, silence only when no
reply is needed; closing formulas and other intents' replies wait their turn."""

from __future__ import annotations

from salesbrain.db.scripts import Script
from salesbrain.schema import Role, Turn
from salesbrain.suggest.tiers import needs_reply, tiered_suggestions
from salesbrain.suggest.types import Suggestion

C, G = Role.CUSTOMER, Role.GUIDE
SCRIPTS = [
    Script("sc_size", "size_fit", "{商品}{尺码}码有现货，需要帮您留一件吗", ("尺码",), uses=5),
    Script("sc_size2", "size_fit", "您平时穿什么尺码呢，我帮您看看", (), uses=9),
    Script("sc_old", "size_fit", "这款尺码偏小", (), status="retired"),
    Script("sc_ship", "logistics", "今天下单明天就发货", (), uses=50),
    Script("sc_bye", "size_fit", "请问还有其他可以帮到您的吗", (), uses=99),
]


def champion(*texts: str) -> list[Suggestion]:
    return [Suggestion(f"b{i}", t, 0.9, "bank", f"r{i}") for i, t in enumerate(texts)]


def test_scripts_answer_when_the_ranker_abstains() -> None:
    turns = (Turn(C, "这件外套有M码吗"),)
    shown = tiered_suggestions(turns, "size_fit", [], SCRIPTS, k=3)
    assert [s.source for s in shown] == ["script", "script"]
    assert shown[0].text == "外套M码有现货，需要帮您留一件吗"  # overlap with the question wins
    assert {s.intent for s in shown} == {"size_fit"} and shown[0].source_label == "话术库"
    assert all(s.script_id not in ("sc_old", "sc_ship", "sc_bye") for s in shown)


def test_champion_replies_come_first_and_scripts_fill_the_list() -> None:
    turns = (Turn(C, "这件外套有M码吗"),)
    shown = tiered_suggestions(turns, "size_fit", champion("M码还有两件"), SCRIPTS, k=3)
    assert [(s.source, s.source_label) for s in shown] == [
        ("champion", "冠军回复"),
        ("script", "话术库"),
        ("script", "话术库"),
    ]


def test_no_reply_needed_means_nothing_is_shown() -> None:
    asked = Turn(C, "有M码吗")
    answered = Turn(G, "有的亲")
    assert not needs_reply((asked, answered), "size_fit")  # the guide spoke last
    assert not needs_reply((asked, answered, Turn(C, "好的谢谢")), "thanks_closing")
    assert not needs_reply((asked, answered, Turn(C, "谢谢")), "other")
    assert not needs_reply((asked, answered, Turn(C, "[图片]")), None)
    assert needs_reply((asked, answered, Turn(C, "谢谢，那L码呢？")), "size_fit")
    assert needs_reply((Turn(C, "谢谢"),), "thanks_closing")  # no reply from the guide yet
    quiet = tiered_suggestions(
        (asked, answered, Turn(C, "谢谢")), "thanks_closing", champion("不客气"), SCRIPTS, k=3
    )
    assert quiet == []


def test_closing_formulas_wait_until_the_question_is_closed() -> None:
    bye = champion("请问还有其他可以帮到您的吗", "祝您生活愉快，再见", "已经帮您催了")
    open_question = tiered_suggestions((Turn(C, "快递怎么还没到"),), "logistics", bye, [], k=3)
    assert [s.text for s in open_question] == ["已经帮您催了"]
    # a thank-you that no reply of the guide's answered yet: the formulas fit
    assert len(tiered_suggestions((Turn(C, "收到了，谢谢"),), "thanks_closing", bye, [], k=3)) == 3


def test_bare_placeholders_and_other_platforms_are_never_shown() -> None:
    shown = tiered_suggestions(
        (Turn(C, "我的订单呢"),),
        "logistics",
        champion("[订单x]", "感谢您对京东的支持", "正在为您查询物流"),
        [],
        k=3,
    )
    assert [s.text for s in shown] == ["正在为您查询物流"]


def test_replies_for_another_intent_are_ranked_down() -> None:
    shown = tiered_suggestions(
        (Turn(C, "这件有M码吗"),), "size_fit", champion("快递今天发出", "M码有货"), [], k=3
    )
    assert [s.text for s in shown] == ["M码有货", "快递今天发出"]


def test_compliance_filter_applies_to_every_tier() -> None:
    shown = tiered_suggestions(
        (Turn(C, "这件外套有M码吗"),),
        "size_fit",
        champion("加我vx聊"),
        SCRIPTS,
        k=3,
        allowed=lambda text: "vx" not in text and "留" not in text,
    )
    assert [s.script_id for s in shown] == ["sc_size2"]


def test_the_rankers_unsure_replies_come_only_when_nothing_else_would() -> None:
    guesses = lambda: champion("亲，这款卖得很好")  # noqa: E731
    turns = (Turn(C, "这件外套有M码吗"),)
    with_scripts = tiered_suggestions(turns, "size_fit", [], SCRIPTS, k=3, unsure=guesses)
    assert [s.source for s in with_scripts] == ["script", "script"]
    [guess] = tiered_suggestions(turns, "membership", [], SCRIPTS, k=3, unsure=guesses)
    assert (guess.source, guess.confident, guess.text) == ("champion", False, "亲，这款卖得很好")


def test_an_unclear_intent_takes_the_one_the_words_point_to() -> None:
    [first, *_] = tiered_suggestions((Turn(C, "这件外套有M码吗"),), "other", [], SCRIPTS, k=3)
    assert first.script_id == "sc_size" and first.text == "外套M码有现货，需要帮您留一件吗"
    # nothing in common with any script: better nothing than a random one
    assert tiered_suggestions((Turn(C, "在吗在吗"),), "other", [], SCRIPTS, k=3) == []
