"""Train the outcome stage on simulated conversations plus hand-labelled real ones.

    .venv/bin/python -m salesbrain.jobs.train_outcome --preset small --out var/brains/outcome-small

Steps, top to bottom:
1. prepare: simulate a brand (seeded), cut its archive into the truth's conversations, add the
   real labelled conversations that are not held out, and write them under `var/data/outcome/`;
2. train: fit the stage (real conversations weighted up to `real_weight` of the simulated
   total, since they are the language we are judged on) and save it to `<out>/outcome`;
3. evaluate on the held-out real conversations (evaluation.outcome) beside the majority class.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from salesbrain.datasets.annotations import load_outcome_annotations
from salesbrain.evaluation.outcome import evaluate_outcome, historical_input
from salesbrain.ingest.records import ConsentEvent, IncomingMessage, Recall
from salesbrain.ingest.wecom import StaffDirectory, read_wecom
from salesbrain.jobs.runner import job_main
from salesbrain.paths import REPO_ROOT
from salesbrain.schema import Role, Turn
from salesbrain.stages.outcome import MODEL_OUTCOMES, OutcomeSettings, OutcomeStage

PRESETS: dict[str, dict[str, Any]] = {
    "small": {"guides": 10, "customers": 400, "days": 14, "seed": 11, "real_weight": 1.0},
    "benchmark": {"guides": 40, "customers": 2000, "days": 30, "seed": 11, "real_weight": 1.0},
    "full": {"guides": 80, "customers": 8000, "days": 60, "seed": 11, "real_weight": 1.0},
}
PREPARED_DIR = REPO_ROOT / "var" / "data" / "outcome"


# 1. prepare -------------------------------------------------------------------------------
def simulated_conversations(sim_dir: Path) -> list[dict[str, Any]]:
    """One-to-one simulated conversations with their true outcome, as role-marked turns.

    Customers whose last archiving-consent event is a refusal are left out entirely: their
    text must not be used for training.
    """
    truth = json.loads((sim_dir / "truth.json").read_text(encoding="utf-8"))
    staff = StaffDirectory(set(truth["guides"]))
    messages: list[IncomingMessage] = []
    recalled: set[str] = set()
    consent: dict[str, bool] = {}
    for parsed in read_wecom(sim_dir / "archive.jsonl", staff):
        if isinstance(parsed, IncomingMessage) and not parsed.room_id:
            messages.append(parsed)
        elif isinstance(parsed, Recall):
            recalled.add(parsed.pre_msgid)
        elif isinstance(parsed, ConsentEvent):
            consent[parsed.customer_id] = parsed.consent
    messages = [m for m in messages if consent.get(m.customer_id, True)]
    by_pair: dict[tuple[str, str], list[IncomingMessage]] = {}
    for message in messages:
        by_pair.setdefault((message.guide_id, message.customer_id), []).append(message)
    position = {m.msgid: i for pair in by_pair.values() for i, m in enumerate(pair)}
    return [_conversation(c, by_pair, position, recalled) for c in truth["conversations"]
            if not c.get("roomid") and c["first_msgid"] in position]


def _conversation(entry: dict[str, Any], by_pair: dict[tuple[str, str], list[IncomingMessage]],
                  position: dict[str, int], recalled: set[str]) -> dict[str, Any]:
    pair = by_pair[(entry["guide_id"], entry["customer_id"])]
    span = pair[position[entry["first_msgid"]]: position[entry["last_msgid"]] + 1]
    turns = [[m.role.value, m.text] for m in span if m.text and m.msgid not in recalled]
    return {"source": "simulated", "id": entry["first_msgid"], "turns": turns,
            "outcome": entry["outcome"]}


def prepare(data_out: Path, data_dir: Path, preset: dict[str, Any]) -> Path:
    from salesbrain.simulate import simulate_brand

    sim_dir = data_out / f"sim-{preset['guides']}-{preset['customers']}-{preset['days']}"
    if not (sim_dir / "truth.json").is_file():
        simulate_brand(sim_dir, guides=preset["guides"], customers=preset["customers"],
                       days=preset["days"], seed=preset["seed"])
    rows = simulated_conversations(sim_dir)
    rows += [{"source": e.dataset, "id": e.conversation, "outcome": e.outcome,
              "turns": [[t.role.value, t.text] for t in e.turns]}
             for e in load_outcome_annotations(data_dir) if not e.heldout]
    path = data_out / f"{sim_dir.name}-train.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


# 2. train ---------------------------------------------------------------------------------
def read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def sample_weights(rows: list[dict[str, Any]], real_weight: float) -> list[float]:
    """Real rows together weigh `real_weight` times the simulated rows (each 1.0)."""
    modelled = [r for r in rows if r["outcome"] in MODEL_OUTCOMES]
    simulated = sum(r["source"] == "simulated" for r in modelled)
    real = len(modelled) - simulated
    per_real = real_weight * simulated / real if real and simulated else 1.0
    return [1.0 if r["source"] == "simulated" else per_real for r in rows]


def train(rows: list[dict[str, Any]], real_weight: float, out_dir: Path) -> Path:
    inputs = [historical_input(tuple(Turn(Role(role), text) for role, text in r["turns"]))
              for r in rows]
    stage = OutcomeStage(OutcomeSettings()).fit(inputs, [r["outcome"] for r in rows],
                                                weights=sample_weights(rows, real_weight))
    stage_dir = out_dir / OutcomeStage.name
    stage.save_pretrained(stage_dir)
    return stage_dir


def run(preset: str, out_dir: Path, data_dir: Path, device: str = "cpu") -> Path:
    """Prepare, train and evaluate; returns the saved stage directory (CPU only: TF-IDF)."""
    settings = PRESETS[preset]
    started = time.perf_counter()
    rows = read_rows(prepare(PREPARED_DIR, data_dir, settings))
    counts: dict[str, int] = {}
    for row in rows:
        source = "simulated" if row["source"] == "simulated" else "real"
        key = f"{source}:{row['outcome']}"
        counts[key] = counts.get(key, 0) + 1
    print(json.dumps({"step": "prepare", "rows": len(rows), "by_source_outcome": counts}))
    stage_dir = train(rows, settings["real_weight"], out_dir)
    seconds = round(time.perf_counter() - started, 1)
    print(json.dumps({"step": "train", "stage_dir": str(stage_dir), "wall_s": seconds}))
    report = evaluate_outcome(stage_dir, data_dir)
    (stage_dir / "eval_results.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({"step": "evaluate", **report}))
    return stage_dir


def main() -> None:
    job_main(run, PRESETS, __doc__.split("\n")[0])


if __name__ == "__main__":
    main()
