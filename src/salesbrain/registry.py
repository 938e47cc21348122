"""The brain registry on disk: versions under `models/brains/`, the live one in `registry.json`.

Promotion compares the candidate's `eval_results.json` with the live brain's on every metric
both measured on the same eval set; a candidate that is worse on any of them beyond a small
tolerance is refused, unless forced.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from salesbrain.artifacts import read_json, write_json
from salesbrain.brain import EVAL_RESULTS, MANIFEST
from salesbrain.paths import models_dir

REGISTRY_FILE = "registry.json"
TOLERANCE = 0.005
# Metrics where a larger value is worse; every other reported metric is better when larger.
LOWER_IS_BETTER = {"latency_p50_ms", "latency_p95_ms", "ece"}


class PromotionRefused(RuntimeError):
    """The candidate brain measured worse than the live one."""


class BrainRegistry:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else models_dir()
        self.brains = self.root / "brains"

    def versions(self) -> list[str]:
        if not self.brains.is_dir():
            return []
        return sorted(p.name for p in self.brains.iterdir() if (p / MANIFEST).is_file())

    def brain_dir(self, version: str) -> Path:
        path = self.brains / version
        if not (path / MANIFEST).is_file():
            raise FileNotFoundError(f"no brain {version!r} under {self.brains}")
        return path

    def _state(self) -> dict[str, Any]:
        path = self.root / REGISTRY_FILE
        return dict(read_json(path)) if path.is_file() else {"live": None, "history": []}

    def live_version(self) -> str | None:
        live = self._state().get("live")
        return str(live) if live else None

    def live_dir(self) -> Path:
        live = self.live_version()
        if live is None:
            raise FileNotFoundError(f"no live brain in {self.root}: train one and promote it")
        return self.brain_dir(live)

    def promote(self, version: str, force: bool = False) -> None:
        candidate = self.brain_dir(version)
        state = self._state()
        live = state.get("live")
        if live and live != version and not force:
            regressions = compare_eval(_eval(self.brain_dir(live)), _eval(candidate))
            if regressions:
                raise PromotionRefused(
                    f"{version} is worse than live {live}: " + "; ".join(regressions)
                )
        if live and live != version:
            state["history"] = [*state.get("history", []), live]
        state["live"] = version
        self._write(state)

    def _write(self, state: dict[str, Any]) -> None:
        # Replicas read the pointer while it is written: they see the old file or the new one.
        path = self.root / REGISTRY_FILE
        partial = path.with_name(f".{REGISTRY_FILE}.{os.getpid()}.tmp")
        write_json(partial, state)
        os.replace(partial, path)

    def rollback(self) -> str:
        state = self._state()
        history = list(state.get("history", []))
        if not history:
            raise ValueError("nothing to roll back to: no earlier live brain")
        state["live"] = history.pop()
        state["history"] = history
        self._write(state)
        return str(state["live"])

    def describe(self) -> list[str]:
        live = self.live_version()
        return [f"{'*' if v == live else ' '} {v}" for v in self.versions()]


def _eval(directory: Path) -> dict[str, Any]:
    path = directory / EVAL_RESULTS
    return dict(read_json(path)) if path.is_file() else {}


def compare_eval(live: dict[str, Any], candidate: dict[str, Any]) -> list[str]:
    """Regressions of `candidate` against `live` on eval sets both were measured on.

    Each eval results file maps an eval-set id (name + data fingerprint) to its metrics.
    """
    regressions = []
    for eval_set, live_metrics in live.items():
        theirs = candidate.get(eval_set)
        if not isinstance(theirs, dict) or not isinstance(live_metrics, dict):
            continue
        for metric, old in live_metrics.items():
            new = theirs.get(metric)
            if not _comparable(old, new) or metric in ("n",):
                continue
            worse = new > old + TOLERANCE if metric in LOWER_IS_BETTER else new < old - TOLERANCE
            if worse:
                regressions.append(f"{eval_set}.{metric} {new:.4f} vs {old:.4f}")
    return regressions


def _comparable(old: Any, new: Any) -> bool:
    numbers = (int, float)
    return isinstance(old, numbers) and isinstance(new, numbers) and not isinstance(old, bool)


def resolve_brain_dir(brain: Path | None, registry: BrainRegistry | None = None) -> Path:
    """An explicit brain directory, else the registry's live brain."""
    if brain is not None:
        return Path(brain)
    return (registry or BrainRegistry()).live_dir()
