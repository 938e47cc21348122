"""A blind judging sample: served first replies and BM25's, mixed, without their source.

Each item is one customer turn's context and one first reply; `key.jsonl` says which system
(and, for served replies, which tier) showed it. Judges label each item acceptable as is,
acceptable after an edit, or wrong, without the key.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from salesbrain.schema import Turn

SEED = 20261205


class Shown(Protocol):
    context: tuple[Turn, ...]
    needs_reply: bool
    source: str

    @property
    def tiered(self) -> Sequence[Any]: ...

    @property
    def bm25(self) -> Sequence[str]: ...


def write_judging_sample(turns: Sequence[Shown], out_dir: Path, size: int = 200) -> Path:
    """Half served first replies, half BM25's, for the same randomly drawn turns."""
    rng = random.Random(SEED)
    eligible = [t for t in turns if t.needs_reply and t.tiered and t.bm25]
    drawn = rng.sample(eligible, min(len(eligible), size // 2))
    items = []
    for turn in drawn:
        context = [[t.role.value, t.text] for t in turn.context[-6:]]
        first = turn.tiered[0]
        tier = first.source if first.confident else "unsure"
        items.append((context, first.text, {"system": "served", "tier": tier}, turn))
        items.append((context, turn.bm25[0], {"system": "bm25", "tier": None}, turn))
    rng.shuffle(items)
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "sample.jsonl").open("w", encoding="utf-8") as sample, \
            (out_dir / "key.jsonl").open("w", encoding="utf-8") as key:
        for number, (context, reply, system, turn) in enumerate(items, start=1):
            item_id = f"j{number:03d}"
            sample.write(json.dumps({"id": item_id, "context": context, "reply": reply},
                                    ensure_ascii=False) + "\n")
            key.write(json.dumps({"id": item_id, **system, "shop": turn.source},
                                 ensure_ascii=False) + "\n")
    return out_dir / "sample.jsonl"
