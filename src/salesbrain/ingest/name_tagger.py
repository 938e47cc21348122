"""A learned tagger for person names and addresses that redaction rules cannot see.

Rules find names after a cue (我叫/收件人) or before a salutation (王先生); customers also write
王阿姨, 店长杨丽, 朋友林晓婷, 小美, 【国贸店 导购 周佳怡】 and 香港广场南座 3801. This module tags
such spans with a character CRF (python-crfsuite) behind a cheap gate:

>>> tagger = default_tagger()
>>> text = "店长杨丽说明天到货"
>>> tagger.spans([text]) if tagger and tagger.wants(text) else None  # doctest: +SKIP
[[('person_name', 2, 4)]]

`wants` is the gate: a precompiled regex for cue words (kinship, role, title), signature
brackets and address shapes, and a scan for a surname or nickname character that does not
start an ordinary word (高兴, 小时: learned from real de-identified chat). Only what it passes
is tagged, so ingestion pays for the CRF on a minority of messages, and those are decoded
together, a batch at a time, with numpy (`name_tagger_crf`; training still uses CRFsuite).

Span conventions follow `redact`: 王先生 and 王阿姨 tag the surname only, a full name with a
title tags the full name, a nickname (小美, 朵朵, 阿强) tags all of it, an address runs from
its first place component to its last number (room, floor, dorm).

An artifact is a directory holding `config.json` (settings, word lists, version stamp) and
`model.crfsuite` (crfsuite's own format). The model shipped with the package lives in
`salesbrain/resources/name_tagger/` and is rebuilt by `training/train_name_tagger.py`.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import string
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from salesbrain.ingest import name_tagger_lexicon as lexicon_defaults
from salesbrain.ingest.name_tagger_crf import CrfWeights, Window, WindowRows, cue_rows

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
KINDS = ("person_name", "address")
MODEL_FILE = "model.crfsuite"
Span = tuple[str, int, int]
Example = tuple[str, Sequence[Span]]
_LABEL_OF_KIND = {"person_name": "N", "address": "A"}
_KIND_OF_LABEL = {v: k for k, v in _LABEL_OF_KIND.items()}
_ATTRIBUTE_PREFIXES = ("c=", "c-1=", "c+1=", "b-=", "b+=", "b--=", "b++=", "t=", "k=", "kw=",
                       "q=", "ql=", "ql2=", "qr=")
_SMALL_BATCH = 16  # fewer gated messages than this are tagged one by one by CRFsuite
# The first ten attributes as windows over the padded text (0) and its classes (1); they must
# say what `_values` computes, which tests/ingest/test_redact_messages.py checks against CRFsuite.
_WINDOWS = (Window("c=", 0, (0,)), Window("c-1=", 0, (-1,)), Window("c+1=", 0, (1,)),
            Window("b-=", 0, (-1, 0)), Window("b+=", 0, (0, 1)), Window("b--=", 0, (-2, -1)),
            Window("b++=", 0, (1, 2)), Window("t=", 0, (-1, 0, 1)), Window("k=", 1, (-1, 0, 1)),
            Window("kw=", 1, (-2, -1, 0, 1, 2)))


@dataclass(frozen=True)
class TaggerSettings:
    """CRF training settings (L1/L2 weights, iterations, rare features dropped)."""

    c1: float = 0.05
    c2: float = 0.01
    max_iterations: int = 120
    min_feature_freq: int = 2

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TaggerSettings:
        return cls(**_strict(cls, values, "settings"))


@dataclass(frozen=True)
class Lexicon:
    """The gate's and the features' word lists (see `name_tagger_lexicon`)."""

    surnames: str = lexicon_defaults.SURNAMES
    compound_surnames: tuple[str, ...] = lexicon_defaults.COMPOUND_SURNAMES
    nickname_prefixes: str = lexicon_defaults.NICKNAME_PREFIXES
    not_given: str = lexicon_defaults.NOT_GIVEN
    cues: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(lexicon_defaults.CUES))
    gate_words: tuple[str, ...] = lexicon_defaults.GATE_WORDS
    gate_patterns: tuple[str, ...] = lexicon_defaults.GATE_PATTERNS
    common_words: tuple[str, ...] = lexicon_defaults.COMMON_WORDS

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Lexicon:
        values = _strict(cls, values, "lexicon")
        for key in ("compound_surnames", "gate_words", "gate_patterns", "common_words"):
            if key in values:
                values[key] = tuple(values[key])
        if "cues" in values:
            values["cues"] = {k: tuple(v) for k, v in values["cues"].items()}
        return cls(**values)


def _strict(cls: type, values: dict[str, Any], what: str) -> dict[str, Any]:
    unknown = set(values) - {f.name for f in fields(cls)}
    if unknown:
        raise ValueError(f"name tagger {what}: unknown keys {sorted(unknown)}")
    return dict(values)


class _Compiled:
    """Regexes and sets built once from a lexicon, shared by the gate and the features."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.category = {w: cat for cat, words in lexicon.cues.items() for w in words}
        words = sorted(self.category, key=len, reverse=True)
        self.cue = re.compile("|".join(re.escape(w) for w in words))
        # Separate regexes, each starting with a literal or a character class, so that re
        # skips ahead with its first-character check instead of trying every alternative.
        gate_words = [*lexicon.gate_words, *lexicon.compound_surnames]
        self.gates = [re.compile("|".join(map(re.escape, gate_words))),
                      *map(re.compile, lexicon.gate_patterns)]
        starts = re.escape(lexicon.surnames + lexicon.nickname_prefixes)
        not_given = re.escape(lexicon.not_given)
        self.starts = re.compile(
            rf"[{starts}](?![{not_given}])[\u4e00-\u9fff]|([\u4e00-\u9fff])\1")
        self.common = frozenset(lexicon.common_words)
        self.surnames = frozenset(lexicon.surnames)
        # One letter per character: S surname, N nickname prefix, H other CJK, D digit,
        # L Latin, W space; anything else stands for itself (punctuation is informative).
        classes = {code: "H" for code in range(0x4E00, 0xA000)}
        classes |= {ord(c): "D" for c in "0123456789０１２３４５６７８９"}
        classes |= {ord(c): "L" for c in string.ascii_letters}
        classes |= {ord(c): "W" for c in " \t\n\u3000"}
        classes |= {ord(c): "N" for c in lexicon.nickname_prefixes}
        self.classes = classes | {ord(c): "S" for c in lexicon.surnames}


class NameTagger:
    """Tags `person_name` and `address` spans; `wants` says which messages are worth it."""

    def __init__(self, settings: TaggerSettings | None = None,
                 lexicon: Lexicon | None = None) -> None:
        self.settings = settings or TaggerSettings()
        self.lexicon = lexicon or Lexicon()
        self.model_: bytes | None = None
        self.stamp_: dict[str, Any] = {}

    @functools.cached_property
    def _compiled(self) -> _Compiled:
        return _Compiled(self.lexicon)

    @functools.cached_property
    def _tagger(self) -> Any:
        import pycrfsuite

        if self.model_ is None:
            raise RuntimeError("NameTagger is not fitted: call fit() or from_pretrained()")
        tagger = pycrfsuite.Tagger()
        tagger.open_inmemory(self.model_)
        return tagger

    def wants(self, text: str) -> bool:
        """The cheap gate: could this message hold a name or an address at all?"""
        compiled = self._compiled
        if any(gate.search(text) for gate in compiled.gates):
            return True
        common = compiled.common
        surnames = compiled.surnames
        for m in compiled.starts.finditer(text):
            bigram, start = m.group(), m.start()
            # 师傅 and 运费 end in a surname: the bigram before it counts too (not before 小/阿,
            # where 我是小美 and 好的阿强 would be lost)
            before = text[start - 1:start + 1] if start and bigram[0] in surnames else ""
            if bigram not in common and before not in common:
                return True
        return False

    def openers(self, text: str) -> list[str]:
        """The bigrams that open the gate unless they are common words: a surname or nickname
        character with what follows it and with what precedes it, and doubled characters."""
        found = []
        for m in self._compiled.starts.finditer(text):
            found.append(m.group())
            if m.start() and "\u4e00" <= text[m.start() - 1] <= "\u9fff":
                found.append(text[m.start() - 1:m.start() + 1])
        return found

    @functools.cached_property
    def _decoder(self) -> tuple[CrfWeights, WindowRows, list[dict[str, int]]]:
        if self.model_ is None:
            raise RuntimeError("NameTagger is not fitted: call fit() or from_pretrained()")
        weights = CrfWeights.from_model(self.model_)
        cue_rows = weights.value_rows(_ATTRIBUTE_PREFIXES[len(_WINDOWS):])
        return weights, WindowRows(weights, _WINDOWS), cue_rows

    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        """`(kind, start, end)` per text, over the text as given (no gate applied here).

        The attributes of `features` are looked up as numbers for the whole batch and one
        Viterbi pass decodes it (`name_tagger_crf`); the labels are CRFsuite's own, and
        CRFsuite itself tags a batch of fewer than `_SMALL_BATCH` messages."""
        present = [t for t in texts if t]
        if len(present) < _SMALL_BATCH:  # numpy's per-call cost outweighs CRFsuite's per message
            return [_decode(self._tagger.tag(self.features(t))) if t else [] for t in texts]
        weights, windows, cue_tables = self._decoder
        lengths = np.array([len(t) for t in present])
        classes = self._compiled.classes
        sources = {0: "".join(["\x02\x02" + t + "\x03\x03" for t in present]),
                   1: "".join(["BB" + t.translate(classes) + "EE" for t in present])}
        # Character i of message k sits after k messages' four padding characters and its own two.
        positions = np.arange(lengths.sum()) + np.repeat(4 * np.arange(len(present)) + 2, lengths)
        rows = np.concatenate([windows.rows(sources, positions),
                               cue_rows(present, self._compiled.cue, self._compiled.category,
                                        cue_tables, weights.unknown_row)], axis=1)
        paths = iter(weights.viterbi(np.split(rows, np.cumsum(lengths)[:-1])))
        labels = weights.labels
        return [_decode([labels[i] for i in next(paths)]) if t else [] for t in texts]

    def fit(self, examples: Iterable[Example], stamp: dict[str, Any] | None = None) -> NameTagger:
        """Train the CRF on `(text, [(kind, start, end), ...])` pairs."""
        import pycrfsuite

        trainer = pycrfsuite.Trainer(verbose=False)
        for index, (text, gold) in enumerate(examples):
            if text:
                trainer.append(self.features(text), _encode(text, gold, index))
        trainer.set_params({"c1": self.settings.c1, "c2": self.settings.c2,
                            "max_iterations": self.settings.max_iterations,
                            "feature.minfreq": self.settings.min_feature_freq,
                            "feature.possible_transitions": True})
        with tempfile.TemporaryDirectory() as tmp:
            trainer.train(str(Path(tmp) / MODEL_FILE))
            self.model_ = (Path(tmp) / MODEL_FILE).read_bytes()
        self.__dict__.pop("_tagger", None)
        self.__dict__.pop("_decoder", None)
        self.stamp_ = dict(stamp or {})
        return self

    def save_pretrained(self, directory: Path) -> None:
        if self.model_ is None:
            raise RuntimeError("NameTagger is not fitted: nothing to save")
        directory.mkdir(parents=True, exist_ok=True)
        config = {"format_version": FORMAT_VERSION, "kinds": list(KINDS),
                  "settings": asdict(self.settings), "lexicon": asdict(self.lexicon),
                  "stamp": self.stamp_}
        (directory / "config.json").write_text(
            json.dumps(config, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        (directory / MODEL_FILE).write_bytes(self.model_)

    @classmethod
    def from_pretrained(cls, directory: Path) -> NameTagger:
        config = json.loads((Path(directory) / "config.json").read_text(encoding="utf-8"))
        if config.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{directory}/config.json: format_version "
                             f"{config.get('format_version')!r}, expected {FORMAT_VERSION}")
        tagger = cls(TaggerSettings.from_dict(config["settings"]),
                     Lexicon.from_dict(config["lexicon"]))
        tagger.model_ = (Path(directory) / MODEL_FILE).read_bytes()
        tagger.stamp_ = config.get("stamp", {})
        return tagger

    def features(self, text: str) -> list[tuple[str, ...]]:
        """Per character: the character and its neighbours, n-grams, classes, surname marks
        and the categories of cue words that cover, end just before or start just after it."""
        columns = [[prefix + x for x in values]
                   for prefix, values in zip(_ATTRIBUTE_PREFIXES, self._values(text), strict=True)]
        return list(zip(*columns, strict=True))

    def _values(self, text: str) -> tuple[Sequence[str], ...]:
        """The features' values column by column, in the order of `_ATTRIBUTE_PREFIXES`."""
        compiled = self._compiled
        n = len(text)
        cover, ends, starts = [""] * n, [""] * (n + 3), [""] * (n + 3)
        for m in compiled.cue.finditer(text):
            cat = compiled.category[m.group()]
            ends[m.end() + 2] = starts[m.start()] = cat
            cover[m.start():m.end()] = [cat] * (m.end() - m.start())
        c = "\x02\x02" + text + "\x03\x03"
        k = "BB" + text.translate(compiled.classes) + "EE"
        at = range(2, n + 2)
        # Built column by column: comprehensions over the whole text cost a fraction of a
        # per-character loop, and this runs on every message the gate passes.
        return (
            text, c[1:n + 1], c[3:n + 3], [c[p - 1:p + 1] for p in at],
            [c[p:p + 2] for p in at], [c[p - 2:p] for p in at],
            [c[p + 1:p + 3] for p in at], [c[p - 1:p + 2] for p in at],
            [k[p - 1:p + 2] for p in at], [k[p - 2:p + 3] for p in at],
            cover, ends[2:n + 2], ends[1:n + 1], starts[1:n + 1],
        )


def _encode(text: str, gold: Sequence[Span], index: int) -> list[str]:
    """BIO labels per character; an overlapping or unknown span is an error naming the record."""
    labels = ["O"] * len(text)
    for kind, start, end in sorted(gold, key=lambda s: s[1]):
        if kind not in _LABEL_OF_KIND or not 0 <= start < end <= len(text):
            raise ValueError(f"example {index} ({text[:30]!r}): bad span {(kind, start, end)}")
        if any(label != "O" for label in labels[start:end]):
            raise ValueError(f"example {index} ({text[:30]!r}): overlapping span at {start}")
        tag = _LABEL_OF_KIND[kind]
        labels[start:end] = ["B-" + tag] + ["I-" + tag] * (end - start - 1)
    return labels


def _decode(labels: Sequence[str]) -> list[Span]:
    found: list[Span] = []
    start, tag = -1, ""
    for i, label in enumerate([*labels, "O"]):
        if start >= 0 and (label == "O" or label.startswith("B-") or label[2:] != tag):
            found.append((_KIND_OF_LABEL[tag], start, i))
            start = -1
        if label != "O" and start < 0:
            start, tag = i, label[2:]
    return found


@functools.lru_cache(maxsize=1)
def default_tagger() -> NameTagger | None:
    """The tagger shipped with the package, loaded once; None (logged) where it is absent."""
    directory = resources.files("salesbrain") / "resources" / "name_tagger"
    if not (directory / "config.json").is_file():
        log.warning("no name tagger shipped at %s: names beyond the rules are not redacted",
                    directory)
        return None
    with resources.as_file(directory) as path:
        return NameTagger.from_pretrained(Path(path))
