"""JDDC 2.1 recommendability dialogues (`jddc21rec/1_train.json`, `1_dev.json`), JD.com.

Each file is a JSON list of `{"id", "dialogs", "roles", "labels", "binary_labels"}`; `roles`
gives 顾客 (customer) or 客服 (agent) per utterance. Utterances that are only an image file
name (`*.jpg`) carry no words and are left out; the menu text of the first customer turns
(`用户发起转人工`) is kept as written. A conversation's id is its `id` (train and dev together).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from salesbrain.schema import Role, Turn

FOLDER = "jddc21rec"
FILES = ("1_train.json", "1_dev.json")
ROLES = {"顾客": Role.CUSTOMER, "客服": Role.GUIDE}


def _turns(item: Any, where: str) -> tuple[str, tuple[Turn, ...]]:
    try:
        dialogs, roles = item["dialogs"], item["roles"]
        if len(dialogs) != len(roles):
            raise ValueError(f"{len(dialogs)} utterances but {len(roles)} roles")
        turns = tuple(Turn(ROLES[role], str(text))
                      for text, role in zip(dialogs, roles, strict=True)
                      if not str(text).strip().endswith(".jpg"))
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{where}: malformed dialogue ({error!r})") from error
    return str(item["id"]), turns


def read_conversations(folder: Path) -> dict[str, tuple[Turn, ...]]:
    conversations: dict[str, tuple[Turn, ...]] = {}
    for name in FILES:
        path = Path(folder) / name
        for index, item in enumerate(json.loads(path.read_text(encoding="utf-8")), start=1):
            key, turns = _turns(item, f"{path}: item {index}")
            if key in conversations:
                raise ValueError(f"{path}: item {index}: dialogue id {key} repeated")
            conversations[key] = turns
    return conversations
