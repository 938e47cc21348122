"""The tenant's champion replies: what the best guides said in conversations that ended well.

    python -m salesbrain.jobs.champion_replies --db sqlite:///var/demo/salesbrain.db --tenant demo

Champions are the top guide of each store by composite score over the whole history (with a
minimum volume, so a guide with three lucky conversations is not a champion). Their guide
turns in conversations that ended well (purchased, store visit, resolved) become (context,
reply) pairs for the ranker and replies for the bank; the bank filters compliance hits itself.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator

from salesbrain.db import Database
from salesbrain.db.labels import message_intents
from salesbrain.schema import Conversation, Role, turns_of
from salesbrain.scoring.champions import champion_conversations, find_champions
from salesbrain.scoring.labels import facts_from_store
from salesbrain.scoring.scorecard import score_guides
from salesbrain.suggest.types import ReplyPair

CONTEXT_TURNS = 6
MIN_CONVERSATIONS = 20


def _champions_conversations(store: Database, min_conversations: int) -> Iterator[Conversation]:
    roster = store.guides()
    facts = facts_from_store(store)
    if not facts.conversation_ids:
        return
    table = score_guides(facts, roster, settings={"period": "all"})
    champions = find_champions(table, roster, by="store", min_conversations=min_conversations)
    yield from champion_conversations(store, facts, champions)


def champion_intent_replies(store: Database, min_conversations: int = MIN_CONVERSATIONS
                            ) -> Iterator[tuple[str, str]]:
    """(intent, reply): each champion reply with the stored intent of the customer message it
    answered (the latest labelled one before it); replies to unlabelled turns are skipped."""
    intents = message_intents(store)
    for conversation in _champions_conversations(store, min_conversations):
        asked: str | None = None
        for message in conversation.messages:
            if message.role is Role.CUSTOMER and intents.get(message.msgid):
                asked = intents[message.msgid]
            elif (message.role is Role.GUIDE and asked is not None and not message.recalled
                  and message.text.strip()):
                yield asked, message.text


def champion_pairs(store: Database, min_conversations: int = MIN_CONVERSATIONS) -> list[ReplyPair]:
    pairs = []
    for conversation in _champions_conversations(store, min_conversations):
        turns = turns_of(conversation)
        for index, turn in enumerate(turns):
            if turn.role is Role.GUIDE and index > 0:
                context = tuple(turns[max(0, index - CONTEXT_TURNS) : index])
                pairs.append(ReplyPair(context, turn.text, conversation.conversation_id))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=None)
    parser.add_argument("--tenant", default="demo")
    args = parser.parse_args()
    pairs = champion_pairs(Database.open(args.db, args.tenant))
    conversations = {p.conversation_id for p in pairs}
    print(json.dumps({"pairs": len(pairs), "conversations": len(conversations)}))


if __name__ == "__main__":
    main()
