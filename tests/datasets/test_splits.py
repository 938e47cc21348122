"""The split policy: each rule as the table states it, stable, and by conversation."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest

from salesbrain.datasets.splits import (
    HASH_RULES,
    deal,
    fractions,
    hold_out,
    is_held_out,
    is_heldout_review,
    split_of,
)

KEYS = [f"c{i}" for i in range(3000)]


@dataclass(frozen=True)
class Pair:
    conversation_id: str
    reply: str


def sha256_position(text: str) -> float:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") / 2**64


def test_intent_split_follows_the_documented_hash() -> None:
    for key in KEYS[:300]:
        position = sha256_position(f"0:jddc:{key}")
        expected = "train" if position < 0.7 else "validation" if position < 0.8 else "test"
        assert split_of("intent", key, "jddc") == expected
    # another seed or data set is another draw
    assert [split_of("intent", k, "jddc") for k in KEYS] != [
        split_of("intent", k, "stc3") for k in KEYS]
    assert [split_of("intent", k, "jddc") for k in KEYS] != [
        split_of("intent", k, "jddc", seed=1) for k in KEYS]


@pytest.mark.parametrize("purpose", sorted(HASH_RULES))
def test_hash_rule_shares_match_the_declared_fractions(purpose: str) -> None:
    splits = [split_of(purpose, key, "jddc") for key in KEYS]
    for split, share in fractions(purpose).items():
        assert splits.count(split) / len(KEYS) == pytest.approx(share, abs=0.03)
    assert set(splits) == set(fractions(purpose))


def test_outcome_and_quality_reuse_the_intent_draw() -> None:
    for key in KEYS[:500]:
        intent = split_of("intent", key, "stc3")
        assert is_held_out("outcome", key, "stc3") == (intent != "train")
        assert is_held_out("quality", key) == (intent == "test")


def test_review_slice_hashes_the_stripped_text() -> None:
    texts = [f"第{i}条评价，还不错" for i in range(3000)]
    held = [t for t in texts if is_heldout_review(t)]
    assert held == [t for t in texts if sha256_position("heldout:" + t) < 0.02]
    assert all(is_heldout_review(f"  {t}\n") for t in held)


def test_hold_out_keeps_conversations_whole_and_uses_the_purpose_salt() -> None:
    pairs = [Pair(f"c{i // 4}", f"r{i}") for i in range(2000)]
    train, held = hold_out(pairs, "tenant")
    assert not {p.conversation_id for p in train} & {p.conversation_id for p in held}
    assert {p.conversation_id for p in held} == {
        p.conversation_id for p in pairs
        if hashlib.sha1(f"tenant-held-out\x1f{p.conversation_id}".encode()).digest()[0] / 256
        < 0.2}
    # salted per purpose: one purpose's held-out part is not the next one's
    again, _ = hold_out(pairs, "suggest-validation")
    assert {p.conversation_id for p in again} != {p.conversation_id for p in train}


def test_deal_is_seeded_and_independent_of_input_order() -> None:
    keys = [f"jddc:{i}" for i in range(101)]
    dealt = deal("dialogues", "jddc", keys)
    assert dealt == deal("dialogues", "jddc", list(reversed(keys)))
    assert list(dealt.values()).count("train") == round(101 * 0.8)
    assert list(dealt.values()).count("validation") == round(101 * 0.1)
    assert dealt != deal("dialogues", "jddc", keys, seed=1)


def test_unknown_purpose_is_named() -> None:
    with pytest.raises(ValueError, match="unknown split purpose 'sales'"):
        split_of("sales", "c1")
