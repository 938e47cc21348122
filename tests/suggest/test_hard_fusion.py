"""The selection fusion fitted on hard-negative groups drawn from the reply bank."""

from __future__ import annotations

import numpy as np

from salesbrain.stages.suggest import SuggestStage
from salesbrain.suggest.fitting import hard_ranking_groups
from salesbrain.suggest.lexical import bigram_jaccard
from tests.stages.test_suggest import TOPICS, pairs_for

# a bank reply close in words to the invoice answer, and a near-duplicate of it
CLOSE = "发票可以开的，开纸质发票需要下单时备注"
NEAR_DUPLICATE = "可以开电子发票，下单时填写抬头就行哦"


def lexical_stage(**settings: object) -> SuggestStage:
    bank = [a for _, a in TOPICS] + [CLOSE, NEAR_DUPLICATE]
    return SuggestStage({"use_dense": False, "target_precision": 0.0, **settings}).fit(
        pairs_for("train"), [], val_pairs=pairs_for("val"), public_replies=bank)


def test_hard_groups_hold_the_true_reply_and_its_nearest_other_replies() -> None:
    stage = lexical_stage()
    invoice = pairs_for("val")[2]
    candidates = stage._bank_candidates()
    [(pair, group, true_index)] = hard_ranking_groups(stage.ranker_, [invoice], candidates, None,
                                                      4, 0.5, 0)
    assert pair.context == invoice.context and group[true_index] == invoice.reply
    negatives = [c for i, c in enumerate(group) if i != true_index]
    assert CLOSE in negatives  # the lexically closest other reply
    assert all(bigram_jaccard(invoice.reply, c) < 0.5 for c in negatives)
    assert len(set(group)) == 4


def test_fusion_fitted_with_hard_groups_still_ranks_the_true_reply_first() -> None:
    stage = lexical_stage(fusion_hard_negatives=True)
    answers = [a for _, a in TOPICS] + [CLOSE]
    scores = stage.score_candidates([(p.context, answers) for p in pairs_for("x")],
                                    parts="lexical")
    assert [int(np.argmax(s)) for s in scores] == list(range(len(TOPICS)))
