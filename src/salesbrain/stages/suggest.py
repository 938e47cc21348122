"""Reply suggestion: one to three next replies in the champions' own words, or nothing.

While a guide chats with a customer, the stage ranks a bank of champion replies (redacted,
de-duplicated, compliance-checked, reviewed by managers) against the conversation with a
fusion of lexical evidence (BM25, TF-IDF, character-bigram overlap) and a fine-tuned e5 dual
encoder, fills slots the conversation already mentions (name, product, size, price, coupon)
and shows a list only when the calibrated probability of its first reply clears a threshold
fitted on held-out conversations (so that enough shown lists hold what a champion sent). When it
is unsure it says nothing.

A stage directory with a `generator/` (training/train_generator.py) also writes replies: its
beams join the bank's candidates, ranked by the same fusion (see
salesbrain.suggest.generated_candidates), and go through the same redaction, slot filling,
compliance filter and abstention. Every shown reply passes the compliance filter, whatever its
source. `predict(..., generate=False)` skips
generation where latency matters most.

>>> from salesbrain.schema import Role, Turn
>>> from salesbrain.suggest.types import ReplyPair
>>> pairs = [ReplyPair((Turn(Role.CUSTOMER, "有M码吗"),), "M码有货哦", "c1"),
...          ReplyPair((Turn(Role.CUSTOMER, "几天到"),), "一般三天到货", "c2")]
>>> stage = SuggestStage({"use_dense": False, "target_precision": 0.0}).fit(pairs, [])
>>> stage.predict([SuggestInput((Turn(Role.CUSTOMER, "M码还有吗"),), k=1)])[0][0].text
'M码有货哦'
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from salesbrain.artifacts import merge_settings, read_json, snapshot_id, version_stamp, write_json
from salesbrain.datasets.splits import hold_out
from salesbrain.schema import Role, Turn
from salesbrain.stages import register_stage
from salesbrain.stages.base import (
    AnalysisBatch,
    ConversationAnalysis,
    SuggestionRequest,
    SuggestionResult,
)
from salesbrain.suggest.bank import PUBLIC_ORIGIN, ReplyBank, clean_reply, sendable
from salesbrain.suggest.dense import DualEncoder
from salesbrain.suggest.fitting import (
    context_neighbours,
    fit_bm25,
    fit_calibrator,
    fit_encoder,
    fit_fusions,
    fit_retrieval_fusion,
    hard_ranking_groups,
    ranking_groups,
)
from salesbrain.suggest.fusion import (
    Calibrator,
    CandidateTexts,
    Fusion,
    calibration_features,
)
from salesbrain.suggest.generated_candidates import (
    CandidateList,
    bank_only,
    generate_replies,
    with_generated,
)
from salesbrain.suggest.lexical import BM25Index
from salesbrain.suggest.neighbours import ContextNeighbours
from salesbrain.suggest.ranker import Ranker
from salesbrain.suggest.reply_generator import ReplyGenerator
from salesbrain.suggest.slots import extract_slots, fill_slots
from salesbrain.suggest.types import (
    ReplyPair,
    SuggestInput,
    Suggestion,
    SuggestSettings,
    suggestion_id_of,
)

__all__ = ["ReplyPair", "SuggestInput", "SuggestSettings", "SuggestStage", "Suggestion"]


def _compliance_filter() -> Callable[[str], bool]:
    from salesbrain.stages.compliance import ComplianceStage

    compliance = ComplianceStage().fit()
    return lambda text: not compliance.predict([text])[0]


def _redactor() -> Callable[[str], str]:
    from salesbrain.ingest.redact import redact

    return lambda text: redact(text).text


@register_stage("suggest")
class SuggestStage:
    """Settings-only constructor; `fit` learns `ranker_`, `bank_` and `calibrators_` (one per
    ranking path: "fused", and "lexical" for the encoder-free path). `generator_` is a reply
    generator trained on its own (`attach_generator`), or None."""

    name = "suggest"
    takes_precision = False
    generated_per_request = 2  # beams of the generator added to each conversation's candidates

    def __init__(self, settings: SuggestSettings | dict[str, Any] | None = None) -> None:
        if isinstance(settings, SuggestSettings):
            settings = asdict(settings)
        self.settings = merge_settings(SuggestSettings(), settings)

    # ---- learning -------------------------------------------------------------------------
    def fit(self, pairs: Sequence[ReplyPair], bank_replies: Sequence[str],
            val_pairs: Sequence[ReplyPair] | None = None, work_dir: Path | None = None,
            log: Callable[[str], None] | None = None, device: str = "cpu",
            public_replies: Sequence[str] = ()) -> SuggestStage:
        """Learn the ranker from `pairs`, build the bank from the champions' `bank_replies` (from
        the guide replies of `pairs` when both it and `public_replies` are empty), fit fusion
        and calibration on `val_pairs` (held-out conversations carved from `pairs` when not
        given). `public_replies` join the bank as origin `public`: ranked in benchmarks
        (`top_replies`), never suggested (`predict`)."""
        s, log = self.settings, log or (lambda _: None)
        if val_pairs is None:
            pairs, val_pairs = hold_out(pairs, "suggest-validation")
            if not val_pairs:
                val_pairs = pairs
        own, public = list(bank_replies), list(public_replies)
        if not own and not public:
            own = [p.reply for p in pairs if p.reply_role is Role.GUIDE]
        texts = own + public
        bm25 = fit_bm25(pairs, texts, s.buckets)
        encoder: DualEncoder | None = None
        reply_cache: dict[str, Any] = {}
        if s.use_dense:
            with tempfile.TemporaryDirectory() as scratch:
                encoder, reply_cache = fit_encoder(pairs, bm25, s, Path(work_dir or scratch), log,
                                                   texts, device)
        self.ranker_ = Ranker(s, bm25, encoder)
        built = [ReplyBank.build(replies, origin, dedup_threshold=s.near_duplicate,
                                 redactor=_redactor(), keep=_compliance_filter())
                 for replies, origin in ((own, "champion"), (public, PUBLIC_ORIGIN))]
        self.bank_ = self._embedded(built[0].merge(built[1]), reply_cache)
        del reply_cache
        self._attach_bank()
        self.ranker_.neighbours = context_neighbours(self.ranker_, pairs)
        log(f"bank: {len(self.bank_)} replies from {len(texts)}")
        for_fusion, for_calibration = hold_out(val_pairs, "suggest-calibration")
        if not for_fusion or not for_calibration:
            for_fusion = for_calibration = list(val_pairs)
        candidates, embeddings = self._bank_candidates(), self._bank_embeddings()
        selection = ranking_groups(for_fusion, 10, s.near_duplicate, s.seed)
        selection = selection[: s.calibration_conversations]
        hard = (hard_ranking_groups(self.ranker_, [pair for pair, _, _ in selection], 10,
                                    s.near_duplicate, s.seed)
                if s.fusion_hard_negatives else [])
        log(f"selection fusion: {len(selection)} random-negative groups, {len(hard)} hard")
        fit_fusions(self.ranker_, selection + hard)
        used = fit_retrieval_fusion(self.ranker_, for_fusion, candidates, embeddings, s,
                                    extra=hard)
        log(f"retrieval fusion fitted on {used} conversations")
        self.calibrators_ = {
            parts: fit_calibrator(self.ranker_, for_calibration, candidates, embeddings, s, parts)
            for parts in ("fused", "lexical")}
        log("calibration thresholds: " + ", ".join(
            f"{k} {c.threshold_:.3f}" for k, c in self.calibrators_.items()))
        self.data_snapshot_ = snapshot_id(p.reply for p in pairs)
        self.generator_: ReplyGenerator | None = None
        return self

    def attach_generator(self, generator: ReplyGenerator | None) -> SuggestStage:
        """Add (or, with None, remove) a reply generator whose outputs join the candidates."""
        self.generator_ = generator
        return self

    def _embedded(self, bank: ReplyBank, cache: dict | None = None) -> ReplyBank:
        vectors = self.ranker_.encode_replies([e.text for e in bank.entries], cache)
        if vectors is None:
            vectors = np.zeros((len(bank), 0), dtype=np.float32)
        return bank.with_embeddings(vectors)

    def _attach_bank(self) -> None:
        """Refresh the ranker's view of the bank (after loading or adding replies)."""
        entries = self.bank_.entries
        self.ranker_.attach_bank([e.text for e in entries], [e.uses for e in entries],
                                 getattr(self.ranker_, "neighbours", None))

    def _bank_candidates(self) -> CandidateTexts:
        key = (id(self.bank_), len(self.bank_))
        if getattr(self, "_candidates_key", None) != key:
            entries = self.bank_.entries
            self._candidates = self.ranker_.candidate_texts(
                [e.text for e in entries], np.log1p([e.uses for e in entries]),
                np.arange(len(entries)))
            self._candidates_key = key
        return self._candidates

    def _bank_embeddings(self) -> np.ndarray | None:
        return self.bank_.embeddings if self.ranker_.encoder is not None else None

    # ---- managing the bank ----------------------------------------------------------------
    def approve_reply(self, reply_id: str) -> None:
        self.bank_.approve(reply_id)

    def ban_reply(self, reply_id: str) -> None:
        self.bank_.ban(reply_id)

    def add_reply(self, text: str) -> str:
        """A manager's own reply, approved at once; returns its bank id."""
        vector = self.ranker_.encode_replies([text])
        embedding = vector[0] if vector is not None else np.zeros(0, dtype=np.float32)
        reply_id = self.bank_.add(text, embedding).reply_id
        self._attach_bank()
        return reply_id

    # ---- predicting -----------------------------------------------------------------------
    def predict(self, batch: Sequence[SuggestInput], parts: str = "fused",
                generate: bool = True) -> list[tuple[Suggestion, ...]]:
        """Up to `k` suggestions per conversation, best first; empty when unsure.

        `parts="lexical"` skips the encoder (a cheaper path, and the benchmarks' baseline);
        `generate=False` skips the generator (retrieval only)."""
        return self._suggest(batch, abstain=True, parts=parts, generate=generate,
                             include_public=False)

    def annotate(self, batch: AnalysisBatch,
                 analyses: Sequence[ConversationAnalysis]) -> list[ConversationAnalysis]:
        return list(analyses)

    def annotate_suggestion(self, request: SuggestionRequest,
                            result: SuggestionResult) -> SuggestionResult:
        [suggestions] = self.predict([SuggestInput(tuple(request.turns), request.k)])
        return replace(result, suggestions=list(suggestions))

    def top_replies(self, batch: Sequence[SuggestInput], parts: str = "fused",
                    generate: bool = True, include_public: bool = True
                    ) -> list[tuple[Suggestion, ...]]:
        """The best replies without abstention (for benchmarks and review); `parts` picks the
        evidence: "fused", or "lexical" / "dense" alone. Benchmarks on the public sets rank
        the public replies too; `include_public=False` ranks what a brand would be shown."""
        return self._suggest(batch, abstain=False, parts=parts, generate=generate,
                             include_public=include_public)

    def _suggest(self, batch: Sequence[SuggestInput], abstain: bool, parts: str,
                 generate: bool, include_public: bool) -> list[tuple[Suggestion, ...]]:
        if not batch:
            return []
        usable = self.bank_.usable(self.settings.require_approved, include_public)
        bank = self._bank_candidates()
        ranked = self.ranker_.retrieve([item.turns for item in batch], bank,
                                       self._bank_embeddings(), usable, parts)
        calibrator = self.calibrators_["lexical" if parts == "lexical" else "fused"]
        texts = bank.texts  # cached with the bank's lexical index, not rebuilt per request
        if generate and self.generator_ is not None:
            written = generate_replies(self.generator_, batch, self.generated_per_request)
            lists = with_generated(self.ranker_, batch, ranked, texts, written, parts)
        else:
            lists = [bank_only(result, texts) for result in ranked]
        return [self._choose(item, candidates, calibrator, abstain)
                for item, candidates in zip(batch, lists, strict=True)]

    def _choose(self, item: SuggestInput, ranked: CandidateList, calibrator: Calibrator,
                abstain: bool) -> tuple[Suggestion, ...]:
        if not ranked.candidates:
            return ()
        probability = calibrator.probability(calibration_features(ranked.scores))
        # the cut is calibrated on whole lists, by the confidence in their first reply
        if abstain and probability[0] < calibrator.threshold_:
            return ()
        slots = extract_slots(item.turns)
        limit = max(0, min(item.k, self.settings.max_suggestions))
        chosen: list[Suggestion] = []
        for candidate, p in zip(ranked.candidates, probability, strict=True):
            if len(chosen) == limit:
                break
            entry = self.bank_.entries[candidate.bank_row] if candidate.bank_row >= 0 else None
            # a generated reply gets the redaction and slot syntax a bank reply got when stored
            template = entry.text if entry else clean_reply(candidate.text, self._redact())
            text = fill_slots(template, slots)
            if text is None or any(s.text == text for s in chosen) or not self._allowed(text):
                continue
            chosen.append(Suggestion(suggestion_id_of(item.turns, text), text,
                                     round(float(p), 6), "bank" if entry else "generated",
                                     entry.reply_id if entry else None))
        return tuple(chosen)

    def _allowed(self, text: str) -> bool:
        """The compliance filter, on every reply shown (slot values come from the customer)."""
        if getattr(self, "_compliance", None) is None:
            self._compliance = _compliance_filter()
        return sendable(text) and self._compliance(text)

    def _redact(self) -> Callable[[str], str]:
        if getattr(self, "_redactor", None) is None:
            self._redactor = _redactor()
        return self._redactor

    def score_candidates(self, items: Sequence[tuple[Sequence[Turn], Sequence[str]]],
                         parts: str = "fused") -> list[np.ndarray]:
        """Scores of given candidate replies (response selection); higher is better."""
        return self.ranker_.score_groups(items, parts)

    def available_parts(self) -> tuple[str, ...]:
        return self.ranker_.parts()

    @property
    def bm25_(self) -> BM25Index:
        return self.ranker_.bm25

    # ---- artifacts ------------------------------------------------------------------------
    def save_pretrained(self, directory: str | Path) -> None:
        from safetensors.numpy import save_file

        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        write_json(out / "config.json", {"stage": self.name, "settings": asdict(self.settings),
                                         "has_encoder": self.ranker_.encoder is not None})
        write_json(out / "fusion.json", {
            "fusions": {k: f.state() for k, f in self.ranker_.fusions.items()},
            "calibrators": {k: c.state() for k, c in self.calibrators_.items()}})
        save_file(self.ranker_.bm25.state(), str(out / "bm25.safetensors"))
        (out / "bm25.safetensors").chmod(0o644)
        if self.ranker_.encoder is not None:
            self.ranker_.encoder.save_pretrained(out / "encoder")
        if self.generator_ is not None:
            self.generator_.save_pretrained(out / "generator")
        self.bank_.save_pretrained(out / "bank")
        neighbours = self.ranker_.neighbours
        write_json(out / "bank" / "contexts.json", neighbours.state() if neighbours else {})
        write_json(out / "train_args.json", asdict(self.settings))
        write_json(out / "version.json", version_stamp(self.data_snapshot_))

    @classmethod
    def from_pretrained(cls, directory: str | Path, *,
                        overrides: dict[str, Any] | None = None) -> SuggestStage:
        from safetensors.numpy import load_file

        path = Path(directory)
        config = read_json(path / "config.json")
        stage = cls({**config["settings"], **(overrides or {})})
        bm25_path = path / "bm25.safetensors"
        if not bm25_path.is_file():
            raise FileNotFoundError(f"missing artifact file: {bm25_path}")
        encoder = (DualEncoder.from_pretrained(path / "encoder", stage.settings.frozen_layers)
                   if config["has_encoder"] else None)
        stage.ranker_ = Ranker(stage.settings, BM25Index.from_state(load_file(str(bm25_path))),
                               encoder)
        fusion = read_json(path / "fusion.json")
        stage.ranker_.fusions = {k: Fusion.from_state(v) for k, v in fusion["fusions"].items()}
        stage.calibrators_ = {k: Calibrator.from_state(v)
                              for k, v in fusion["calibrators"].items()}
        stage.bank_ = ReplyBank.from_pretrained(path / "bank")
        neighbours = read_json(path / "bank" / "contexts.json")
        stage.ranker_.neighbours = (ContextNeighbours.from_state(stage.ranker_.bm25, neighbours)
                                    if neighbours else None)
        stage._attach_bank()
        stage.data_snapshot_ = read_json(path / "version.json").get("data_snapshot", "")
        # a generator directory that exists but cannot be read fails here, loudly
        stage.generator_ = (ReplyGenerator.from_pretrained(path / "generator")
                            if (path / "generator").exists() else None)
        return stage
