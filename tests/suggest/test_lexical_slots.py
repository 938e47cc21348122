"""Lexical evidence and slot filling."""

from __future__ import annotations

from salesbrain.schema import Role, Turn
from salesbrain.suggest.lexical import BM25Index, bigram_jaccard, normalize, tfidf_rows
from salesbrain.suggest.slots import extract_slots, fill_slots, to_slot_template


def test_normalize_and_jaccard() -> None:
    assert normalize("有 M码 吗") == "有m码吗"
    assert bigram_jaccard("这款有货", "这款有货") == 1.0
    assert bigram_jaccard("这款有货", "明天发货") == 0.0


def test_bm25_prefers_matching_candidate_and_round_trips() -> None:
    index = BM25Index(buckets=4096).fit(["尺码偏大", "今天发货", "明天到货", "可以开发票"])
    scores = index.score(["发票怎么开"], ["尺码偏大", "可以开发票"])
    assert scores[0, 1] > scores[0, 0] == 0.0
    again = BM25Index.from_state(index.state())
    assert (again.score(["发票怎么开"], ["可以开发票"]) == scores[0, 1]).all()
    rows = tfidf_rows(index, ["发票", "发票"])
    assert abs((rows @ rows.T).toarray()[0, 1] - 1.0) < 1e-6


def test_slots_from_the_most_recent_mention() -> None:
    turns = (Turn(Role.GUIDE, "王姐您好"), Turn(Role.CUSTOMER, "S码的外套199元吗"),
             Turn(Role.CUSTOMER, "还是换L码吧，有满300减50吗"))
    slots = extract_slots(turns)
    assert slots == {"size": "L", "price": "199元", "coupon": "满300减50", "product": "外套",
                     "customer_name": "王姐"}
    assert fill_slots("{customer_name}，{size}码的{product}有货", slots) == "王姐，L码的外套有货"


def test_missing_slot_drops_reply_but_name_falls_back() -> None:
    assert fill_slots("{price}包邮", {}) is None
    assert fill_slots("{customer_name}您好", {}) == "亲您好"
    assert to_slot_template("[姓名x]您好，[金额x]") == "{customer_name}您好，{price}"


def test_a_redacted_name_keeps_one_form_of_address() -> None:
    template = to_slot_template("[姓名]先生，您的外套已发货")
    assert fill_slots(template, {"customer_name": "李姐"}) == "李姐，您的外套已发货"
    assert fill_slots(template, {}) == "亲，您的外套已发货"
