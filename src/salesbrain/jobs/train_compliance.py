"""Compliance: configured, not learned. Writes the brand's rule lists as a stage directory.

    python -m salesbrain.jobs.train_compliance --out /tmp/brain [--rules brand_rules.json]

Per-brand overrides (extra terms, active campaigns, severities) are merged strictly over the
defaults in `salesbrain/resources/compliance_default.json`: an unknown key fails.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from salesbrain.stages.compliance import ComplianceStage

PRESETS: dict[str, dict[str, object]] = {"small": {}, "benchmark": {}, "full": {}}


def run(preset: str, out_dir: Path, data_dir: Path, device: str = "cpu",
        rules: Path | None = None) -> Path:
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}")
    overrides = json.loads(rules.read_text(encoding="utf-8")) if rules else None
    stage = ComplianceStage().fit(overrides)
    target = Path(out_dir) / "compliance"
    stage.save_pretrained(target)
    return target


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Write the compliance stage.")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rules", type=Path, default=None)
    parser.add_argument("--preset", default="small")
    args = parser.parse_args()
    print(run(args.preset, args.out, Path("."), rules=args.rules))
