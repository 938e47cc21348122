"""CrossWOZ validation dialogues (`crosswoz/val.json.zip`), travel-domain, with dialogue acts.

One JSON object keyed by dialogue id; `messages` of `role` (`usr` is the customer) and
`content`. A conversation's id is the dialogue id; a turn is one message.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from salesbrain.schema import Role, Turn

FILE = "crosswoz/val.json.zip"


def read_conversations(path: Path) -> dict[str, tuple[Turn, ...]]:
    with zipfile.ZipFile(path) as archive:
        member = next(name for name in archive.namelist() if name.endswith(".json"))
        dialogues = json.loads(archive.read(member))
    return {
        str(dialogue_id): tuple(
            Turn(Role.CUSTOMER if m["role"] == "usr" else Role.GUIDE, m["content"])
            for m in dialogue["messages"]
        )
        for dialogue_id, dialogue in dialogues.items()
    }
