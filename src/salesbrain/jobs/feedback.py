"""What guides did with the suggestions they were shown, as training data for the next brain.

    python -m salesbrain.jobs.feedback --db sqlite:///var/demo/salesbrain.db --tenant demo

- accepted: the suggested text was sent in that conversation: a (context, reply) pair;
- edited: the guide's own version was sent instead: a (context, reply) pair with the sent text
  (redacted when the feedback was stored), a better answer than the suggestion;
- ignored: the guide saw it and wrote something else. A reply ignored at least
  `MIN_IGNORED` times and never accepted is left out of the next bank.

The context is the conversation's turns up to the moment the suggestion was served; a
suggestion served for turns sent inline (no stored conversation) has no context to learn from
and only counts towards ignoring.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from salesbrain.db import Database
from salesbrain.db.access import served_feedback
from salesbrain.db.database import to_ms
from salesbrain.schema import Turn, turns_of
from salesbrain.suggest.lexical import bigram_set, jaccard
from salesbrain.suggest.types import ReplyPair

CONTEXT_TURNS = 6
MIN_IGNORED = 3


@dataclass
class Feedback:
    pairs: list[ReplyPair] = field(default_factory=list)  # accepted and edited, in context
    ignored: set[str] = field(default_factory=set)  # suggestion texts to keep out of the bank
    counts: Counter[str] = field(default_factory=Counter)


def tenant_feedback(store: Database, min_ignored: int = MIN_IGNORED) -> Feedback:
    rows = served_feedback(store)
    result = Feedback()
    ignored, accepted = Counter[str](), set()
    contexts = _contexts(store, [(r.conversation_id, r.created_ms) for r in rows])
    for row in rows:
        result.counts[row.action] += 1
        if row.action == "ignore":
            ignored[row.text] += 1
            continue
        accepted.add(row.text)
        context = contexts.get((row.conversation_id, row.created_ms))
        reply = row.sent_text if row.action == "edit" else row.text
        if context and reply and reply.strip():
            result.pairs.append(ReplyPair(context, reply, row.conversation_id))
    result.ignored = {text for text, n in ignored.items()
                      if n >= min_ignored and text not in accepted}
    return result


def _contexts(store: Database, served: Sequence[tuple[str | None, int]],
              ) -> dict[tuple[str | None, int], tuple[Turn, ...]]:
    ids = sorted({cid for cid, _ in served if cid})
    conversations = {c.conversation_id: c for c in store.conversations(conversation_ids=ids)}
    out = {}
    for cid, at_ms in served:
        conversation = conversations.get(cid or "")
        if conversation is None:
            continue
        served_then = tuple(m for m in conversation.messages if to_ms(m.ts) <= at_ms)
        turns = turns_of(replace(conversation, messages=served_then))
        if turns:
            out[(cid, at_ms)] = tuple(turns[-CONTEXT_TURNS:])
    return out


def without_ignored(replies: Sequence[str], ignored: set[str], threshold: float) -> list[str]:
    """The replies that are not near-duplicates (char-bigram Jaccard) of an ignored one."""
    if not ignored:
        return list(replies)
    banned = [bigram_set(text) for text in ignored]

    def kept(reply: str) -> bool:
        grams = bigram_set(reply)
        return not any(jaccard(grams, other) > threshold for other in banned)

    return [r for r in replies if kept(r)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=None)
    parser.add_argument("--tenant", default="demo")
    args = parser.parse_args()
    feedback = tenant_feedback(Database.open(args.db, args.tenant))
    print(json.dumps({"actions": dict(feedback.counts), "pairs": len(feedback.pairs),
                      "ignored_replies": len(feedback.ignored)}))


if __name__ == "__main__":
    main()
