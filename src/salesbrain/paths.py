"""Where salesbrain finds shared data, caches and model artifacts.

Every location can be overridden by an environment variable so that tests, CI and
deployments never depend on the current working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def shared_data_dir() -> Path:
    """The real public data sets (`SALESBRAIN_DATA_DIR`, default `../shared/data`)."""
    env = os.environ.get("SALESBRAIN_DATA_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


def cache_dir() -> Path:
    """Per-user cache for converted pretrained weights (`SALESBRAIN_CACHE`)."""
    env = os.environ.get("SALESBRAIN_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "salesbrain"


def models_dir() -> Path:
    """Root of trained brains (`SALESBRAIN_MODELS`, default `models/` in the repo)."""
    env = os.environ.get("SALESBRAIN_MODELS")
    return Path(env) if env else REPO_ROOT / "models"


def labels_dir() -> Path:
    """Hand labels kept in the repository, by reference to the shared data sets."""
    return REPO_ROOT / "data" / "labels"
