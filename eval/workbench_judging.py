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


VERDICTS = ("as_is", "after_edit", "wrong")


def read_verdicts(path: Path) -> dict[str, str]:
    """Item id → verdict; a line with an unknown verdict is an error naming the line."""
    verdicts = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        row = json.loads(line)
        if row.get("verdict") not in VERDICTS:
            raise ValueError(f"{path}:{number}: verdict must be one of {VERDICTS}, got "
                             f"{row.get('verdict')!r}")
        verdicts[row["id"]] = row["verdict"]
    return verdicts


def verdict_shares(verdicts: dict[str, str], key: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per system (and per served tier): counts and the share acceptable as is or after an edit."""
    groups: dict[str, list[str]] = {}
    for item_id, verdict in verdicts.items():
        system = key[item_id]["system"]
        groups.setdefault(system, []).append(verdict)
        if key[item_id].get("tier"):
            groups.setdefault(f"{system}:{key[item_id]['tier']}", []).append(verdict)
    return {name: {"n": len(v), **{x: v.count(x) for x in VERDICTS},
                   "acceptable": (v.count("as_is") + v.count("after_edit")) / len(v)}
            for name, v in sorted(groups.items())}


def agreement(first: dict[str, str], second: dict[str, str]) -> dict[str, float]:
    """Exact agreement and Cohen's kappa of a second pass with the first, on shared items."""
    shared = sorted(set(first) & set(second))
    if not shared:
        raise ValueError("the two passes share no item")
    observed = sum(first[i] == second[i] for i in shared) / len(shared)
    chance = sum((sum(first[i] == v for i in shared) / len(shared))
                 * (sum(second[i] == v for i in shared) / len(shared)) for v in VERDICTS)
    kappa = (observed - chance) / (1 - chance) if chance < 1 else 1.0
    return {"items": len(shared), "exact": observed, "kappa": kappa}


def main() -> None:
    import argparse
    parser = argparse.ArgumentParser(description="Score blind judgements of shown first replies.")
    parser.add_argument("--key", type=Path, required=True, help="key.jsonl from the sample")
    parser.add_argument("--judgments", type=Path, required=True, help="first pass, one per item")
    parser.add_argument("--second", type=Path, help="a second blind pass over a subset")
    args = parser.parse_args()
    key = {row["id"]: row for row in map(json.loads,
                                         args.key.read_text(encoding="utf-8").splitlines())}
    first = read_verdicts(args.judgments)
    report: dict[str, Any] = {"shares": verdict_shares(first, key)}
    if args.second:
        report["agreement"] = agreement(first, read_verdicts(args.second))
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
