"""Guide feedback on suggestions becomes training pairs and bank exclusions for retraining."""

from __future__ import annotations

from pathlib import Path

from salesbrain.db import Database
from salesbrain.db.access import record_feedback, record_suggestions
from salesbrain.db.database import to_ms
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.jobs.feedback import tenant_feedback, without_ignored
from salesbrain.simulate import simulate_brand


def _store_with_a_conversation(tmp_path: Path) -> tuple[Database, str, int]:
    simulate_brand(tmp_path / "sim", guides=2, customers=20, days=3, seed=3)
    store = Database.open(f"sqlite:///{tmp_path / 'store.db'}", tenant="acme")
    Ingestor(store).ingest_messages(tmp_path / "sim" / "archive.jsonl")
    conversation = next(c for c in store.conversations() if len(c.messages) >= 4)
    # served after the third message: the context is the first three
    return store, conversation.conversation_id, to_ms(conversation.messages[2].ts)


def _serve(store: Database, suggestion_id: str, conversation_id: str | None, at_ms: int,
           text: str) -> None:
    record_suggestions(store, [{"suggestion_id": suggestion_id, "conversation_id": conversation_id,
                                "guide_id": None, "text": text, "source": "bank", "score": 0.5,
                                "brain_version": "v1"}])
    with store.engine.begin() as conn:  # serving time is what the context is cut at
        from salesbrain.db import tables as t

        conn.execute(t.suggestions.update().where(t.suggestions.c.suggestion_id == suggestion_id)
                     .values(created_ms=at_ms))


def test_accepted_and_edited_suggestions_become_pairs_in_context(tmp_path: Path) -> None:
    store, conversation_id, served_ms = _store_with_a_conversation(tmp_path)
    _serve(store, "s-accept", conversation_id, served_ms, "这款M码有货的亲")
    _serve(store, "s-edit", conversation_id, served_ms, "有货")
    _serve(store, "s-inline", None, served_ms, "稍等")
    record_feedback(store, "s-accept", "accept", None, None)
    record_feedback(store, "s-edit", "edit", "M码和L码都有货，需要帮您留一件吗", None)
    record_feedback(store, "s-inline", "accept", None, None)  # no stored context: no pair

    feedback = tenant_feedback(store)
    assert feedback.counts == {"accept": 2, "edit": 1}
    assert sorted(p.reply for p in feedback.pairs) == ["M码和L码都有货，需要帮您留一件吗",
                                                       "这款M码有货的亲"]
    conversation = store.conversation(conversation_id)
    assert conversation is not None
    expected = tuple(m.text for m in conversation.messages[:3] if m.text)
    assert all(tuple(t.text for t in p.context) == expected for p in feedback.pairs)


def test_replies_ignored_again_and_again_leave_the_bank(tmp_path: Path) -> None:
    store, conversation_id, served_ms = _store_with_a_conversation(tmp_path)
    for i in range(3):
        _serve(store, f"s-ign{i}", conversation_id, served_ms, "亲，全场满300减50哦")
        record_feedback(store, f"s-ign{i}", "ignore", None, None)
    _serve(store, "s-once", conversation_id, served_ms, "好的")
    record_feedback(store, "s-once", "ignore", None, None)  # once is not a pattern

    feedback = tenant_feedback(store)
    assert feedback.ignored == {"亲，全场满300减50哦"} and not feedback.pairs
    bank = ["亲，全场满300减50哦！", "好的", "今天下单明天到"]
    assert without_ignored(bank, feedback.ignored, 0.5) == ["好的", "今天下单明天到"]
