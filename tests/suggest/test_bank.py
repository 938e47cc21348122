"""The reply bank: redaction, near-duplicate clustering, compliance, review, persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from salesbrain.suggest.bank import ReplyBank, near_duplicate_clusters


def test_near_duplicates_cluster_under_the_most_used_wording() -> None:
    texts = ["亲，这款有货的哦", "亲，这款有货的哦~", "发货后三天内送到", "亲 这款有货的哦！"]
    leaders = near_duplicate_clusters(texts, 0.5)
    assert leaders == [0, 0, 2, 0]
    bank = ReplyBank.build(["亲，这款有货的哦~", "亲，这款有货的哦", "亲，这款有货的哦",
                            "发货后三天内送到"])
    assert [e.text for e in bank.entries] == ["亲，这款有货的哦", "发货后三天内送到"]
    assert [e.uses for e in bank.entries] == [3, 1]
    assert all(e.status == "candidate" for e in bank.entries)


def test_redaction_slots_and_compliance_filter() -> None:
    bank = ReplyBank.build(
        ["[姓名x]您好，[金额x]就能买到", "加我微信聊", "好的"],
        redactor=lambda t: t.replace("13800138000", "[手机号]"),
        keep=lambda t: "微信" not in t,
    )
    assert [e.text for e in bank.entries] == ["好的", "{customer_name}您好，{price}就能买到"]


def test_media_placeholders_are_never_bank_replies() -> None:
    bank = ReplyBank.build(["[图片]", "[链接] 澜衫 小白鞋 点击查看详情", "[表情]",
                            "看详情页哦 [小程序]", "[订单x]已经发货了"])
    # a JDDC data-set placeholder is text; a media placeholder is not something to type
    assert [e.text for e in bank.entries] == ["[订单x]已经发货了"]


def test_review_and_add_and_round_trip(tmp_path: Path) -> None:
    bank = ReplyBank.build(["您好", "三天到货"]).with_embeddings(np.eye(2, 3, dtype=np.float32))
    first, second = (e.reply_id for e in bank.entries)
    bank.approve(first).ban(second)
    added = bank.add("会员再享九折", np.ones(3))
    assert added.status == "approved" and added.origin == "manager"
    assert bank.add("会员再享九折", np.ones(3)).reply_id == added.reply_id  # no duplicate
    assert len(bank) == 3 and bank.embeddings.shape == (3, 3)
    assert bank.usable().tolist() == [True, False, True]
    assert bank.usable(require_approved=True).tolist() == [True, False, True]
    bank.save_pretrained(tmp_path / "bank")
    loaded = ReplyBank.from_pretrained(tmp_path / "bank")
    assert loaded.entries == bank.entries
    np.testing.assert_array_equal(loaded.embeddings, bank.embeddings)
    with pytest.raises(ValueError):
        bank.set_status(first, "deleted")  # type: ignore[arg-type]
    with pytest.raises(KeyError):
        bank.ban("no-such-reply")
