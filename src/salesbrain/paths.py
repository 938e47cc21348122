"""Where salesbrain finds shared data, caches and model artifacts.

Every location can be overridden by an environment variable so that tests, CI and
deployments need not depend on the current working directory. The defaults lie inside the
source checkout; an installed package (no checkout) uses the directory it runs in instead.
"""

from __future__ import annotations

import os
from pathlib import Path


def _checkout_root() -> Path | None:
    """The source checkout this library runs from, or None when it is an installed package."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "src").is_dir() else None


# The source checkout, or None for an installed package (no git commit to stamp then).
CHECKOUT_ROOT = _checkout_root()
# The project directory below which `models/`, `var/` and `data/annotations/` are found: the
# checkout, or, for an installed package, the directory the command runs in (as the default
# database `sqlite:///var/salesbrain.db` already is).
REPO_ROOT = CHECKOUT_ROOT or Path.cwd()


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
    """Root of trained brains (`SALESBRAIN_MODELS`, default `models/` of the project dir)."""
    env = os.environ.get("SALESBRAIN_MODELS")
    return Path(env) if env else REPO_ROOT / "models"


def annotations_dir() -> Path:
    """Hand annotations, by reference to the shared data sets (`SALESBRAIN_ANNOTATIONS_DIR`,
    default the repository's `data/annotations/`). They describe the shared data, so an
    installed package that trains or evaluates on `../shared/data` is pointed at them like at
    the data itself."""
    env = os.environ.get("SALESBRAIN_ANNOTATIONS_DIR")
    directory = Path(env) if env else REPO_ROOT / "data" / "annotations"
    if not directory.is_dir():
        raise FileNotFoundError(
            f"hand annotations not found at {directory}: set SALESBRAIN_ANNOTATIONS_DIR to the "
            "data/annotations directory of a salesbrain checkout")
    return directory
