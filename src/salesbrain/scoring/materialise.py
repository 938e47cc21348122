"""What the manager's dashboard reads, computed once per data change by `salesbrain analyze`.

Scoring a brand reads every conversation (`facts_from_store`) and then scores every guide in
every period; on a brand of thousands of guides that is seconds to minutes, too slow for a
request. `materialise_dashboard` does it at the end of `analyze` and stores the results in the
`dashboard_snapshots` table, each tagged with the store's `data_stamp`:

- `facts`: the columnar `ConversationFacts` (drill-down, trends, coaching read them);
- `scores:week`, `scores:month`, `scores:all`: every guide's scorecard per period;
- `segments`: every store's willingness, ability and segment, computed brand-wide;
- `daily`: per guide and day, the sums the trends add up (`salesbrain.scoring.daily`).

A reader uses a snapshot only while its stamp equals the store's current one; new messages,
labels, orders, tasks or guides make it stale, and the reader computes as before until the
next `analyze`. The payloads are plain numpy arrays and JSON (never pickle): reading one runs
no code from the store.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import math
import time
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import Any, TypeVar

import numpy as np

from salesbrain.db import Database
from salesbrain.db.snapshots import (
    current_stamp,
    read_snapshot,
    snapshot_stamp,
    write_snapshots,
)
from salesbrain.schema import Guide
from salesbrain.scoring.daily import DailyActivity, daily_activity
from salesbrain.scoring.facts import ConversationFacts
from salesbrain.scoring.labels import facts_from_store
from salesbrain.scoring.scorecard import ScorecardTable, score_guides
from salesbrain.scoring.segments import store_segments

logger = logging.getLogger(__name__)
PERIOD_KINDS = ("week", "month", "all")
SEGMENT_THRESHOLD = 50.0
_SEPARATOR = "\x00"
T = TypeVar("T")


def materialise_dashboard(store: Database) -> dict[str, Any]:
    """Compute and store every dashboard snapshot of the tenant at its current data stamp;
    returns the seconds each part took and the payload sizes."""
    started = time.perf_counter()
    stamp = current_stamp(store)
    facts = facts_from_store(store)
    timings = {"facts_s": time.perf_counter() - started}
    roster = store.guides()
    payloads = {"facts": facts_payload(facts)}
    for period in PERIOD_KINDS:
        mark = time.perf_counter()
        payloads[f"scores:{period}"] = scores_payload(
            score_guides(facts, roster, {"period": period}))
        timings[f"scores_{period}_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    payloads["segments"] = _json_payload(brand_segments(facts, roster))
    timings["segments_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    payloads["daily"] = columns_payload(daily_activity(facts))
    timings["daily_s"] = time.perf_counter() - mark
    write_snapshots(store, stamp, payloads)
    return {**{k: round(v, 3) for k, v in timings.items()},
            "seconds": round(time.perf_counter() - started, 3),
            "bytes": sum(len(p) for p in payloads.values()), "conversations": len(facts)}


def ensure_materialised(store: Database) -> dict[str, Any] | None:
    """Materialise the dashboard unless its snapshots are already at the current data stamp
    (then None)."""
    if snapshot_stamp(store, "facts") == current_stamp(store):
        return None
    return materialise_dashboard(store)


def brand_segments(facts: ConversationFacts, roster: Sequence[Guide]) -> list[dict[str, Any]]:
    """Every store's segment over the whole brand (50 points = the brand average), as the
    plain dictionaries the snapshot stores."""
    found = store_segments(facts, roster, threshold=SEGMENT_THRESHOLD) if len(facts) else []
    return finite([asdict(segment) for segment in found])  # type: ignore[no-any-return]


def read_materialised(store: Database, kind: str, stamp: str) -> Any | None:
    """The decoded snapshot of `kind` computed at `stamp`, or None when there is none."""
    found = read_snapshot(store, kind, stamp)
    if found is None:
        return None
    try:
        if kind == "facts":
            return facts_from_payload(found.payload)
        if kind == "daily":
            return columns_from_payload(DailyActivity, found.payload)
        return json.loads(gzip.decompress(found.payload))
    except (KeyError, TypeError, ValueError, OSError, EOFError, zlib.error,
            zipfile.BadZipFile) as error:
        # e.g. written by an older version in another layout: computed afresh instead
        logger.warning("dashboard snapshot %r of tenant %s unreadable (%s: %s); computing it",
                       kind, store.tenant, type(error).__name__, error)
        return None


# --- payloads ---------------------------------------------------------------------------------

def facts_payload(facts: ConversationFacts) -> bytes:
    return columns_payload(facts)


def facts_from_payload(payload: bytes) -> ConversationFacts:
    return columns_from_payload(ConversationFacts, payload)


def columns_payload(columns: Any) -> bytes:
    """A dataclass of numpy columns as a compressed .npz: arrays as they are, string lists
    NUL-joined, other fields as JSON."""
    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, Any] = {}
    for field in fields(columns):
        value = getattr(columns, field.name)
        if isinstance(value, np.ndarray):
            arrays[field.name] = value
        elif isinstance(value, list):
            if any(_SEPARATOR in item for item in value):
                raise ValueError(f"{field.name}: an id contains a NUL character")
            arrays[field.name] = np.frombuffer(_SEPARATOR.join(value).encode(), np.uint8)
            meta[f"{field.name}.count"] = len(value)
        else:
            meta[field.name] = value
    arrays["_meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def columns_from_payload(kind: type[T], payload: bytes) -> T:
    """The dataclass `columns_payload` stored; fields it cannot take as arguments are set
    after."""
    with np.load(io.BytesIO(payload), allow_pickle=False) as stored:
        meta = json.loads(stored["_meta"].tobytes())
        values: dict[str, Any] = {}
        for field in fields(kind):  # type: ignore[arg-type]
            if f"{field.name}.count" in meta:
                text = stored[field.name].tobytes().decode()
                values[field.name] = text.split(_SEPARATOR) if meta[f"{field.name}.count"] else []
            elif field.name in stored:
                values[field.name] = stored[field.name]
            else:
                values[field.name] = meta[field.name]
    later = {f.name: values.pop(f.name) for f in fields(kind)  # type: ignore[arg-type]
             if not f.init}
    made = kind(**values)
    for name, value in later.items():
        setattr(made, name, value)
    return made


def scores_payload(table: ScorecardTable) -> bytes:
    """Every card of the table (oldest period first) and the period labels."""
    position = {label: i for i, label in enumerate(table.period_labels)}
    cards = sorted((asdict(card) for card in table.cards()),
                   key=lambda card: position[card["period"]])
    return _json_payload({"periods": list(table.period_labels), "cards": cards})


def _json_payload(value: Any) -> bytes:
    return gzip.compress(json.dumps(finite(value), ensure_ascii=False,
                                    separators=(",", ":")).encode(), compresslevel=1)


def finite(value: Any) -> Any:
    """NaN and infinities become None (JSON has no such numbers); tuples become lists."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value
