"""The dialogue sets by name: where each lives under the data directory and its reader.

`load_conversations(name, data_dir)` returns a set's conversations as turns keyed by
conversation id, read once per file version. The names are the ones annotation references use
(`jddc`, `stc3`, `crosswoz`, `ecd`) plus the sets no purpose uses yet.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from salesbrain.datasets import crosswoz, ecd, fosaed, jddc21rec, jddc2018, jddc2019, stc3
from salesbrain.schema import Turn

Conversations = dict[str, tuple[Turn, ...]]

# name -> (file or folder under the data directory, reader of that path)
SOURCES: dict[str, tuple[str, Callable[[Path], Conversations]]] = {
    "jddc": (jddc2019.FILE, jddc2019.read_conversations),
    "stc3": (stc3.FILE, stc3.read_conversations),
    "crosswoz": (crosswoz.FILE, crosswoz.read_conversations),
    "ecd": (ecd.FILE, ecd.read_conversations),
    "jddc2018": (jddc2018.FOLDER, jddc2018.read_conversations),
    "fosaed": (fosaed.FILE, fosaed.read_conversations),
    "jddc21rec": (jddc21rec.FOLDER, jddc21rec.read_conversations),
}


def source_path(name: str, data_dir: Path) -> Path:
    """Where a set lives; an unknown name or a missing file fails naming it."""
    if name not in SOURCES:
        raise ValueError(f"unknown dataset {name!r}; known: {sorted(SOURCES)}")
    path = Path(data_dir) / SOURCES[name][0]
    if not path.exists():
        raise FileNotFoundError(f"{name} data not found at {path}")
    return path


@cache
def _conversations_cached(name: str, path: Path, mtime_ns: int) -> Conversations:
    return SOURCES[name][1](path)


def load_conversations(name: str, data_dir: Path) -> Conversations:
    """All conversations of one set as turns, keyed by conversation id (cached)."""
    path = source_path(name, data_dir)
    return _conversations_cached(name, path.resolve(), path.stat().st_mtime_ns)
