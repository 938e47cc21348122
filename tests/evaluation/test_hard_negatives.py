"""Hard-negative and full-pool groups on tiny hand-made held-out pairs."""

from __future__ import annotations

import numpy as np
import pytest

from salesbrain.evaluation.hard_negatives import (
    ReplyPool,
    bigram_jaccard_matrix,
    bootstrap_interval,
    hard_negative_groups,
    negative_mask,
    pool_groups,
    random_negative_groups,
    recall_hits,
)
from salesbrain.evaluation.response_selection import rank_of_true
from salesbrain.schema import Role, Turn
from salesbrain.suggest.types import ReplyPair


def pair(text: str, reply: str, conversation: str) -> ReplyPair:
    return ReplyPair((Turn(Role.CUSTOMER, text),), reply, conversation)


PAIRS = [
    pair("有M码吗", "M码有货的亲", "a"),
    pair("还有别的颜色吗", "还有黑色和白色", "a"),  # same conversation as the first
    pair("M码还有吗", "M码有货的亲！", "b"),  # a near-duplicate of the first reply
    pair("几天到", "一般三天到货", "c"),
    pair("发什么快递", "默认发韵达快递", "d"),
    pair("能便宜点吗", "已经是最低价了哦", "e"),
    pair("有优惠券吗", "店铺首页可以领券", "f"),
]


def test_pool_is_deduplicated_and_remembers_every_sender() -> None:
    pool = ReplyPool.of(PAIRS + [pair("到哪了", "一般 三天到货", "g")])
    assert len(pool) == len(PAIRS)
    assert pool.conversations[pool.index("一般三天到货")] == frozenset({"c", "g"})


def test_jaccard_matrix_matches_hand_computation() -> None:
    # 有货 / 货的 / 的亲 against 有货 / 货了: one shared bigram of four
    assert bigram_jaccard_matrix(["有货的亲"], ["有货了"])[0, 0] == pytest.approx(0.25)


def test_mask_drops_near_duplicates_and_the_own_conversation() -> None:
    pool = ReplyPool.of(PAIRS)
    mask = negative_mask(PAIRS[:1], pool)[0]
    assert not mask[pool.index("M码有货的亲")]  # the true reply
    assert not mask[pool.index("M码有货的亲！")]  # its near-duplicate from conversation b
    assert not mask[pool.index("还有黑色和白色")]  # sent in the same conversation
    assert mask[pool.index("一般三天到货")]


def test_hard_negatives_follow_the_similarity_and_skip_masked_replies() -> None:
    pool = ReplyPool.of(PAIRS)
    # a similarity that prefers masked replies first, then the delivery replies
    preference = ["M码有货的亲！", "还有黑色和白色", "默认发韵达快递", "一般三天到货"]
    similarity = np.zeros((1, len(pool)))
    for rank, text in enumerate(preference):
        similarity[0, pool.index(text)] = 10 - rank
    [group] = hard_negative_groups(PAIRS[:1], pool, [similarity], size=3)
    assert group.candidates[group.true_index] == "M码有货的亲"
    assert set(group.candidates) - {"M码有货的亲"} == {"默认发韵达快递", "一般三天到货"}


def test_hard_negatives_take_turns_between_similarities() -> None:
    pool = ReplyPool.of(PAIRS)
    by_reply, by_context = np.zeros((1, len(pool))), np.zeros((1, len(pool)))
    by_reply[0, pool.index("一般三天到货")] = 1.0
    by_context[0, pool.index("店铺首页可以领券")] = 1.0
    [group] = hard_negative_groups(PAIRS[:1], pool, [by_reply, by_context], size=3)
    assert set(group.candidates) == {"M码有货的亲", "一般三天到货", "店铺首页可以领券"}


@pytest.mark.parametrize("build", ["hard", "random"])
def test_every_group_holds_its_true_reply_and_only_other_conversations(build: str) -> None:
    pool = ReplyPool.of(PAIRS)
    rng = np.random.default_rng(0)
    sims = [rng.random((len(PAIRS), len(pool)))]
    groups = (hard_negative_groups(PAIRS, pool, sims, size=4, seed=1) if build == "hard"
              else random_negative_groups(PAIRS, pool, size=4, seed=1))
    assert len(groups) == len(PAIRS)
    for source, group in zip(PAIRS, groups, strict=True):
        assert group.candidates[group.true_index] == source.reply
        assert len(set(group.candidates)) == 4
        for i, text in enumerate(group.candidates):
            if i != group.true_index:
                assert source.conversation_id not in pool.conversations[pool.index(text)]
                assert bigram_jaccard_matrix([source.reply], [text])[0, 0] < 0.5


def test_pairs_without_enough_allowed_replies_get_no_group() -> None:
    pool = ReplyPool.of(PAIRS)
    assert random_negative_groups(PAIRS, pool, size=10) == []


def test_pool_rank_is_the_rank_among_allowed_replies() -> None:
    pool = ReplyPool.of(PAIRS)
    [group] = pool_groups(PAIRS[:1], pool)
    assert group.true_index == 0 and group.candidates[0] == "M码有货的亲"
    assert len(group.candidates) == 1 + 4  # the masked near-duplicate and own reply are out
    scores = np.array([0.5, 0.9, 0.1, 0.5, 0.2])  # one better, one tie: rank 3
    assert rank_of_true(scores, 0) == 3
    assert recall_hits([3, 1, 25], 1).tolist() == [0.0, 1.0, 0.0]
    assert recall_hits([3, 1, 25], 5).tolist() == [1.0, 1.0, 0.0]
    assert recall_hits([3, 1, 25], 20).tolist() == [1.0, 1.0, 0.0]


def test_bootstrap_interval_brackets_the_mean_and_narrows_with_data() -> None:
    small = bootstrap_interval([1.0, 0.0] * 10)
    large = bootstrap_interval([1.0, 0.0] * 1000)
    assert small[0] < 0.5 < small[1] and large[0] < 0.5 < large[1]
    assert large[1] - large[0] < small[1] - small[0]
    assert bootstrap_interval([1.0] * 5) == (1.0, 1.0)
