"""Pipeline stages and their registry.

Every stage follows one contract (scikit-learn's estimator rules, setfit's model verbs):

- the constructor only stores settings; learned state ends in `_` (`label2id_`, `threshold_`);
- `fit(examples, ...) -> self`;
- `predict(batch) -> list[result]` is pure: typed results, the input is never mutated;
- `save_pretrained(directory)` writes `config.json`, weights as safetensors (or JSON),
  `labels.json` where labels exist, `train_args.json` and `version.json`;
- `from_pretrained(directory)` is a classmethod that restores an equal stage.

`STAGES` maps a stage name to its class; a brain directory names the stages it holds.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

StageClass = TypeVar("StageClass", bound=type[Any])

STAGES: dict[str, type[Any]] = {}


def register_stage(name: str) -> Callable[[StageClass], StageClass]:
    """Class decorator adding a stage to `STAGES` under `name`."""

    def add(cls: StageClass) -> StageClass:
        if name in STAGES and STAGES[name] is not cls:
            raise ValueError(f"stage name {name!r} is already registered")
        cls.name = name
        STAGES[name] = cls
        return cls

    return add


# Stage name -> module; a module is imported only when a brain needs the stage.
STAGE_MODULES: dict[str, str] = {
    name: f"salesbrain.stages.{name}"
    for name in ("compliance", "intent", "sentiment", "outcome", "quality", "suggest")
}


def stage_class(name: str) -> type[Any]:
    """The class registered under `name`, importing its module on first use."""
    if name not in STAGE_MODULES:
        raise KeyError(f"unknown stage {name!r}; known: {', '.join(STAGE_MODULES)}")
    importlib.import_module(STAGE_MODULES[name])
    return STAGES[name]


def load_all_stages() -> dict[str, type[Any]]:
    """Import every stage module so the registry is complete (cheap: no model loads)."""
    for name in STAGE_MODULES:
        stage_class(name)
    return STAGES
