"""Train the reply generator: an e5-warm-started encoder-decoder on the guides' replies.

Run:
    .venv/bin/python -m salesbrain.datasets.prepare_dialogues  # once
    .venv/bin/python -m training.train_generator --preset small --out models/dev
    .venv/bin/python -m salesbrain.evaluation.generation --stage models/dev/suggest \
        --jddc-dev var/eval/jddc_dev --modes generator,retrieval,both

Steps, top to bottom: prepare (or reuse) the (context, reply) pairs split by conversation; keep
the guide replies of the chosen sources (plus, given a tenant's store, its champions' replies);
prune e5's vocabulary to those texts and warm-start encoder and decoder from e5's lower layers;
fine-tune with teacher forcing; save to OUT/suggest/generator (next to a suggestion stage
trained into the same OUT, which then adds the generated replies to its candidates); report
the validation loss and a few sample generations.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from pathlib import Path

import torch

from salesbrain.artifacts import merge_settings, snapshot_id, version_stamp, write_json
from salesbrain.db import Database
from salesbrain.jobs.champion_replies import champion_pairs
from salesbrain.jobs.runner import job_main, log
from salesbrain.jobs.train_suggest import load_pairs, prepared_dir
from salesbrain.schema import Role
from salesbrain.suggest.reply_generator import (
    GeneratorSettings,
    GeneratorTraining,
    ReplyGenerator,
    train_generator,
)
from salesbrain.suggest.types import ReplyPair, dense_query

# Script-level keys (sources, max_pairs, threads) are read here; the rest are GeneratorSettings
# or GeneratorTraining overrides, merged strictly.
PRESETS: dict[str, dict] = {
    # 4 frozen e5 layers encode, 2 warm-started decoder layers learn to write (CPU, 2 threads)
    "small": {"sources": ["jddc", "stc3"], "max_pairs": 4000, "threads": 2,
              "encoder_layers": 4, "decoder_layers": 2, "max_context_chars": 120,
              "max_context_tokens": 80, "max_reply_tokens": 32, "epochs": 1.0, "batch_size": 32,
              "learning_rate": 3e-4, "freeze_encoder": True},
    "benchmark": {"sources": ["jddc", "stc3"], "max_pairs": 0, "threads": 2,
                  "encoder_layers": 4, "decoder_layers": 2, "max_context_chars": 120,
                  "max_context_tokens": 80,
                  "max_reply_tokens": 32, "epochs": 2.0, "batch_size": 32,
                  "learning_rate": 3e-4, "freeze_encoder": True},
    # the whole e5 as encoder and half of it as decoder, everything trained (GPU)
    "full": {"sources": ["jddc", "stc3", "crosswoz", "ecd"], "max_pairs": 0, "threads": 8,
             "encoder_layers": 12, "decoder_layers": 6, "max_context_tokens": 128,
             "max_reply_tokens": 48, "max_new_tokens": 48, "epochs": 8.0, "batch_size": 64,
             "learning_rate": 1e-4, "freeze_encoder": False},
}
SCRIPT_KEYS = ("sources", "max_pairs", "threads")
SAMPLES = 8


def split_config(config: dict) -> tuple[dict, GeneratorSettings, GeneratorTraining]:
    script = {k: config.pop(k) for k in SCRIPT_KEYS}
    model_keys = set(GeneratorSettings.__dataclass_fields__)
    settings = merge_settings(GeneratorSettings(),
                              {k: v for k, v in config.items() if k in model_keys})
    training = merge_settings(GeneratorTraining(),
                              {k: v for k, v in config.items() if k not in model_keys})
    return script, settings, training


def guide_texts(pairs: list[ReplyPair], sources: list[str], settings: GeneratorSettings,
                ) -> tuple[list[str], list[str]]:
    """(context, reply) texts of the guide replies from `sources` (conversation id prefixes)."""
    chosen = [p for p in pairs if p.reply_role is Role.GUIDE and p.reply.strip()
              and p.conversation_id.split(":")[0] in sources]
    contexts = [dense_query(p.context, settings.context_turns, settings.max_context_chars)
                for p in chosen]
    return contexts, [" ".join(p.reply.split()) for p in chosen]


def run(preset: str, out_dir: Path, data_dir: Path, device: str = "cpu",
        store: Database | None = None) -> Path:
    """Train on the real dialogues (plus a tenant's champion replies); returns the saved dir."""
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda asked for, but torch sees no CUDA device")
    script, settings, training = split_config(dict(PRESETS[preset]))
    torch.set_num_threads(script["threads"])
    torch.manual_seed(training.seed)
    started = time.perf_counter()

    data = prepared_dir(Path(out_dir), Path(data_dir))
    train_pairs = load_pairs(data / "pairs_train.jsonl")
    if store is not None:
        champions = champion_pairs(store)
        train_pairs += [ReplyPair(p.context, p.reply, f"tenant:{p.conversation_id}")
                        for p in champions]
        script["sources"] = [*script["sources"], "tenant"]
        log(f"tenant {store.tenant}: {len(champions)} champion reply pairs")
    contexts, replies = guide_texts(train_pairs, script["sources"], settings)
    if script["max_pairs"] and len(contexts) > script["max_pairs"]:
        keep = sorted(random.Random(0).sample(range(len(contexts)), script["max_pairs"]))
        contexts, replies = [contexts[i] for i in keep], [replies[i] for i in keep]
    val_contexts, val_replies = guide_texts(load_pairs(data / "pairs_val.jsonl"),
                                            script["sources"], settings)
    val_contexts, val_replies = val_contexts[:500], val_replies[:500]
    log(f"preset {preset}: {len(contexts)} training replies from {script['sources']}, "
        f"{len(val_contexts)} validation replies, device {device}")

    with tempfile.TemporaryDirectory() as scratch:
        generator = ReplyGenerator.from_base(contexts + replies, Path(scratch), settings)
    generator.to(device)
    log(f"vocabulary {generator.model.encoder.config.vocab_size} pieces, "
        f"{sum(p.numel() for p in generator.model.parameters()) / 1e6:.1f}M parameters")
    before = validation_loss(generator, val_contexts, val_replies)
    log(f"validation loss before training {before:.3f}")

    seen = [0]

    def progress(rows: int, loss: float) -> None:
        seen[0] += 1
        if seen[0] % 20 == 0:
            log(f"step {seen[0]}: loss {loss:.3f}")

    losses = train_generator(generator, contexts, replies, training, progress)
    train_seconds = time.perf_counter() - started
    after = validation_loss(generator, val_contexts, val_replies)
    log(f"{len(losses)} steps in {train_seconds:.0f} s; validation loss {after:.3f}")

    target = Path(out_dir) / "suggest" / "generator"
    generator.to("cpu").save_pretrained(target)
    write_json(target / "train_args.json", {"preset": preset, "device": device, **script,
                                            **settings.__dict__, **training.__dict__})
    write_json(target / "version.json", version_stamp(snapshot_id(replies)))
    report = {"preset": preset, "train_replies": len(contexts), "steps": len(losses),
              "train_seconds": round(train_seconds, 1),
              "first_loss": round(losses[0], 3), "last_loss": round(sum(losses[-20:]) / 20, 3),
              "val_loss_before": round(before, 3), "val_loss_after": round(after, 3),
              "samples": samples(ReplyGenerator.from_pretrained(target), val_contexts, val_replies)}
    write_json(Path(out_dir) / "generator_train_report.json", report)
    log("report: " + json.dumps({k: v for k, v in report.items() if k != "samples"}))
    return target


def validation_loss(generator: ReplyGenerator, contexts: list[str], replies: list[str],
                    batch_size: int = 64) -> float:
    total, weight = 0.0, 0
    with torch.inference_mode():
        for start in range(0, len(contexts), batch_size):
            batch = generator.batch(contexts[start : start + batch_size],
                                    replies[start : start + batch_size])
            tokens = int(batch["reply_mask"][:, 1:].sum())
            total += float(generator.model.loss(batch, frozen_encoder=True)) * tokens
            weight += tokens
    return total / max(weight, 1)


def samples(generator: ReplyGenerator, contexts: list[str], replies: list[str]) -> list[dict]:
    generated = generator.generate(contexts[:SAMPLES], num_return_sequences=2)
    return [{"context": c, "reply": r, "generated": g}
            for c, r, g in zip(contexts, replies, generated, strict=False)]


def main() -> None:
    job_main(run, PRESETS, "Train the reply generator.")


if __name__ == "__main__":
    main()
