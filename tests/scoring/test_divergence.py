"""Turns and where a guide's conversation parts ways with a champion's."""

from __future__ import annotations

from collections.abc import Sequence

from salesbrain.schema import Conversation, Message, Role
from salesbrain.scoring.divergence import align, first_divergence, turns_of
from tests.scoring.handbuilt import at


def chat(cid: str, script: Sequence[tuple[str, float, str]],
         recalled: Sequence[int] = ()) -> Conversation:
    roles = {"c": Role.CUSTOMER, "g": Role.GUIDE}
    return Conversation(cid, "g", "c", tuple(
        Message(f"{cid}-{i}", "g", "c", roles[role], at(seconds), text=text,
                recalled=i in recalled)
        for i, (role, seconds, text) in enumerate(script)))


def test_turns_group_runs_of_one_side_and_measure_the_wait() -> None:
    conversation = chat("a", [("c", 0, "在吗"), ("c", 5, "这款有39码吗"), ("g", 65, "有的"),
                              ("g", 70, "撤回的"), ("c", 400, "好")], recalled=[3])
    turns = turns_of(conversation, {"a-1": "size_fit"}, {"a-2": 1})
    assert [t.role for t in turns] == ["customer", "guide", "customer"]
    assert turns[0].texts == ("在吗", "这款有39码吗") and turns[0].intents == ("size_fit",)
    assert turns[1].delay_s == 60 and turns[1].compliance_hits == 1
    assert turns[2].delay_s == 335 and turns[0].delay_s is None


def test_alignment_names_each_reason_and_the_first_divergence() -> None:
    hers = chat("h", [("c", 0, "有39码吗"), ("g", 30, "有"), ("c", 60, "多少钱"),
                      ("g", 1260, "399")])
    champion = chat("k", [("c", 0, "有39码吗"), ("g", 20, "有的亲，您平时穿多大的鞋呢？"),
                          ("c", 60, "多少钱"), ("g", 90, "会员价399元，今天下单还送袜子"),
                          ("c", 120, "好的")])
    intents = {"h-0": "size_fit", "k-0": "size_fit", "h-2": "price_promotion",
               "k-2": "price_promotion"}
    rows = align(turns_of(hers, intents, {}), turns_of(champion, intents, {}))
    assert [r.reasons for r in rows] == [
        (), ("no_question", "short_reply"), (), ("slow_reply", "short_reply"), ("missing_turn",)]
    assert first_divergence(rows) == 1


def test_identical_conversations_never_diverge() -> None:
    script = [("c", 0, "在吗"), ("g", 10, "在的，想看哪款？")]
    rows = align(turns_of(chat("a", script), {}, {}), turns_of(chat("b", script), {}, {}))
    assert first_divergence(rows) is None and len(rows) == 2


def test_a_different_side_or_intent_diverges() -> None:
    hers = chat("h", [("g", 0, "新品到了"), ("c", 10, "退货")])
    champion = chat("k", [("c", 0, "有货吗"), ("g", 10, "有")])
    rows = align(turns_of(hers, {}, {}), turns_of(champion, {}, {}))
    assert [r.reasons for r in rows] == [("role",), ("role",)]
    mine = chat("m", [("c", 0, "退货")])
    other = chat("o", [("c", 0, "有货吗")])
    intents = {"m-0": "return_exchange", "o-0": "stock_availability"}
    assert align(turns_of(mine, intents, {}), turns_of(other, intents, {}))[0].reasons == (
        "intent",)
