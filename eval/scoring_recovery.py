"""Do scorecards recover the guides' latent skills? Simulate, ingest, score, compare.

Run:
    .venv/bin/python -m eval.scoring_recovery                       # 40 guides, 30 days
    .venv/bin/python -m eval.scoring_recovery --guides 15 --customers 300 --days 7

The simulated brand (`salesbrain.simulate`) gives every guide a latent talent and five skills.
The brand is ingested into a temporary SQLite store and scored on the real path
(`facts_from_store` -> `score_guides`, one period). Compliance hits are the labels
`analyze_store` stores with a brain of the rule-based compliance stage alone; no quality model
is used: reply quality is the brand-calibrated one (`salesbrain.scoring.reply_quality`, fitted on
the outcomes below and cross-fitted by guide), compared with persuasion and talent, with its
reliability (below 0.5 the scorecard shows it as not informative).

Conversation outcomes are needed for conversion. Two sources are measured in the same run:
- `rule`: no outcome labels, so the documented fallback of `salesbrain.scoring.features`
  (an attributed order -> purchased, no customer message -> no_reply, else lost);
- `truth`: the simulator's true outcomes, standing in for a perfect outcome stage.

Printed: Spearman between each latent skill and its component (speed vs -first_response_s,
coverage vs reply_coverage, task_execution vs task_execution_rate, persuasion vs
conversion_rate, compliance vs -compliance_violations) and between talent and the composite,
for raw values and shrunk estimates. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr

from salesbrain.analysis import analyze_store
from salesbrain.brain import write_manifest
from salesbrain.db import Database
from salesbrain.db.activity import message_conversations
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.scoring import ConversationInputs, facts_from_store, score_guides
from salesbrain.scoring.reply_quality import reliability
from salesbrain.simulate import simulate_brand
from salesbrain.stages.compliance import ComplianceStage

PAIRS = (  # latent skill, component, sign that makes "better" positive
    ("speed", "first_response_s", -1),
    ("coverage", "reply_coverage", 1),
    ("task_execution", "task_execution_rate", 1),
    ("persuasion", "conversion_rate", 1),
    ("compliance", "compliance_violations", -1),
)


def ingest_brand(brand_dir: Path, db_path: Path) -> Database:
    store = Database.open(f"sqlite:///{db_path}", tenant="recovery")
    ingestor = Ingestor(store)
    ingestor.ingest_brand_tables(brand_dir)
    ingestor.ingest_messages(brand_dir / "archive.jsonl")
    brain_dir = db_path.parent / "compliance-brain"
    ComplianceStage().fit().save_pretrained(brain_dir / "compliance")
    write_manifest(brain_dir, "recovery", ["compliance"], {})
    analyze_store(store, brain_dir)
    return store


def true_outcomes(store: Database, truth: dict[str, Any]) -> dict[str, str]:
    """The simulator's outcome per stored conversation, matched by its first message."""
    first = {c["first_msgid"]: c["outcome"] for c in truth["conversations"]}
    outcomes: dict[str, str] = {}
    for msgid, cid in message_conversations(store):
        if msgid in first:
            outcomes.setdefault(cid, first[msgid])
    return outcomes


def recovery(store: Database, truth: dict[str, Any], inputs: ConversationInputs) -> dict[str, Any]:
    facts = facts_from_store(store, inputs=inputs)
    table = score_guides(facts, store.guides(), {"period": "all"})
    guides = [table.group_ids[g] for g in table.group]
    cells = [table.cell(i) for i in range(len(table))]

    def latent(skill: str) -> np.ndarray:
        return np.array([truth["guides"][g][skill] for g in guides])

    result: dict[str, Any] = {"guides": len(guides), "conversations": len(facts),
                              "inferred_outcomes": facts.inferred_outcomes}
    for skill, name, sign in PAIRS:
        component = table.components[name]
        result[f"{skill}_vs_{name}"] = {
            "raw": _spearman(latent(skill), sign * component.value[cells]),
            "shrunk": _spearman(latent(skill), sign * component.estimate[cells])}
    quality = table.components["quality"]
    result["quality_source"] = facts.quality_source
    result["quality_reliability"] = round(reliability(facts.guide, facts.quality), 4)
    for skill in ("persuasion", "talent"):
        result[f"{skill}_vs_quality"] = {
            "raw": _spearman(latent(skill), quality.value[cells]),
            "shrunk": _spearman(latent(skill), quality.estimate[cells])}
    result["prior_strength"] = {name: round(float(c.prior.strength[0]), 1)
                                for name, c in table.components.items() if c.n.sum() > 0}
    result["talent_vs_score"] = _spearman(latent("talent"), table.score)
    skills = np.mean([latent(skill) for skill, _, _ in PAIRS], axis=0)
    result["mean_skill_vs_score"] = _spearman(skills, table.score)
    return result


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    return round(float(spearmanr(a, b, nan_policy="omit")[0]), 4)


def run(guides: int, customers: int, days: int, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="recovery-") as tmp:
        brand_dir = Path(tmp) / "brand"
        simulate_brand(brand_dir, guides=guides, customers=customers, days=days, seed=seed)
        truth = json.loads((brand_dir / "truth.json").read_text(encoding="utf-8"))
        store = ingest_brand(brand_dir, Path(tmp) / "store.db")
        by_rule = recovery(store, truth, ConversationInputs())
        by_truth = recovery(store, truth, ConversationInputs(outcomes=true_outcomes(store, truth)))
        store.engine.dispose()
    return {"brand": {"guides": guides, "customers": customers, "days": days, "seed": seed},
            "outcomes_by_rule": by_rule, "outcomes_from_truth": by_truth}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--guides", type=int, default=40)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    result = run(args.guides, args.customers, args.days, args.seed)
    for source in ("outcomes_by_rule", "outcomes_from_truth"):
        print(f"[{source}]")
        for key, value in result[source].items():
            print(f"  {key}: {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
