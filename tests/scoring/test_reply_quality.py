"""Reply quality calibrated on the brand's outcomes, and the not-informative rule."""

from __future__ import annotations

import numpy as np
from handbuilt import conversation

from salesbrain.schema import Guide
from salesbrain.scoring import ConversationInputs, FactsBuilder, score_guides
from salesbrain.scoring.reply_quality import CalibrationSettings, brand_reply_quality, reliability
from salesbrain.taxonomy import OUTCOME_KEYS

GOOD = "您好，这款羊绒大衣今天到店有您的尺码，我给您留一件，周六下午来试穿好吗"
PLAIN = "有的"
PURCHASED, LOST = OUTCOME_KEYS.index("purchased"), OUTCOME_KEYS.index("lost")


def _brand(good_share: list[float], per_guide: int = 60, seed: int = 0) -> tuple:
    """Guide i writes the specific reply in `good_share[i]` of her conversations; specific
    replies convert 60% of the time, plain ones 10%."""
    rng = np.random.default_rng(seed)
    ids, guides, outcomes, openings = [], [], [], {}
    for g, share in enumerate(good_share):
        for k in range(per_guide):
            cid = f"g{g}-{k}"
            good = rng.random() < share
            openings[cid] = GOOD if good else PLAIN
            ids.append(cid)
            guides.append(g)
            outcomes.append(PURCHASED if rng.random() < (0.6 if good else 0.1) else LOST)
    return ids, np.array(guides), np.array(outcomes), openings


def _guide_means(guides: np.ndarray, quality: np.ndarray) -> np.ndarray:
    return np.array([np.nanmean(quality[guides == g]) for g in np.unique(guides)])


def test_guides_who_write_like_converting_replies_score_higher() -> None:
    shares = [0.1, 0.3, 0.5, 0.7, 0.9] * 2
    ids, guides, outcomes, openings = _brand(shares)
    quality = brand_reply_quality(ids, guides, outcomes, openings)
    assert quality is not None
    means = _guide_means(guides, quality)
    low, high = means[np.array(shares) == 0.1], means[np.array(shares) == 0.9]
    assert high.min() > low.max() + 20
    assert reliability(guides, quality) > 0.8


def test_a_guide_is_scored_by_a_model_that_never_saw_her_outcomes() -> None:
    ids, guides, outcomes, openings = _brand([0.5] * 10)
    before = brand_reply_quality(ids, guides, outcomes, openings)
    flipped = outcomes.copy()
    mine = guides == 3
    flipped[mine] = np.where(outcomes[mine] == PURCHASED, LOST, PURCHASED)
    after = brand_reply_quality(ids, guides, flipped, openings)
    assert before is not None and after is not None
    np.testing.assert_allclose(after[mine], before[mine])
    assert not np.allclose(after[~mine], before[~mine])


def test_no_calibration_without_enough_outcomes_or_guides() -> None:
    ids, guides, outcomes, openings = _brand([0.5] * 10, per_guide=3)
    assert brand_reply_quality(ids, guides, np.full(len(ids), LOST), openings) is None
    ids, guides, outcomes, openings = _brand([0.5, 0.5], per_guide=100)
    assert brand_reply_quality(ids, guides, outcomes, openings) is None
    ids, guides, outcomes, openings = _brand([0.5] * 10)
    quiet = {cid: text for cid, text in openings.items() if not cid.endswith("-0")}
    quality = brand_reply_quality(ids, guides, outcomes, quiet,
                                  CalibrationSettings(min_per_class=5))
    assert quality is not None and np.isnan(quality[[i for i, c in enumerate(ids)
                                                       if c.endswith("-0")]]).all()


def test_reliability_tells_signal_from_noise() -> None:
    rng = np.random.default_rng(1)
    groups = np.repeat(np.arange(20), 50)
    noise = rng.normal(55, 10, len(groups))
    assert reliability(groups, noise) < 0.3
    signal = noise + np.repeat(np.linspace(0, 40, 20), 50)
    assert reliability(groups, signal) > 0.9


def test_a_quality_that_does_not_tell_guides_apart_is_left_out_and_said_so() -> None:
    rng = np.random.default_rng(2)
    roster = [Guide(f"g{i}", "", "S1", "东") for i in range(10)]
    conversations = [conversation(f"g{i}-{k}", f"g{i}", f"u{i}-{k}", [("c", k), ("g", k + 60)])
                     for i in range(10) for k in range(30)]
    noise = {c.conversation_id: float(rng.normal(55, 5)) for c in conversations}
    facts = FactsBuilder(roster, [], [], ConversationInputs(quality=noise)).add_all(
        conversations).build()
    table = score_guides(facts, roster, {"period": "all"})
    card = table.cards()[0]
    assert "quality" in table.uninformative
    assert card.components["quality"] is None
    assert any("quality not informative" in note for note in card.notes)
    skilled = {cid: value + 5 * int(cid[1]) for cid, value in noise.items()}
    facts = FactsBuilder(roster, [], [], ConversationInputs(quality=skilled)).add_all(
        conversations).build()
    table = score_guides(facts, roster, {"period": "all"})
    assert "quality" not in table.uninformative
    assert table.cards()[0].components["quality"] is not None
