"""Public research dialogue sets as conversations: JDDC (JD.com) and STC-3 (Weibo helpdesk).

Records are parsed by the dataset readers (`salesbrain.datasets.jddc2019`, `.stc3`); a bad line
or turn is quarantined here instead of failing the file. Message ids follow the annotation
reference scheme (`<dataset>:<conversation>:<turn>`), so a
stored message and its label always meet. Neither set carries timestamps: turns get synthetic,
evenly spaced times (flagged in `meta`) so that ordering and response-time code can run on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from salesbrain.datasets import jddc2019, stc3
from salesbrain.ingest.records import (
    IncomingMessage,
    Parsed,
    Rejected,
    check_length,
    decoded_lines,
    json_array_items,
)
from salesbrain.schema import MessageType

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
        try:
            message = jddc2019.parse_line(text)
        except ValueError as error:
            yield Rejected(line, str(error), text[:2000])
            continue
        if message.session_id != session:
            session, turn, conversation_index = message.session_id, 0, conversation_index + 1
        meta: dict[str, object] = dict(_SYNTHETIC)
        if message.sku not in ("", "nan"):
            meta["sku"] = message.sku
        try:
            content = check_length(message.content)
        except ValueError as error:
            yield Rejected(line, str(error))
            turn += 1
            continue
        yield IncomingMessage(
            f"jddc:{session}:{turn}",
            JDDC_AGENT,
            f"jddc:{message.user_id}",
            message.role,
            _synthetic_ts(conversation_index, turn),
            MessageType.TEXT,
            content,
            line,
            conversation_id=f"jddc:{session}",
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
    try:
        dialogue_id, turns = stc3.dialogue_header(dialogue)
    except ValueError as error:
        yield Rejected(index, str(error))
        return
    for number, item in enumerate(turns):
        try:
            turn = stc3.parse_turn(dialogue_id, number, item)
        except ValueError as error:
            yield Rejected(index, str(error))
            continue
        yield IncomingMessage(
            f"stc3:{dialogue_id}:{number}",
            STC3_HELPDESK,
            f"stc3:{dialogue_id}",
            turn.role,
            _synthetic_ts(index - 1, number),
            MessageType.TEXT,
            turn.text,
            index,
            conversation_id=f"stc3:{dialogue_id}",
            meta=dict(_SYNTHETIC),
        )


def _synthetic_ts(conversation_index: int, turn: int) -> int:
    return _EPOCH_MS + conversation_index * _CONVERSATION_MS + turn * _TURN_MS
