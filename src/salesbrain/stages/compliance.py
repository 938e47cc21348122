"""Compliance: rule hits on guide messages (taxonomy v1, section 4).

Pure precompiled regular expressions over a normalised copy of each message: full-width to
half-width (NFKC), lower case, spacing and decorative separators removed ("加 我 微 信"),
homophones and variant spellings mapped ("V信", "威信", "vx" -> "微信") and runs of Chinese
numerals turned into digits. Every normalised character remembers the original span it came
from, so hits are reported in the original text.

The default lists live in `resources/compliance_default.json`, except the spellings of 微信 and
QQ, which come from `salesbrain.contact_cues` (the redactor reads the same list); a brand
overrides them with `fit(config_overrides)`, merged strictly (an unknown key or a wrong type
fails).

>>> stage = ComplianceStage().fit()
>>> [hit.category for hit in stage.predict(["加 我 V 信 吧"])[0]]
['off_platform']
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from salesbrain.artifacts import merge_settings, read_json, version_stamp, write_json
from salesbrain.contact_cues import CUE_CHARACTERS, CUE_PHRASES
from salesbrain.schema import Message, MessageType, Role
from salesbrain.stages import register_stage
from salesbrain.stages.base import (
    AnalysisBatch,
    ConversationAnalysis,
    MessageCompliance,
    SuggestionRequest,
    SuggestionResult,
    by_conversation,
    messages_of,
)

Severity = Literal["low", "medium", "high"]
CATEGORIES: tuple[str, ...] = (
    "off_platform", "unauthorised_discount", "abusive_pressure", "customer_data_leak",
)
SEVERITIES: tuple[str, ...] = ("low", "medium", "high")
_OPEN_SECTIONS = frozenset({"homophones", "phrases", "rules"})
_RULE_KEYS = {"category": str, "severity": str, "excused_by_campaign": bool, "patterns": list}
_CHINESE_DIGITS = str.maketrans("零〇一二三四五六七八九", "00123456789")
_NUMERAL_CHARS = "0123456789零〇一二三四五六七八九"
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")


@dataclass(frozen=True, slots=True)
class ComplianceHit:
    rule: str
    category: str
    severity: Severity
    start: int
    end: int
    matched: str


@dataclass(frozen=True, slots=True)
class ComplianceSettings:
    drop_contained_hits: bool = True  # one phrase caught by two rules of a category counts once


def default_config() -> dict[str, Any]:
    """The shipped default lists (a fresh copy)."""
    text = resources.files("salesbrain").joinpath("resources", "compliance_default.json")
    config = json.loads(text.read_text(encoding="utf-8"))
    config["homophones"] = {**CUE_CHARACTERS, **config["homophones"]}
    config["phrases"] = {**CUE_PHRASES, **config["phrases"]}
    return config


def merge_config(defaults: dict[str, Any], overrides: dict[str, Any], where: str = "") -> dict:
    """Strict recursive merge: lists and scalars replace, dicts merge key by key.

    Only the open sections (new rules, homophones, variant phrases) accept new keys.
    """
    merged = copy.deepcopy(defaults)
    open_section = where in _OPEN_SECTIONS
    for key, value in overrides.items():
        path = f"{where}.{key}" if where else key
        if key not in merged:
            if not open_section:
                raise ValueError(f"unknown compliance config key {path!r}")
            merged[key] = copy.deepcopy(value)
            continue
        current = merged[key]
        if isinstance(current, dict) and isinstance(value, dict):
            merged[key] = merge_config(current, value, path)
        elif type(value) is not type(current) and not _numeric_pair(current, value):
            raise TypeError(f"compliance config {path!r} must be {type(current).__name__}")
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _numeric_pair(current: Any, value: Any) -> bool:
    return {type(current), type(value)} <= {int, float}


def validate_config(config: dict[str, Any]) -> None:
    for rule_id, spec in config["rules"].items():
        if set(spec) != set(_RULE_KEYS):
            raise ValueError(f"compliance rule {rule_id!r} needs exactly keys {sorted(_RULE_KEYS)}")
        for key, kind in _RULE_KEYS.items():
            if not isinstance(spec[key], kind):
                raise TypeError(f"compliance rule {rule_id!r}: {key!r} must be {kind.__name__}")
        _check_category(spec["category"], rule_id)
        _check_severity(spec["severity"], rule_id)
    for category, severity in config["term_severity"].items():
        _check_category(category, "term_severity")
        _check_severity(severity, f"term_severity.{category}")
    for category in config["terms"]:
        _check_category(category, "terms")
    _check_severity(config["red_packet"]["severity"], "red_packet")


def _check_category(category: str, where: str) -> None:
    if category not in CATEGORIES:
        raise ValueError(f"{where}: unknown compliance category {category!r}")


def _check_severity(severity: str, where: str) -> None:
    if severity not in SEVERITIES:
        raise ValueError(f"{where}: severity must be one of {SEVERITIES}, got {severity!r}")


class Normaliser:
    """Maps a message to its matching form plus, per character, the original span."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.separators = frozenset(config["separators"])
        # brand lists may spell keys as people type them ("V信"): fold them like the text
        self.homophones: dict[str, str] = {self._fold(k): v for k, v in
                                           config["homophones"].items() if self._fold(k)}
        folded = {self._fold(k): v for k, v in config["phrases"].items() if self._fold(k)}
        self.phrases: dict[str, list[tuple[str, str]]] = {}
        for variant, canonical in sorted(folded.items(), key=lambda kv: -len(kv[0])):
            self.phrases.setdefault(variant[0], []).append((variant, canonical))
        self.numeral_run = re.compile(f"[{_NUMERAL_CHARS}]{{{config['numeral_run_min']},}}")

    def _fold(self, text: str) -> str:
        return "".join(piece for piece in unicodedata.normalize("NFKC", text).lower()
                       if not piece.isspace() and piece not in self.separators)

    def __call__(self, text: str) -> tuple[str, list[int], list[int]]:
        chars = self._base_chars(text)
        out: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        i = 0
        while i < len(chars):
            i = self._emit_next(chars, i, out, starts, ends)
        normalised = self.numeral_run.sub(lambda m: m.group().translate(_CHINESE_DIGITS),
                                          "".join(out))
        return normalised, starts, ends

    def _base_chars(self, text: str) -> list[tuple[str, int]]:
        chars: list[tuple[str, int]] = []
        for index, char in enumerate(text):
            for piece in unicodedata.normalize("NFKC", char).lower():
                if piece.isspace() or piece in self.separators or piece in _ZERO_WIDTH:
                    continue
                chars.append((self.homophones.get(piece, piece), index))
        return chars

    def _emit_next(self, chars: list[tuple[str, int]], i: int, out: list[str],
                   starts: list[int], ends: list[int]) -> int:
        for variant, canonical in self.phrases.get(chars[i][0], ()):
            if self._phrase_at(chars, i, variant):
                first, last = chars[i][1], chars[i + len(variant) - 1][1]
                for piece in canonical:
                    out.append(piece)
                    starts.append(first)
                    ends.append(last + 1)
                return i + len(variant)
        out.append(chars[i][0])
        starts.append(chars[i][1])
        ends.append(chars[i][1] + 1)
        return i + 1

    @staticmethod
    def _phrase_at(chars: list[tuple[str, int]], i: int, variant: str) -> bool:
        if i + len(variant) > len(chars):
            return False
        if any(chars[i + k][0] != ch for k, ch in enumerate(variant)):
            return False
        # "wx" inside an English word is not a WeChat variant
        return not (variant[0].isascii() and variant[0].isalpha() and i > 0
                    and chars[i - 1][0].isascii() and chars[i - 1][0].isalpha())


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    rule: str
    category: str
    severity: Severity
    excused_by_campaign: bool
    pattern: re.Pattern[str]


@register_stage("compliance")
class ComplianceStage:
    """Rule-based compliance hits on guide messages, configurable per brand."""

    name = "compliance"
    takes_precision = False

    def __init__(self, settings: ComplianceSettings | None = None) -> None:
        self.settings = settings or ComplianceSettings()

    def fit(self, config_overrides: dict[str, Any] | None = None) -> ComplianceStage:
        config = merge_config(default_config(), config_overrides or {})
        validate_config(config)
        self.config_overrides_ = copy.deepcopy(config_overrides or {})
        self._build(config)
        return self

    def _build(self, config: dict[str, Any]) -> None:
        self.config_ = config
        self.normaliser_ = Normaliser(config)
        self.rules_ = [self._compile(rule_id, spec) for rule_id, spec in config["rules"].items()
                       if spec["patterns"]]
        self.rules_ += self._term_rules(config)
        self.campaign_terms_ = [self._normalised(t) for t in config["active_campaigns"]]
        self.allowed_discounts_ = [self._canonical_discount(self._normalised(t))
                                   for t in config["allowed_discounts"]]

    @staticmethod
    def _compile(rule_id: str, spec: dict[str, Any]) -> _CompiledRule:
        try:
            pattern = re.compile("|".join(f"(?:{p})" for p in spec["patterns"]))
        except re.error as error:
            raise ValueError(f"compliance rule {rule_id!r}: bad pattern ({error})") from error
        return _CompiledRule(rule_id, spec["category"], spec["severity"],
                             spec["excused_by_campaign"], pattern)

    def _term_rules(self, config: dict[str, Any]) -> list[_CompiledRule]:
        compiled = []
        for category, terms in config["terms"].items():
            literals = [re.escape(self._normalised(term)) for term in terms if term.strip()]
            if literals:
                spec = {"category": category, "severity": config["term_severity"][category],
                        "excused_by_campaign": False, "patterns": literals}
                compiled.append(self._compile(f"{category}.brand_term", spec))
        return compiled

    def _normalised(self, text: str) -> str:
        return self.normaliser_(text)[0]

    @staticmethod
    def _canonical_discount(text: str) -> str:
        return text.translate(_CHINESE_DIGITS)

    def predict(self, batch: Sequence[str]) -> list[tuple[ComplianceHit, ...]]:
        """Hits per guide message, ordered by position; empty tuple when clean."""
        if not hasattr(self, "rules_"):
            raise RuntimeError("ComplianceStage is not fitted: call fit() or from_pretrained()")
        return [self._hits(text) for text in batch]

    def annotate(self, batch: AnalysisBatch,
                 analyses: Sequence[ConversationAnalysis]) -> list[ConversationAnalysis]:
        """The guide messages with hits (recalled ones too: the customer may have read them)."""
        guide = messages_of(batch.conversations, lambda m: m.role is Role.GUIDE and bool(m.text))
        hits = self.predict([m.text for _, m in guide])
        found = by_conversation(len(analyses), (
            (owner, MessageCompliance(m.msgid, tuple(h)))
            for (owner, m), h in zip(guide, hits, strict=True) if h))
        return [replace(a, compliance=f) for a, f in zip(analyses, found, strict=True)]

    def annotate_suggestion(self, request: SuggestionRequest,
                            result: SuggestionResult) -> SuggestionResult:
        return result

    def _hits(self, text: str) -> tuple[ComplianceHit, ...]:
        normalised, starts, ends = self.normaliser_(text)
        campaign = any(term and term in normalised for term in self.campaign_terms_)
        hits = []
        for rule in self.rules_:
            for match in rule.pattern.finditer(normalised):
                if match.end() == match.start():
                    continue
                if rule.excused_by_campaign and (campaign or self._allowed(match.group())):
                    continue
                start, end = starts[match.start()], ends[match.end() - 1]
                hits.append(ComplianceHit(rule.rule, rule.category, rule.severity,
                                          start, end, text[start:end]))
        if self.settings.drop_contained_hits:
            hits = _drop_contained(hits)
        return tuple(sorted(hits, key=lambda h: (h.start, -h.end, h.rule)))

    def _allowed(self, matched: str) -> bool:
        canonical = self._canonical_discount(matched)
        return any(discount and discount in canonical for discount in self.allowed_discounts_)

    def red_packet_hit(self, message: Message) -> ComplianceHit | None:
        """A guide's red packet to a customer is a compliance signal (cash outside a campaign).

        The amount is `message.meta["amount_fen"]`, where ingestion keeps WeCom's totalamount.
        """
        if not hasattr(self, "config_"):
            raise RuntimeError("ComplianceStage is not fitted: call fit() or from_pretrained()")
        if message.role is not Role.GUIDE or message.type is not MessageType.REDPACKET:
            return None
        spec = self.config_["red_packet"]
        amount = int(message.meta.get("amount_fen", 0) or 0)
        severity: Severity = "high" if amount >= spec["high_severity_fen"] else spec["severity"]
        category = spec["rule"].split(".")[0]
        return ComplianceHit(spec["rule"], category, severity, 0, 0, f"redpacket:{amount}")

    def save_pretrained(self, directory: str | Path) -> None:
        directory = Path(directory)
        write_json(directory / "config.json", {"stage": self.name, **asdict(self.settings)})
        write_json(directory / "compliance.json", self.config_)
        write_json(directory / "train_args.json", {"config_overrides": self.config_overrides_})
        write_json(directory / "version.json", version_stamp())

    @classmethod
    def from_pretrained(cls, directory: str | Path, *,
                        overrides: dict[str, Any] | None = None) -> ComplianceStage:
        directory = Path(directory)
        settings = dict(read_json(directory / "config.json"))
        if settings.pop("stage", cls.name) != cls.name:
            raise ValueError(f"{directory} does not hold a compliance stage")
        stage = cls(merge_settings(ComplianceSettings(), {**settings, **(overrides or {})}))
        config = read_json(directory / "compliance.json")
        # the saved lists are re-checked against today's schema so a stale file fails loudly
        validate_config(merge_config(default_config(), config))
        stage.config_overrides_ = read_json(directory / "train_args.json")["config_overrides"]
        stage._build(config)
        return stage


def _drop_contained(hits: list[ComplianceHit]) -> list[ComplianceHit]:
    rank = {severity: i for i, severity in enumerate(SEVERITIES)}
    ordered = sorted(hits, key=lambda h: (-rank[h.severity], h.start, -(h.end - h.start)))
    kept: list[ComplianceHit] = []
    for hit in ordered:
        if not any(k.category == hit.category and k.start <= hit.start and hit.end <= k.end
                   for k in kept):
            kept.append(hit)
    return kept
