"""FOSAED (`fosaed/conversations.json`): Meituan Waimai (food delivery) service conversations.

A JSON list of `{"id", "content": [...]}`; each utterance is prefixed `客服:` (agent) or `用户:`
(customer) and most end with a comma the export added, which is dropped. Other lines (`RULE:`,
`FAQ:`, `DM:` system text, a masked speaker) are not either party's words and are left out.
A conversation's id is its `id`; a turn is one utterance.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from salesbrain.schema import Role, Turn

FILE = "fosaed/conversations.json"
SPEAKERS = {"客服:": Role.GUIDE, "用户:": Role.CUSTOMER}


def utterance_turn(utterance: str) -> Turn | None:
    """The turn of one prefixed utterance, or None for system text."""
    for prefix, role in SPEAKERS.items():
        if utterance.startswith(prefix):
            return Turn(role, utterance[len(prefix):].removesuffix(",").strip())
    return None


def _turns(item: Any, index: int, path: Path) -> tuple[str, tuple[Turn, ...]]:
    if not isinstance(item, dict) or "id" not in item or not isinstance(item.get("content"), list):
        raise ValueError(f"{path}: item {index}: expected an 'id' and a 'content' list")
    turns = (utterance_turn(str(u)) for u in item["content"])
    return str(item["id"]), tuple(t for t in turns if t is not None and t.text)


def read_conversations(path: Path) -> dict[str, tuple[Turn, ...]]:
    items = json.loads(Path(path).read_text(encoding="utf-8"))
    return dict(_turns(item, index, Path(path)) for index, item in enumerate(items, start=1))
