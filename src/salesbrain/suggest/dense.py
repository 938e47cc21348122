"""The dense half of the ranker: an e5 dual encoder whose top layers are fine-tuned.

On 2 CPU cores a full fine-tuning step of e5-small costs seconds, so training keeps the
vocabulary pruned to the corpus, freezes the embeddings and lower layers, computes their
outputs once (`lower_states`) and trains only the top layers on those cached states with
in-batch negatives plus one mined hard negative per pair. Near-duplicates of a pair's true
reply are masked out of its negatives: template replies ("请问还有其他可以帮到您的吗") would
otherwise be taught as wrong answers to contexts they fit.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn.utils.rnn import pad_sequence

from salesbrain.finetuning import warmup_linear_decay
from salesbrain.logs import quiet_transformers
from salesbrain.suggest.lexical import bigram_set, jaccard

PREFIXES = {"query": "query: ", "passage": "passage: "}


@dataclass(frozen=True)
class DenseTraining:
    epochs: float = 1.0
    batch_size: int = 64
    learning_rate: float = 5e-5
    scale: float = 50.0  # inverse temperature of the in-batch softmax (e5 used 100)
    near_duplicate: float = 0.5
    seed: int = 0
    device: str = "cpu"  # "cuda": the trainable layers and the cached states move there


class DualEncoder:
    """One shared e5 tower for contexts ("query: ") and replies ("passage: ")."""

    def __init__(self, model: Any, tokenizer: Any, frozen_layers: int) -> None:
        # a transformers BertModel and its tokenizer (typed loosely: transformers is untyped)
        self.model: Any = model.eval()
        self.tokenizer: Any = tokenizer
        self.frozen_layers = frozen_layers

    @classmethod
    def from_base(cls, corpus: Sequence[str], work_dir: Path, frozen_layers: int) -> DualEncoder:
        """e5-small with its vocabulary pruned to `corpus` (plus common characters)."""
        from salesbrain.encoder import pruned_encoder

        encoder = pruned_encoder(corpus, work_dir / "pruned-e5")
        return cls(encoder.model, encoder.tokenizer, frozen_layers)

    @classmethod
    def from_pretrained(cls, directory: Path, frozen_layers: int) -> DualEncoder:
        from salesbrain.encoder import load_encoder

        encoder = load_encoder(model_dir=directory)
        return cls(encoder.model, encoder.tokenizer, frozen_layers)

    def save_pretrained(self, directory: Path) -> None:
        with quiet_transformers():
            self.model.save_pretrained(directory)
            self.tokenizer.save_pretrained(directory)

    @property
    def layers(self) -> torch.nn.ModuleList:
        return self.model.encoder.layer

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def tokenize(self, texts: Sequence[str], kind: str, max_tokens: int) -> dict:
        batch = self.tokenizer([PREFIXES[kind] + t for t in texts], padding=True,
                               truncation=True, max_length=max_tokens, return_tensors="pt")
        return {k: v.to(self.device) for k, v in batch.items()}

    def _mask(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> Any:
        from transformers.masking_utils import create_bidirectional_mask

        return create_bidirectional_mask(config=self.model.config, inputs_embeds=hidden,
                                         attention_mask=attention_mask)

    def run_layers(self, hidden: torch.Tensor, attention_mask: torch.Tensor, start: int,
                   stop: int) -> torch.Tensor:
        mask = self._mask(hidden, attention_mask)
        for layer in self.layers[start:stop]:
            hidden = layer(hidden, mask)
        return hidden

    def lower(self, batch: dict) -> torch.Tensor:
        hidden = self.model.embeddings(input_ids=batch["input_ids"])
        return self.run_layers(hidden, batch["attention_mask"], 0, self.frozen_layers)

    def upper(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        from salesbrain.encoder import mean_pool

        hidden = self.run_layers(hidden, attention_mask, self.frozen_layers, len(self.layers))
        return torch.nn.functional.normalize(mean_pool(hidden, attention_mask), dim=-1)

    def encode(self, texts: Sequence[str], kind: str, max_tokens: int,
               batch_size: int = 64) -> np.ndarray:
        """L2-normalised vectors, batched by length; runs every layer."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                batch = self.tokenize([texts[i] for i in rows], kind, max_tokens)
                out[rows] = self.upper(self.lower(batch), batch["attention_mask"]).cpu().numpy()
        return out

    def lower_states(self, texts: Sequence[str], kind: str, max_tokens: int,
                     batch_size: int = 64, progress: Callable[[int], None] | None = None,
                     ) -> list[torch.Tensor]:
        """Frozen-layer outputs per text (bfloat16, padding stripped) for cheap training."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        states: list[torch.Tensor | None] = [None] * len(texts)
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                batch = self.tokenize([texts[i] for i in rows], kind, max_tokens)
                hidden = self.lower(batch).to(torch.bfloat16)
                for j, i in enumerate(rows):
                    states[i] = hidden[j, : int(batch["attention_mask"][j].sum())].cpu()
                if progress is not None:
                    progress(len(rows))
        return [s for s in states if s is not None]

    def encode_reusing(self, texts: Sequence[str], kind: str, max_tokens: int,
                       cache: dict[str, torch.Tensor], batch_size: int = 64) -> np.ndarray:
        """Like `encode`, but texts whose frozen-layer states are cached skip those layers."""
        out = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        cached = [i for i, t in enumerate(texts) if t in cache]
        fresh = [i for i, t in enumerate(texts) if t not in cache]
        with torch.inference_mode():
            for start in range(0, len(cached), batch_size):
                rows = cached[start : start + batch_size]
                out[rows] = self.pooled_from_states(
                    [cache[texts[i]] for i in rows]).cpu().numpy()
        if fresh:
            out[fresh] = self.encode([texts[i] for i in fresh], kind, max_tokens, batch_size)
        return out

    def pooled_from_states(self, states: Sequence[torch.Tensor]) -> torch.Tensor:
        device = self.device
        hidden = pad_sequence([s.to(device).float() for s in states], batch_first=True)
        lengths = torch.tensor([len(s) for s in states], device=device)
        mask = (torch.arange(hidden.shape[1], device=device)[None, :] < lengths[:, None]).long()
        return self.upper(hidden, mask)


def negative_mask(true_replies: Sequence[int], candidates: Sequence[int],
                  grams: Sequence[frozenset[str]], threshold: float) -> torch.Tensor:
    """True where candidate j is a near-duplicate (not the reply itself) of pair i's reply."""
    mask = torch.zeros(len(true_replies), len(candidates), dtype=torch.bool)
    for i, true in enumerate(true_replies):
        for j, cand in enumerate(candidates):
            if cand != true and jaccard(grams[true], grams[cand]) > threshold:
                mask[i, j] = True
    return mask


def train_dual_encoder(
    encoder: DualEncoder,
    context_states: Sequence[torch.Tensor],
    reply_states: Sequence[torch.Tensor],
    pairs: Sequence[tuple[int, int, int]],
    reply_texts: Sequence[str],
    settings: DenseTraining,
    progress: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Contrastive training of the top layers; `pairs` are (context, reply, hard negative or -1).

    Returns the loss of every step. The model is back on the CPU afterwards.
    """
    torch.manual_seed(settings.seed)
    encoder.model.to(settings.device)
    rng = random.Random(settings.seed)
    grams = [bigram_set(t) for t in reply_texts]
    params = [p for layer in encoder.layers[encoder.frozen_layers :] for p in layer.parameters()]
    optimizer = torch.optim.AdamW(params, lr=settings.learning_rate, weight_decay=0.01)
    steps = max(1, math.ceil(len(pairs) * settings.epochs / settings.batch_size))
    schedule = warmup_linear_decay(optimizer, steps, steps // 10)
    order: list[tuple[int, int, int]] = []
    losses: list[float] = []
    encoder.model.train()
    for _ in range(steps):
        if len(order) < settings.batch_size:
            order += rng.sample(list(pairs), len(pairs))
        batch, order = order[: settings.batch_size], order[settings.batch_size :]
        loss = _contrastive_step(encoder, context_states, reply_states, batch, grams, settings)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        schedule.step()
        losses.append(float(loss.detach()))
        if progress is not None:
            progress(len(batch), losses[-1])
    encoder.model.to("cpu").eval()
    return losses


def _contrastive_step(encoder: DualEncoder, context_states: Sequence[torch.Tensor],
                      reply_states: Sequence[torch.Tensor], batch: Sequence[tuple[int, int, int]],
                      grams: Sequence[frozenset[str]], settings: DenseTraining) -> torch.Tensor:
    candidates = sorted({r for _, r, _ in batch} | {n for _, _, n in batch if n >= 0})
    column = {r: j for j, r in enumerate(candidates)}
    trues = [r for _, r, _ in batch]
    queries = encoder.pooled_from_states([context_states[c] for c, _, _ in batch])
    keys = encoder.pooled_from_states([reply_states[r] for r in candidates])
    logits = settings.scale * queries @ keys.T
    masked = negative_mask(trues, candidates, grams, settings.near_duplicate)
    logits = logits.masked_fill(masked.to(logits.device), float("-inf"))
    target = torch.tensor([column[r] for r in trues], device=logits.device)
    return torch.nn.functional.cross_entropy(logits, target)
