"""The selection fusion fitted on hard-negative groups of held-out (validation) replies."""

from __future__ import annotations

import numpy as np

from salesbrain.schema import Role, Turn
from salesbrain.stages.suggest import SuggestStage
from salesbrain.suggest.fitting import hard_ranking_groups
from salesbrain.suggest.lexical import bigram_jaccard
from salesbrain.suggest.types import ReplyPair
from tests.stages.test_suggest import TOPICS, pairs_for

# a validation reply close in words to the invoice answer, and a near-duplicate of that answer
CLOSE = ReplyPair((Turn(Role.CUSTOMER, "纸质发票能开吗"),), "发票可以开的，纸质发票需要下单时备注",
                  "v-close")
NEAR_DUPLICATE = ReplyPair((Turn(Role.CUSTOMER, "发票呢"),), "可以开电子发票，下单时填写抬头就行哦",
                           "v-near")


def lexical_stage(**settings: object) -> SuggestStage:
    return SuggestStage({"use_dense": False, "target_precision": 0.0, **settings}).fit(
        pairs_for("train"), [], val_pairs=pairs_for("val"))


def test_hard_groups_hold_the_true_reply_and_its_nearest_other_replies() -> None:
    stage = lexical_stage()
    pairs = pairs_for("val") + [CLOSE, NEAR_DUPLICATE]
    groups = hard_ranking_groups(stage.ranker_, pairs, 4, 0.5, 0)
    assert len(groups) == len(pairs)
    invoice = pairs[2]
    [(pair, group, true_index)] = [g for g in groups if g[0].reply == invoice.reply]
    assert pair.context == invoice.context and group[true_index] == invoice.reply
    negatives = [c for i, c in enumerate(group) if i != true_index]
    assert CLOSE.reply in negatives  # the lexically closest reply of another conversation
    assert NEAR_DUPLICATE.reply not in negatives
    assert all(bigram_jaccard(invoice.reply, c) < 0.5 for c in negatives)
    assert len(set(group)) == 4


def test_fusion_fitted_with_hard_groups_still_ranks_the_true_reply_first() -> None:
    stage = lexical_stage(fusion_hard_negatives=True)
    answers = [a for _, a in TOPICS]
    scores = stage.score_candidates([(p.context, answers) for p in pairs_for("x")],
                                    parts="lexical")
    assert [int(np.argmax(s)) for s in scores] == list(range(len(TOPICS)))


def test_retrieval_fusion_learns_from_hard_groups_when_no_reply_recurs_in_the_bank() -> None:
    from salesbrain.suggest.fitting import fit_retrieval_fusion

    stage = lexical_stage()
    ranker = stage.ranker_
    groups = hard_ranking_groups(ranker, pairs_for("val") + [CLOSE, NEAR_DUPLICATE], 4, 0.5, 0)
    used = fit_retrieval_fusion(ranker, [], stage._bank_candidates(), None, stage.settings,
                                extra=groups)
    assert used == len(groups)
    assert ranker.fusions["retrieval_lexical"] is not ranker.fusions["lexical"]
    features = ranker.group_features([(p.context, g) for p, g, _ in groups], use_dense=False)
    hits = [int(np.argmax(ranker.combine(f, "lexical", "retrieval"))) == t
            for f, (_, _, t) in zip(features, groups, strict=True)]
    assert np.mean(hits) > 0.8


def test_hard_groups_carry_no_bank_evidence_into_the_retrieval_fit() -> None:
    from salesbrain.suggest.fitting import BANK_EVIDENCE, _without_bank_evidence

    ranker = lexical_stage().ranker_
    features = np.arange(3 * len(ranker.feature_names), dtype=np.float64).reshape(3, -1) + 1
    cleared = _without_bank_evidence(ranker, features)
    bank = [ranker.feature_names.index(n) for n in BANK_EVIDENCE]
    others = [i for i in range(features.shape[1]) if i not in bank]
    assert (cleared[:, bank] == 0).all() and (cleared[:, others] == features[:, others]).all()
    assert (features[:, bank] != 0).all()  # the input is left as it was
