"""How often the workbench has a suggestion, and how often it is what the guide sent, per tier.

    python -m eval.workbench_suggestions --per-source 300 --out var/eval/workbench.json
    python -m eval.workbench_suggestions --demo    # also the demo brand (eval.workbench_demo)
    python -m eval.workbench_suggestions --judge-dir DIR   # and a blind judging sample there

Real held-out turns: each public set (JDDC, STC-3, CrossWOZ, ECD) stands for one shop. Its
train split (`salesbrain.datasets.splits`, "dialogues") is that shop's history: the bank holds
its guide replies only, the script library is mined from them (intent of the customer turn
each answers from the TF-IDF intent baseline of `eval.intent_baseline`, trained on the hand
labels' train split), and tier 1 is the suggest stage's encoder-free path (BM25, TF-IDF and
bigram fusion, abstention calibrated to the stage's target precision) fitted on those pairs.
Its test split gives the customer turns. Per tier: the share of turns needing a reply that
got a list, and how often the first reply / the top 3 hold a near-duplicate (character-bigram
Jaccard > 0.5) of what the guide actually sent, beside BM25 over the same bank. "today" is
the stage alone (it abstains when unsure), as served before tiers.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from eval.intent_baseline import fit_baseline, predict_baseline
from salesbrain.datasets.annotations import load_intent_annotations, split_intent_annotations
from salesbrain.datasets.dialogues import Dialogue, pairs_of, read_all, split_dialogues
from salesbrain.db.scripts import Script, script_id_of
from salesbrain.paths import shared_data_dir
from salesbrain.schema import Role, Turn
from salesbrain.stages.intent_network import IntentInput
from salesbrain.stages.suggest import SuggestStage
from salesbrain.suggest.lexical import BM25Index, bigram_set, jaccard
from salesbrain.suggest.scripts import mine_scripts
from salesbrain.suggest.tiers import TieredSuggestion, needs_reply, tiered_suggestions
from salesbrain.suggest.types import ReplyPair, SuggestInput, Suggestion, lexical_query

NEAR_DUPLICATE = 0.5
TRAIN_PAIRS = 3000  # pairs per shop the stage learns from (the small preset uses 800)
Intents = Callable[[Sequence[IntentInput]], list[str]]


@dataclass
class Turnout:
    """What was shown for one customer turn, and what the guide sent."""

    context: tuple[Turn, ...]
    sent: str
    intent: str
    needs_reply: bool
    today: list[str]
    tiered: list[TieredSuggestion]
    bm25: list[str]
    source: str = ""


@dataclass
class Shop:
    name: str
    stage: SuggestStage
    scripts: list[Script]
    bm25: BM25Index
    bank: list[str]
    turns: list[Turnout] = field(default_factory=list)


def near(a: str, b: str) -> bool:
    return jaccard(bigram_set(a), bigram_set(b)) > NEAR_DUPLICATE


def hits(shown: Sequence[str], sent: str) -> tuple[bool, bool]:
    return (bool(shown) and near(shown[0], sent), any(near(s, sent) for s in shown[:3]))


def to_pair(row: dict) -> ReplyPair:
    context = tuple(Turn(Role(r), t) for r, t in row["context"])
    return ReplyPair(context, row["reply"], row["conversation_id"], Role(row["reply_role"]))


def guide_pairs(dialogues: Sequence[Dialogue]) -> list[ReplyPair]:
    pairs = [to_pair(row) for d in dialogues for row in pairs_of(d)]
    return [p for p in pairs if p.reply_role is Role.GUIDE and p.context
            and p.context[-1].role is Role.CUSTOMER]


def intent_model(data_dir: Path) -> Intents:
    examples = split_intent_annotations(load_intent_annotations(data_dir))["train"]
    pipeline = fit_baseline([IntentInput(e.text, e.context) for e in examples],
                            [e.intent for e in examples])
    return lambda inputs: predict_baseline(pipeline, inputs)


def asked(pairs: Sequence[ReplyPair]) -> list[IntentInput]:
    return [IntentInput(p.context[-1].text, p.context[:-1]) for p in pairs]


def build_shop(name: str, train: list[ReplyPair], intents: Intents) -> Shop:
    train = random.Random(0).sample(train, min(len(train), TRAIN_PAIRS))
    bank = [p.reply for p in train]
    stage = SuggestStage({"use_dense": False, "calibration_conversations": 400}).fit(train, bank)
    mined = mine_scripts(zip(intents(asked(train)), bank, strict=True), min_uses=2)
    scripts = [Script(script_id_of(s.intent, s.text), s.intent, s.text, s.tags, "active",
                      "mined", s.uses) for s in mined]
    texts = [e.text for e in stage.bank_.entries]
    return Shop(name, stage, scripts, BM25Index().fit(texts), texts)


def unsure_of(stage: SuggestStage, context: tuple[Turn, ...]
              ) -> Callable[[], Sequence[Suggestion]]:
    return lambda: stage.top_replies([SuggestInput(context, 3)], parts="lexical",
                                     generate=False, include_public=False)[0]


def serve_shop(shop: Shop, test: list[ReplyPair], intents: Intents) -> None:
    labels = intents(asked(test))
    inputs = [SuggestInput(p.context, k=3) for p in test]
    today = shop.stage.predict(inputs, parts="lexical", generate=False)
    bm25 = shop.bm25.score([lexical_query(p.context, 3) for p in test], shop.bank)
    for pair, intent, shown, scores in zip(test, labels, today, bm25, strict=True):
        tiered = tiered_suggestions(pair.context, intent, shown, shop.scripts, k=3,
                                    unsure=unsure_of(shop.stage, pair.context))
        top = [shop.bank[i] for i in np.argsort(-scores)[:3]]
        shop.turns.append(Turnout(pair.context, pair.reply, intent,
                                  needs_reply(pair.context, intent), [s.text for s in shown],
                                  tiered, top, shop.name))


def summarise(turns: Sequence[Turnout]) -> dict[str, Any]:
    needing = [t for t in turns if t.needs_reply]
    shown = [t for t in needing if t.tiered]
    report: dict[str, Any] = {"turns": len(turns), "need_reply": len(needing),
                              "answered": _share(len(shown), len(needing))}
    report["today"] = _rates([(t.today, t.sent) for t in needing if t.today], len(needing))
    for tier in ("champion", "script", "unsure"):
        led = [t for t in shown if tier_of(t.tiered[0]) == tier]
        report[tier] = _rates([([s.text for s in t.tiered], t.sent) for t in led], len(needing))
    report["served"] = _rates([([s.text for s in t.tiered], t.sent) for t in shown],
                              len(needing))
    report["bm25"] = _rates([(t.bm25, t.sent) for t in needing], len(needing))
    return report


def tier_of(first: TieredSuggestion) -> str:
    return first.source if first.confident else "unsure"


def _rates(lists: Sequence[tuple[list[str], str]], needing: int) -> dict[str, Any]:
    """How many lists, their share of the turns needing a reply, and their hit rates."""
    first = sum(hits(shown, sent)[0] for shown, sent in lists)
    top3 = sum(hits(shown, sent)[1] for shown, sent in lists)
    return {"lists": len(lists), "share_of_turns": _share(len(lists), needing),
            "first_hit": _share(first, len(lists)), "top3_hit": _share(top3, len(lists))}


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def real_turns(data_dir: Path, per_source: int, intents: Intents,
               log: Callable[[str], None]) -> list[Shop]:
    parts = split_dialogues(read_all(data_dir))
    shops = []
    for source in sorted({d.source for d in parts["test"]}):
        train = guide_pairs([d for d in parts["train"] if d.source == source])
        test = guide_pairs([d for d in parts["test"] if d.source == source])
        test = random.Random(1).sample(test, min(len(test), per_source))
        shop = build_shop(source, train, intents)
        serve_shop(shop, test, intents)
        log(f"{source}: {len(train)} train pairs, {len(shop.scripts)} scripts, "
            f"{len(test)} test turns")
        shops.append(shop)
    return shops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--per-source", type=int, default=300)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--demo", action="store_true", help="also the simulated demo brand")
    parser.add_argument("--judge-dir", type=Path, default=None,
                        help="write a blind judging sample (sample.jsonl, key.jsonl) here")
    args = parser.parse_args()
    torch.set_num_threads(1)
    log = lambda line: print(line, flush=True)  # noqa: E731
    data_dir = args.data_dir or shared_data_dir()
    intents = intent_model(data_dir)
    shops = real_turns(data_dir, args.per_source, intents, log) if args.per_source else []
    report: dict[str, Any] = {name: summarise(shop.turns) for name, shop in
                              [(s.name, s) for s in shops]}
    report["all"] = summarise([t for s in shops for t in s.turns])
    if args.demo:
        from eval.workbench_demo import demo_report

        report["demo"] = demo_report(log, intents)
    if args.judge_dir is not None:
        from eval.workbench_judging import write_judging_sample

        write_judging_sample([t for s in shops for t in s.turns], args.judge_dir, 200)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
