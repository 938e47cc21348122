"""Decode a trained CRFsuite model over a whole batch of messages with numpy.

Tagging message by message through pycrfsuite costs a Python-to-C++ conversion of every
attribute string plus a call per message. Here the weights are read once from the model file
(CRFsuite's own `crf1d` format); the attributes that are character windows (`Window`) become
state rows through packed character codes and a binary search over the whole batch
(`WindowRows`), the cue attributes are written only where a cue is (`cue_rows`), and one Viterbi
pass runs over a padded batch. The arithmetic is CRFsuite's, in the same order (state weights
summed attribute by attribute, then ``max(prev + transition) + state``, the first label winning
a tie), so the labels are the ones `pycrfsuite.Tagger.tag` gives;
`tests/ingest/test_redact_messages.py` checks that on varied text.

>>> weights = CrfWeights.from_model(model_bytes)  # doctest: +SKIP
>>> weights.viterbi([ids_of_message_1, ids_of_message_2])  # doctest: +SKIP
[array([0, 0, 1, 2, 0]), array([3, 4, 4])]
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

_STATE, _TRANSITION = 0, 1  # CRFsuite's feature types (crf1dm.c: FT_STATE, FT_TRANS)
_HEADER = struct.Struct("<4sI4sIIIIIIIII")
_CHUNK = struct.Struct("<4sII")  # chunk id, size, number of items
_FEATURE = np.dtype([("type", "<u4"), ("src", "<u4"), ("dst", "<u4"), ("weight", "<f8")])
_PAD_GROUP = 256  # messages decoded together; sorted by length so padding stays small


def _cqdb_strings(model: bytes, offset: int, count: int) -> list[str]:
    """The strings of a CQDB chunk by id: its backward array gives each record's offset."""
    bwd_offset = struct.unpack_from("<I", model, offset + 20)[0]
    strings = []
    for index in range(count):
        record = offset + struct.unpack_from("<I", model, offset + bwd_offset + 4 * index)[0]
        size = struct.unpack_from("<I", model, record + 4)[0]  # the key's bytes and a NUL
        strings.append(model[record + 8:record + 7 + size].decode("utf-8"))
    return strings


@dataclass(frozen=True)
class CrfWeights:
    """Labels, attribute rows and weights of a linear-chain CRF.

    `state` has one row per known attribute plus a last row of zeros that every unknown
    attribute maps to; `transition[i, j]` scores label i followed by label j.
    """

    labels: tuple[str, ...]
    attribute_row: dict[str, int]
    state: np.ndarray
    transition: np.ndarray

    @classmethod
    def from_model(cls, model: bytes) -> CrfWeights:
        (magic, _, kind, _, _, n_labels, n_attrs, off_features, off_labels, off_attrs,
         _, _) = _HEADER.unpack_from(model)
        if magic != b"lCRF" or kind != b"FOMC":
            raise ValueError("not a CRFsuite crf1d model")
        chunk, _, n_features = _CHUNK.unpack_from(model, off_features)
        if chunk != b"FEAT":
            raise ValueError("CRFsuite model: no feature chunk where the header says")
        features = np.frombuffer(model, _FEATURE, n_features, off_features + _CHUNK.size)
        state = np.zeros((n_attrs + 1, n_labels))
        transition = np.zeros((n_labels, n_labels))
        for table, kind_code in ((state, _STATE), (transition, _TRANSITION)):
            chosen = features[features["type"] == kind_code]
            table[chosen["src"], chosen["dst"]] = chosen["weight"]
        attributes = _cqdb_strings(model, off_attrs, n_attrs)
        return cls(tuple(_cqdb_strings(model, off_labels, n_labels)),
                   {name: row for row, name in enumerate(attributes)}, state, transition)

    @property
    def unknown_row(self) -> int:
        return len(self.state) - 1

    def value_rows(self, prefixes: Sequence[str]) -> list[dict[str, int]]:
        """Per attribute prefix (``c=``), the state row of each value it takes in the model,
        so that a message's attributes need no string building to be looked up."""
        by_prefix: dict[str, dict[str, int]] = {prefix: {} for prefix in prefixes}
        for name, row in self.attribute_row.items():
            head, equals, value = name.partition("=")  # prefixes end at their first "="
            if (table := by_prefix.get(head + equals)) is not None:
                table[value] = row
        return list(by_prefix.values())

    def viterbi(self, rows: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Best label ids per message; `rows[m]` is (characters, attributes) of state rows."""
        paths: list[np.ndarray] = [np.empty(0, dtype=np.intp)] * len(rows)
        order = sorted(range(len(rows)), key=lambda m: len(rows[m]))
        for first in range(0, len(order), _PAD_GROUP):
            group = order[first:first + _PAD_GROUP]
            for m, path in zip(group, self._viterbi_padded([rows[m] for m in group]),
                               strict=True):
                paths[m] = path
        return paths

    def _viterbi_padded(self, rows: Sequence[np.ndarray]) -> list[np.ndarray]:
        lengths = np.array([len(r) for r in rows])
        width, n_labels = int(lengths.max()), len(self.labels)
        padded = np.full((len(rows), width, rows[0].shape[1]), self.unknown_row, dtype=np.intp)
        for m, r in enumerate(rows):
            padded[m, :len(r)] = r
        emission = self.state[padded[:, :, 0]]
        for column in range(1, padded.shape[2]):  # one attribute at a time, as CRFsuite adds
            emission += self.state[padded[:, :, column]]
        score = emission[:, 0].copy()
        back = np.broadcast_to(np.arange(n_labels), (len(rows), width, n_labels)).copy()
        for t in range(1, width):
            candidates = score[:, :, None] + self.transition  # [message, previous, next]
            best = candidates.argmax(axis=1)
            live = (t < lengths)[:, None]
            back[:, t] = np.where(live, best, back[:, t])
            score = np.where(live, candidates.max(axis=1) + emission[:, t], score)
        label = score.argmax(axis=1)
        path = np.empty((len(rows), width), dtype=np.intp)
        messages = np.arange(len(rows))
        for t in range(width - 1, -1, -1):
            path[:, t] = label
            label = back[messages, t, label]
        return [path[m, :n] for m, n in enumerate(lengths)]


@dataclass(frozen=True)
class Window:
    """An attribute whose value is the characters at `offsets` around each position of a
    padded source string (``b-=`` is the character before and the character itself)."""

    prefix: str
    source: int
    offsets: tuple[int, ...]


class WindowRows:
    """State rows of window attributes for every position of a batch, without building one
    attribute string: each known character gets a small code, a window's codes packed into
    one integer form its key, and the keys the model knows are found by binary search. A
    window holding any character the model never saw is unknown, as CRFsuite finds it."""

    def __init__(self, weights: CrfWeights, windows: Sequence[Window]) -> None:
        self.windows = tuple(windows)
        values: dict[str, dict[str, int]] = dict(
            zip((w.prefix for w in windows), weights.value_rows([w.prefix for w in windows]),
                strict=True))
        sources = {w.source for w in windows}
        self._codes: dict[int, np.ndarray] = {}
        self._bits: dict[int, int] = {}
        for source in sources:
            chars = sorted({c for w in windows if w.source == source
                            for value in values[w.prefix] for c in value})
            codes = np.zeros(0x110000, dtype=np.int64)  # 0: a character the model never saw
            codes[[ord(c) for c in chars]] = np.arange(1, len(chars) + 1)
            self._codes[source], self._bits[source] = codes, len(chars).bit_length()
        self._keys: list[tuple[np.ndarray, np.ndarray]] = []
        for w in windows:
            if self._bits[w.source] * len(w.offsets) > 62:
                raise ValueError(f"window {w.prefix} is too wide to pack into one integer")
            known = values[w.prefix]
            keys = np.array([self._pack(w, [[self._codes[w.source][ord(c)]] for c in value])[0]
                             for value in known], dtype=np.int64)
            order = np.argsort(keys)
            self._keys.append((keys[order], np.fromiter(known.values(), np.intp)[order]))
        self.unknown_row = weights.unknown_row

    def _pack(self, window: Window, codes: Sequence[Any]) -> np.ndarray:
        key = np.zeros(len(codes[0]), dtype=np.int64)
        for j, part in enumerate(codes):
            key |= np.asarray(part, dtype=np.int64) << (self._bits[window.source] * j)
        return key

    def rows(self, sources: dict[int, str], positions: np.ndarray) -> np.ndarray:
        """(positions, windows) state rows; `positions` index the joined source strings."""
        codes = {s: self._codes[s][np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)]
                 for s, text in sources.items()}
        out = np.empty((len(positions), len(self.windows)), dtype=np.intp)
        for column, (w, (keys, rows)) in enumerate(zip(self.windows, self._keys, strict=True)):
            source = codes[w.source]
            key = self._pack(w, [source[positions + offset] for offset in w.offsets])
            found = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
            out[:, column] = np.where(keys[found] == key, rows[found], self.unknown_row)
        return out


def cue_rows(texts: Sequence[str], cue: re.Pattern[str], category: dict[str, str],
             tables: Sequence[dict[str, int]], unknown: int) -> np.ndarray:
    """Rows of the four cue attributes of `NameTagger.features` (q: a cue covers the
    character, ql/ql2: one ends just before it or the one before, qr: one starts just after
    it) for every character of `texts`; only where a cue is do they differ from "no cue"."""
    q, ql, ql2, qr = tables
    total = sum(len(text) for text in texts)
    out = np.tile(np.array([t.get("", unknown) for t in tables], dtype=np.intp), (total, 1))
    start = 0
    for text in texts:
        n = len(text)
        for m in cue.finditer(text):  # in order: a later cue overwrites, as features() does
            cat = category[m.group()]
            out[start + m.start():start + m.end(), 0] = q.get(cat, unknown)
            if m.end() < n:
                out[start + m.end(), 1] = ql.get(cat, unknown)
            if m.end() + 1 < n:
                out[start + m.end() + 1, 2] = ql2.get(cat, unknown)
            if m.start() >= 1:
                out[start + m.start() - 1, 3] = qr.get(cat, unknown)
        start += n
    return out
