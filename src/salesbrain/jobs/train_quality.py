"""Train the dialogue-quality stage on STC-3's annotated customer-helpdesk dialogues.

Run:
    .venv/bin/python -m salesbrain.jobs.train_quality --preset small --out var/brains/dev
    .venv/bin/python -m salesbrain.jobs.train_quality --preset benchmark --out var/brains/bench

Top to bottom:
1. prepare: read `stc3/train_data_cn.json` under the data dir, drop the held-out dialogues
   (the "quality" rule of `salesbrain.datasets.splits`: 20 % by a hash of the dialogue id, the part
   `evaluation.quality` scores on) and write the rest, with the annotators' mean A, S and E, to
   `OUT/quality_data/train.jsonl`;
2. encode every turn with e5-small and cache the dialogue features next to it
   (`features_<snapshot>.npy`), so an interrupted run resumes without re-encoding;
3. fit one ridge regression per target (penalty by leave-one-out CV) and print the CV fit;
4. save the stage to `OUT/quality` with its pruned encoder.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from scipy.stats import spearmanr

from salesbrain.artifacts import snapshot_id
from salesbrain.datasets.splits import is_held_out
from salesbrain.datasets.stc3 import FILE as STC3_FILE
from salesbrain.datasets.stc3 import QualityExample, read_quality_examples
from salesbrain.paths import shared_data_dir
from salesbrain.schema import Role, Turn
from salesbrain.stages.quality import TARGETS, QualityStage

# "dialogues": how many training dialogues (None: all); "settings": QualitySettings overrides.
PRESETS: dict[str, dict] = {
    # tests and demo: 300 dialogues, short turns (78 s of CPU when measured).
    "small": {"dialogues": 300, "settings": {"max_length": 64}},
    # the reported model: every training dialogue (2,374), turns up to 128 tokens.
    "benchmark": {"dialogues": None, "settings": {"max_length": 128}},
    # GPU: the same model, encoded on the device.
    "full": {"dialogues": None, "settings": {"max_length": 256}},
}


# --- 1. prepare ------------------------------------------------------------------------------
def prepare(data_dir: Path, out_dir: Path, limit: int | None) -> Path:
    """Write the training dialogues (never the held-out ones) as JSON lines."""
    examples = [e for e in read_quality_examples(data_dir / STC3_FILE)
                if not is_held_out("quality", e.dialogue_id)]
    if limit is not None:
        examples = sorted(examples, key=lambda e: snapshot_id([e.dialogue_id]))[:limit]
    path = out_dir / "quality_data" / "train.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for e in examples:
            turns = [[t.role.value, t.text] for t in e.turns]
            handle.write(json.dumps({"id": e.dialogue_id, "turns": turns, "A": e.a, "S": e.s,
                                     "E": e.e}, ensure_ascii=False) + "\n")
    return path


def read_prepared(path: Path) -> list[QualityExample]:
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        turns = tuple(Turn(Role(role), text) for role, text in row["turns"])
        examples.append(QualityExample(row["id"], turns, row["A"], row["S"], row["E"]))
    return examples


# --- 2. features (cached) --------------------------------------------------------------------
def cached_features(stage: QualityStage, examples: list[QualityExample], cache_dir: Path,
                    device: str) -> np.ndarray:
    key = snapshot_id([e.dialogue_id for e in examples] + [json.dumps(
        {"max_length": stage.settings.max_length, "reserve": stage.settings.reserve_chars})])
    path = cache_dir / f"features_{key}.npy"
    if path.is_file():
        print(f"features: reusing {path}")
        return np.load(path)
    started = time.perf_counter()
    features = stage.featurize([e.turns for e in examples], device=device)
    np.save(path, features)
    print(f"features: {features.shape} in {time.perf_counter() - started:.0f} s -> {path}")
    return features


# --- 3 + 4. fit and save ---------------------------------------------------------------------
def run(preset: str, out_dir: Path, data_dir: Path, device: str = "cpu") -> Path:
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    torch.set_num_threads(2)
    config = PRESETS[preset]
    prepared = prepare(Path(data_dir), Path(out_dir), config["dialogues"])
    examples = read_prepared(prepared)
    targets = np.array([[e.a, e.s, e.e] for e in examples])
    dialogues = [e.turns for e in examples]
    stage = QualityStage(config["settings"])
    stage.prepare_encoder(dialogues)
    features = cached_features(stage, examples, prepared.parent, device)
    stage.fit(dialogues, targets.tolist(), features=features)
    report_fit(stage, features, targets)
    saved = stage.save_pretrained(Path(out_dir) / "quality",
                                  data_snapshot=snapshot_id(e.dialogue_id for e in examples))
    print(f"saved {saved} ({len(examples)} dialogues, preset {preset})")
    return saved


def report_fit(stage: QualityStage, features: np.ndarray, targets: np.ndarray) -> None:
    """Training-set Spearman (optimistic; the held-out numbers come from evaluation.quality)."""
    predicted = np.array([[p.a, p.s, p.e] for p in stage.predict_features(features)])
    fit = {k: round(float(spearmanr(predicted[:, i], targets[:, i])[0]), 3)
           for i, k in enumerate(TARGETS)}
    print(json.dumps({"train_spearman": fit, "alphas": stage.alpha_}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="small", choices=sorted(PRESETS))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, default=shared_data_dir())
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    print(run(args.preset, args.out, args.data_dir, args.device))


if __name__ == "__main__":
    main()
