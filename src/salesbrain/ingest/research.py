"""Public research dialogue sets as conversations: JDDC (JD.com) and STC-3 (Weibo helpdesk).

Message ids follow the hand-label reference scheme (`<dataset>:<conversation>:<turn>`), so a
stored message and its label always meet. Neither set carries timestamps: turns get synthetic,
evenly spaced times (flagged in `meta`) so that ordering and response-time code can run on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from salesbrain.ingest.records import (
    IncomingMessage,
    Parsed,
    Rejected,
    check_length,
    decoded_lines,
    json_array_items,
)
from salesbrain.schema import MessageType, Role

JDDC_AGENT = "jddc_agent"
STC3_HELPDESK = "stc3_helpdesk"
# 2019-01-01T00:00:00Z; each conversation starts an hour after the previous, turns 30 s apart.
_EPOCH_MS = 1_546_300_800_000
_TURN_MS = 30_000
_CONVERSATION_MS = 3_600_000
_SYNTHETIC = {"synthetic_ts": True}


def read_jddc(path: Path) -> Iterator[Parsed]:
    """Tab-separated `session_id, user_id, is_agent, is_transfer, is_repeat, sku, content`."""
    session, turn, conversation_index = "", 0, -1
    for line, text, reason in decoded_lines(path):
        if text is None:
            yield Rejected(line, reason)
            continue
        fields = text.split("\t", 6)
        if len(fields) != 7 or fields[2] not in ("0", "1"):
            yield Rejected(
                line, "expected 7 tab-separated fields with is_agent 0 or 1", text[:2000]
            )
            continue
        session_id, user_id, is_agent, _transfer, _repeat, sku, content = fields
        if session_id != session:
            session, turn, conversation_index = session_id, 0, conversation_index + 1
        role = Role.GUIDE if is_agent == "1" else Role.CUSTOMER
        meta = {**_SYNTHETIC, "sku": sku} if sku not in ("", "nan") else dict(_SYNTHETIC)
        try:
            content = check_length(content)
        except ValueError as error:
            yield Rejected(line, str(error))
            turn += 1
            continue
        yield IncomingMessage(
            f"jddc:{session_id}:{turn}",
            JDDC_AGENT,
            f"jddc:{user_id}",
            role,
            _synthetic_ts(conversation_index, turn),
            MessageType.TEXT,
            content,
            line,
            conversation_id=f"jddc:{session_id}",
            meta=meta,
        )
        turn += 1


def read_stc3(path: Path) -> Iterator[Parsed]:
    """A JSON list of dialogues: `id`, `turns` of `sender` (customer|helpdesk) and `utterances`."""
    for index, dialogue, reason in json_array_items(path):
        if dialogue is None:
            yield Rejected(index, reason)
            continue
        yield from _stc3_dialogue(dialogue, index)


def _stc3_dialogue(dialogue: object, index: int) -> Iterator[Parsed]:
    if not isinstance(dialogue, dict) or "id" not in dialogue:
        yield Rejected(index, "dialogue without an 'id'")
        return
    turns = dialogue.get("turns")
    if not isinstance(turns, list):
        yield Rejected(index, f"dialogue {dialogue['id']} has no 'turns' list")
        return
    dialogue_id = str(dialogue["id"])
    for turn, item in enumerate(turns):
        sender = item.get("sender") if isinstance(item, dict) else None
        utterances = item.get("utterances") if isinstance(item, dict) else None
        if sender not in ("customer", "helpdesk") or not isinstance(utterances, list):
            yield Rejected(index, f"dialogue {dialogue_id} turn {turn}: bad sender or utterances")
            continue
        role = Role.CUSTOMER if sender == "customer" else Role.GUIDE
        yield IncomingMessage(
            f"stc3:{dialogue_id}:{turn}",
            STC3_HELPDESK,
            f"stc3:{dialogue_id}",
            role,
            _synthetic_ts(index - 1, turn),
            MessageType.TEXT,
            "\n".join(map(str, utterances)),
            index,
            conversation_id=f"stc3:{dialogue_id}",
            meta=dict(_SYNTHETIC),
        )


def _synthetic_ts(conversation_index: int, turn: int) -> int:
    return _EPOCH_MS + conversation_index * _CONVERSATION_MS + turn * _TURN_MS
