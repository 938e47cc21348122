"""Pipeline stages and their registry.

Every stage follows one contract, `salesbrain.stages.base.Stage` (scikit-learn's estimator
rules, setfit's model verbs, spaCy's predict/set_annotations):

- the constructor only stores settings; learned state ends in `_` (`label2id_`, `threshold_`);
- `fit(examples, ...) -> self`;
- `predict(batch) -> list[result]` is pure: typed results, the input is never mutated;
- `save_pretrained(directory)` writes `config.json`, weights as safetensors (or JSON),
  `labels.json` where labels exist, `train_args.json` and `version.json`;
- `from_pretrained(directory, overrides=...)` is a classmethod that restores an equal stage;
- `annotate` / `annotate_suggestion` put the stage's predictions into a brain's results.

`STAGE_MODULES` lists every stage once, in the order a brain runs and lists them. Adding a
stage: its module (a class decorated with `@register_stage(name)`), one line here, and the
table its outputs are stored in.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TypeVar

from salesbrain.stages.base import Stage

# Every stage, once, in order: name -> module. A module is imported only when it is needed.
STAGE_MODULES: dict[str, str] = {
    "compliance": "salesbrain.stages.compliance",
    "intent": "salesbrain.stages.intent",
    "sentiment": "salesbrain.stages.sentiment",
    "outcome": "salesbrain.stages.outcome",
    "quality": "salesbrain.stages.quality",
    "suggest": "salesbrain.stages.suggest",
}
STAGE_ORDER: tuple[str, ...] = tuple(STAGE_MODULES)

STAGES: dict[str, type[Stage]] = {}  # filled as stage modules are imported

StageClass = TypeVar("StageClass", bound=type[Stage])


def register_stage(name: str) -> Callable[[StageClass], StageClass]:
    """Class decorator adding a stage to `STAGES`; mypy checks the class against `Stage`."""

    def add(cls: StageClass) -> StageClass:
        if STAGE_MODULES.get(name) != cls.__module__:
            raise ValueError(f"stage {name!r} ({cls.__module__}) is not listed in STAGE_MODULES")
        if cls.name != name:
            raise ValueError(f"stage class {cls.__name__} is named {cls.name!r}, not {name!r}")
        if name in STAGES and STAGES[name] is not cls:
            raise ValueError(f"stage name {name!r} is already registered")
        STAGES[name] = cls
        return cls

    return add


def stage_class(name: str) -> type[Stage]:
    """The class registered under `name`, importing its module on first use."""
    if name not in STAGE_MODULES:
        raise KeyError(f"unknown stage {name!r}; known: {', '.join(STAGE_MODULES)}")
    importlib.import_module(STAGE_MODULES[name])
    return STAGES[name]


def load_all_stages() -> dict[str, type[Stage]]:
    """Import every stage module so the registry is complete (cheap: no model loads)."""
    for name in STAGE_MODULES:
        stage_class(name)
    return STAGES
