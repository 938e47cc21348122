"""Simulated intent messages top up only the intents that have too few real ones."""

from __future__ import annotations

from salesbrain.jobs.train_intent import top_up_thin_intents


def test_only_thin_intents_are_topped_up_to_the_minimum() -> None:
    real = ["logistics"] * 5 + ["purchase_intent"] * 2 + ["size_fit"] * 4
    simulated = [(f"{key}-{i}", (), key)
                 for key in ("logistics", "purchase_intent", "size_fit", "store_visit")
                 for i in range(6)]
    chosen = top_up_thin_intents(real, simulated, minimum=5)
    counts = {key: sum(1 for m in chosen if m[2] == key) for key in {m[2] for m in chosen}}
    assert counts == {"purchase_intent": 3, "size_fit": 1, "store_visit": 5}
    assert chosen[0] == ("purchase_intent-0", (), "purchase_intent")  # in the given order
    assert top_up_thin_intents(real, simulated, minimum=0) == []
