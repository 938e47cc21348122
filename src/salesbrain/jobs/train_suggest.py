"""Train the reply-suggestion stage on every real dialogue we have.

Run:
    .venv/bin/python -m salesbrain.datasets.prepare_dialogues  # once
    .venv/bin/python -m salesbrain.jobs.train_suggest --preset benchmark --out models/dev
    .venv/bin/python -m salesbrain.evaluation.response_selection --stage models/dev/suggest \
        --data var/eval/response_selection_test.tsv --baselines

Steps, top to bottom: prepare (or reuse) the (context, reply) pairs split by conversation;
load the train and validation pairs; fit the stage (BM25 index, e5 dual encoder with frozen
lower layers, fusion weights and abstention threshold on validation conversations, reply
bank from the training guides' replies); save it to OUT/suggest; report validation ranking
metrics of the saved stage beside its lexical-only path.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

import torch

from salesbrain.datasets.splits import hold_out
from salesbrain.db import Database
from salesbrain.jobs.champion_replies import champion_pairs
from salesbrain.jobs.feedback import tenant_feedback, without_ignored
from salesbrain.jobs.runner import job_main, log
from salesbrain.schema import Role, Turn
from salesbrain.stages.suggest import SuggestStage
from salesbrain.suggest.types import ReplyPair, SuggestSettings

# Script-level keys (max_pairs, sources) are read here; every other key is a SuggestSettings
# override, merged strictly.
_CONTEXT = {"dense_turns": 3, "role_marks": False, "max_context_chars": 160,
            "max_context_tokens": 96, "max_reply_tokens": 48}
PRESETS: dict[str, dict] = {
    "small": {"max_pairs": 800, "use_dense": True, "epochs": 0.0,
              "calibration_conversations": 100, **_CONTEXT},
    # small, with the selection fusion also fitted on hard-negative groups of validation replies
    "small_hard_fusion": {"max_pairs": 800, "use_dense": True, "epochs": 0.0,
                          "calibration_conversations": 100, "fusion_hard_negatives": True,
                          **_CONTEXT},
    # the top layer of e5 fine-tuned on 5,000 guide replies (79 steps); lower layers frozen
    "benchmark": {"max_pairs": 0, "use_dense": True, "frozen_layers": 11, "epochs": 1.0,
                  "batch_size": 64, "customer_replies": False, "encoder_pairs": 5000,
                  "learning_rate": 1e-4, **_CONTEXT},
    # the ablation: e5 as pretrained inside the same fusion
    "benchmark_pretrained": {"max_pairs": 0, "use_dense": True, "epochs": 0.0, **_CONTEXT},
    "full": {"max_pairs": 0, "use_dense": True, "frozen_layers": 8, "epochs": 3.0,
             "batch_size": 128, "customer_replies": True, "learning_rate": 5e-5,
             "calibration_conversations": 1000, **_CONTEXT},
}
SCRIPT_KEYS = ("max_pairs",)


def prepared_dir(out_dir: Path, data_dir: Path) -> Path:
    """Reuse prepared pairs when present; otherwise write them under the output directory."""
    from salesbrain.datasets import prepare_dialogues

    target = out_dir / "data" / "dialogues"
    if not (target / "pairs_train.jsonl").is_file():
        log(f"preparing dialogues from {data_dir} into {target}")
        prepare_dialogues.run(data_dir, target, target / "eval")
    return target


def load_pairs(path: Path) -> list[ReplyPair]:
    pairs = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            context = tuple(Turn(Role(role), text) for role, text in row["context"])
            pairs.append(ReplyPair(context, row["reply"], row["conversation_id"],
                                   Role(row["reply_role"])))
    return pairs


def subsample(pairs: list[ReplyPair], max_pairs: int, seed: int) -> list[ReplyPair]:
    if not max_pairs or len(pairs) <= max_pairs:
        return pairs
    return random.Random(seed).sample(pairs, max_pairs)


def run(preset: str, out_dir: Path, data_dir: Path, device: str = "cpu",
        store: Database | None = None) -> Path:
    """Train on the real dialogues plus, given a tenant's store, its champions' replies."""
    config = dict(PRESETS[preset])
    script = {k: config.pop(k) for k in SCRIPT_KEYS}
    torch.set_num_threads(2)
    torch.manual_seed(0)
    started = time.perf_counter()

    data = prepared_dir(Path(out_dir), Path(data_dir))
    train = subsample(load_pairs(data / "pairs_train.jsonl"), script["max_pairs"], 0)
    val = subsample(load_pairs(data / "pairs_val.jsonl"), script["max_pairs"] // 4, 1)
    # Public dialogues teach the ranker; their replies (another shop's formulas, 感谢您对京东的
    # 支持) join the bank as `public` and are never suggested to a brand's guides.
    public_replies = [p.reply for p in train if p.reply_role is Role.GUIDE]
    bank_replies: list[str] = []
    if store is not None:
        # The tenant's own champions, split by conversation: abstention is calibrated on the
        # tenant's held-out conversations too, so it reflects the replies this brand sends.
        tenant_pairs = champion_pairs(store)
        tenant_train, tenant_val = hold_out(tenant_pairs, "tenant")
        train = train + tenant_train
        val = val + tenant_val
        bank_replies = [p.reply for p in tenant_train]
        log(f"tenant {store.tenant}: {len(tenant_train)} champion reply pairs for training, "
            f"{len(tenant_val)} held out for calibration")
        # what guides accepted or wrote instead teaches the ranker and joins the bank; what
        # they kept ignoring leaves it
        feedback = tenant_feedback(store)
        train = train + feedback.pairs
        bank_replies = without_ignored(bank_replies + [p.reply for p in feedback.pairs],
                                       feedback.ignored, SuggestSettings().near_duplicate)
        log(f"tenant {store.tenant}: feedback {dict(feedback.counts)}: "
            f"{len(feedback.pairs)} pairs for training, {len(feedback.ignored)} replies dropped")
    log(f"preset {preset}: {len(train)} train pairs, {len(val)} validation pairs, "
        f"{len(bank_replies)} tenant bank replies, {len(public_replies)} public ones")

    stage = SuggestStage(config).fit(train, bank_replies, val_pairs=val, log=log, device=device,
                                     public_replies=public_replies)
    target = Path(out_dir) / "suggest"
    stage.save_pretrained(target)
    seconds = time.perf_counter() - started
    log(f"saved {target} after {seconds:.0f} s of training")

    from salesbrain.evaluation.response_selection import read_groups, score_with, stage_scorer

    # a sanity check on part of the validation groups; reported numbers come from eval/ on test
    groups = read_groups(data / "response_selection_val.tsv")[:300]
    saved = SuggestStage.from_pretrained(target)
    report: dict[str, Any] = {parts: score_with(stage_scorer(saved, parts), groups)
              for parts in saved.available_parts()}
    report["train_seconds"] = round(seconds, 1)
    report["thresholds"] = {k: c.threshold_ for k, c in saved.calibrators_.items()}
    (Path(out_dir) / "suggest_train_report.json").write_text(json.dumps(report, indent=2))
    log("validation: " + json.dumps(report))
    return target


def main() -> None:
    job_main(run, PRESETS, "Train the reply-suggestion stage.")


if __name__ == "__main__":
    main()
