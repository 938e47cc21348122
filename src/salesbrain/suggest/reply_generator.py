"""A reply generator: an encoder-decoder warm-started from e5-small on a pruned vocabulary.

The encoder is the first `encoder_layers` layers of e5; the decoder is a causal copy of the
first `decoder_layers` e5 layers with fresh cross-attention (BERT2BERT, Rothe et al. 2020).
Encoder, decoder and output projection share one word-embedding matrix, pruned to the pieces
of the training corpus, so the model stays small enough to fine-tune on CPU. Inputs are the
recent turns with role marks ("顾客：" / "导购："), prefixed "query: " as e5 saw them.

>>> from salesbrain.suggest.reply_generator import ReplyGenerator
>>> generator = ReplyGenerator.from_pretrained("models/dev/suggest/generator")     # doctest: +SKIP
>>> generator.generate(["顾客：这件有M码吗"], num_return_sequences=2)   # doctest: +SKIP
[['有的亲', '亲，M码有货的哦']]
"""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from salesbrain.artifacts import merge_settings, read_json, write_json
from salesbrain.finetuning import warmup_linear_decay
from salesbrain.logs import quiet_transformers

QUERY_PREFIX = "query: "
BOS, PAD, EOS = 0, 1, 2  # e5 / XLM-R special ids, kept first by `prune_vocabulary`


@dataclass(frozen=True)
class GeneratorSettings:
    """Shape of the model and of its inputs; training knobs live in `GeneratorTraining`."""

    encoder_layers: int = 4
    decoder_layers: int = 2
    context_turns: int = 4
    max_context_chars: int = 160
    max_context_tokens: int = 96
    max_reply_tokens: int = 32
    num_beams: int = 2
    max_new_tokens: int = 32


@dataclass(frozen=True)
class GeneratorTraining:
    epochs: float = 1.0
    batch_size: int = 32
    learning_rate: float = 2e-4
    new_weights_lr_scale: float = 5.0  # cross-attention and LM head start from scratch
    freeze_encoder: bool = True
    freeze_embeddings: bool = False
    seed: int = 0


class Seq2Seq(torch.nn.Module):
    """A `BertModel` encoder and a `BertLMHeadModel` decoder sharing word embeddings."""

    def __init__(self, encoder: Any, decoder: Any) -> None:
        super().__init__()
        self.encoder, self.decoder = encoder, decoder
        self.tie_embeddings()

    def tie_embeddings(self) -> None:
        words = self.encoder.embeddings.word_embeddings
        self.decoder.bert.embeddings.word_embeddings = words
        self.decoder.cls.predictions.decoder.weight = words.weight
        self.decoder.cls.predictions.decoder.bias = self.decoder.cls.predictions.bias

    def encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    def loss(self, batch: dict[str, torch.Tensor], frozen_encoder: bool) -> torch.Tensor:
        """Token-level cross-entropy of the reply given the context (teacher forcing)."""
        with torch.set_grad_enabled(not frozen_encoder and torch.is_grad_enabled()):
            states = self.encode(batch["input_ids"], batch["attention_mask"])
        reply = batch["reply_ids"]
        logits = self.decoder(input_ids=reply[:, :-1], attention_mask=batch["reply_mask"][:, :-1],
                              encoder_hidden_states=states,
                              encoder_attention_mask=batch["attention_mask"]).logits
        labels = reply[:, 1:].masked_fill(batch["reply_mask"][:, 1:] == 0, -100)
        return torch.nn.functional.cross_entropy(logits.flatten(0, 1), labels.flatten(),
                                                 ignore_index=-100)


def _shrunk(config: Any, layers: int, decoder: bool) -> Any:
    config = copy.deepcopy(config)
    config.num_hidden_layers = layers
    config.is_decoder = config.add_cross_attention = decoder
    config.tie_word_embeddings = True
    return config


def warm_started(base: Any, settings: GeneratorSettings) -> Seq2Seq:
    """Encoder and decoder built from the lower layers of the e5 `BertModel` `base`."""
    from transformers import BertLMHeadModel, BertModel

    state = base.state_dict()
    encoder = BertModel(_shrunk(base.config, settings.encoder_layers, False),
                        add_pooling_layer=False)
    encoder.load_state_dict({k: v for k, v in state.items() if k in encoder.state_dict()})
    decoder = BertLMHeadModel(_shrunk(base.config, settings.decoder_layers, True))
    wanted = decoder.state_dict()
    warm = {f"bert.{k}": v for k, v in state.items() if f"bert.{k}" in wanted}
    decoder.load_state_dict(warm, strict=False)  # cross-attention and LM head stay fresh
    return Seq2Seq(encoder, decoder)


class ReplyGenerator:
    """Tokenizer, model and settings; `generate` maps context texts to reply texts."""

    def __init__(self, model: Seq2Seq, tokenizer: Any, settings: GeneratorSettings) -> None:
        self.model: Seq2Seq = model.eval()
        self.tokenizer: Any = tokenizer
        self.settings = settings

    @classmethod
    def from_base(cls, corpus: Sequence[str], work_dir: Path,
                  settings: GeneratorSettings | None = None) -> ReplyGenerator:
        """Warm start from e5-small, its vocabulary pruned to `corpus` (plus common characters)."""
        from salesbrain.encoder import pruned_encoder

        settings = settings or GeneratorSettings()
        encoder = pruned_encoder(corpus, Path(work_dir) / "pruned-e5")
        return cls(warm_started(encoder.model, settings), encoder.tokenizer, settings)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def to(self, device: str) -> ReplyGenerator:
        self.model.to(device)
        return self

    # ---- tokens ---------------------------------------------------------------------------
    def contexts(self, texts: Sequence[str]) -> dict[str, torch.Tensor]:
        """Context tokens; a long context loses its oldest tokens, never the latest turn."""
        self.tokenizer.truncation_side = "left"
        try:
            return self.tokenizer([QUERY_PREFIX + t for t in texts], padding=True,
                                  truncation=True, max_length=self.settings.max_context_tokens,
                                  return_tensors="pt")
        finally:
            self.tokenizer.truncation_side = "right"

    def batch(self, contexts: Sequence[str], replies: Sequence[str]) -> dict[str, torch.Tensor]:
        encoded = self.contexts(contexts)
        target = self.tokenizer(list(replies), padding=True, truncation=True,
                                max_length=self.settings.max_reply_tokens, return_tensors="pt")
        out = {"input_ids": encoded["input_ids"], "attention_mask": encoded["attention_mask"],
               "reply_ids": target["input_ids"], "reply_mask": target["attention_mask"]}
        return {k: v.to(self.device) for k, v in out.items()}

    def decode(self, ids: Sequence[int]) -> str:
        text = self.tokenizer.decode(list(ids), skip_special_tokens=True)
        return " ".join(text.split())

    # ---- generating -----------------------------------------------------------------------
    def generate(self, contexts: Sequence[str], num_return_sequences: int = 1,
                 num_beams: int | None = None,
                 max_new_tokens: int | None = None) -> list[list[str]]:
        """Per context, up to `num_return_sequences` distinct replies, best first (beam search;
        greedy when `num_beams` is 1)."""
        if not contexts:
            return []
        beams = max(num_beams or self.settings.num_beams, num_return_sequences)
        encoded = {k: v.to(self.device) for k, v in self.contexts(contexts).items()}
        with torch.inference_mode():
            states = self.model.encode(encoded["input_ids"], encoded["attention_mask"])
            start = torch.full((len(contexts), 1), BOS, dtype=torch.long, device=self.device)
            output = self.model.decoder.generate(
                input_ids=start, encoder_hidden_states=states, past_key_values=self._cache(),
                encoder_attention_mask=encoded["attention_mask"], num_beams=beams,
                num_return_sequences=num_return_sequences, do_sample=False,
                max_new_tokens=max_new_tokens or self.settings.max_new_tokens,
                bos_token_id=BOS, eos_token_id=EOS, pad_token_id=PAD)
        texts = [self.decode(row.tolist()) for row in output]
        out = []
        for i in range(len(contexts)):
            own = texts[i * num_return_sequences : (i + 1) * num_return_sequences]
            out.append([t for j, t in enumerate(own) if t and t not in own[:j]])
        return out

    def _cache(self) -> Any:
        # generate() would build a self-attention-only cache for a decoder outside an
        # encoder-decoder config; cross-attention keys need their own half
        from transformers import DynamicCache, EncoderDecoderCache

        config = self.model.decoder.config
        return EncoderDecoderCache(DynamicCache(config=config), DynamicCache(config=config))

    # ---- artifacts ------------------------------------------------------------------------
    def save_pretrained(self, directory: str | Path) -> Path:
        """config.json, model.safetensors (tied weights once) and the pruned tokenizer."""
        from safetensors.torch import save_file

        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        write_json(out / "config.json", {
            "settings": asdict(self.settings),
            "encoder": self.model.encoder.config.to_dict(),
            "decoder": self.model.decoder.config.to_dict()})
        state = {k: v.detach().cpu().contiguous() for k, v in self.model.state_dict().items()
                 if k not in _TIED}
        save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
        with quiet_transformers():
            self.tokenizer.save_pretrained(out)
        return out

    @classmethod
    def from_pretrained(cls, directory: str | Path, device: str = "cpu") -> ReplyGenerator:
        from safetensors.torch import load_file
        from transformers import AutoTokenizer, BertConfig, BertLMHeadModel, BertModel

        path = Path(directory)
        config = read_json(path / "config.json")
        settings = merge_settings(GeneratorSettings(), config["settings"])
        model = Seq2Seq(BertModel(BertConfig.from_dict(config["encoder"]), add_pooling_layer=False),
                        BertLMHeadModel(BertConfig.from_dict(config["decoder"])))
        missing, unexpected = model.load_state_dict(load_file(str(path / "model.safetensors")),
                                                    strict=False)
        if set(missing) - _TIED or unexpected:
            raise ValueError(f"{path / 'model.safetensors'}: missing {sorted(set(missing) - _TIED)}"
                             f", unexpected {sorted(unexpected)}")
        model.tie_embeddings()
        with quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(path)
        return cls(model.to(device), tokenizer, settings)


# shared tensors, stored once: the word embeddings (under "encoder.") and the output bias
_TIED = {"decoder.bert.embeddings.word_embeddings.weight", "decoder.cls.predictions.decoder.weight",
         "decoder.cls.predictions.decoder.bias"}


def train_generator(generator: ReplyGenerator, contexts: Sequence[str], replies: Sequence[str],
                    training: GeneratorTraining,
                    progress: Callable[[int, float], None] | None = None) -> list[float]:
    """Teacher-forced fine-tuning on (context, reply) texts; returns every step's loss.

    Batches hold texts of similar length (less padding); linear warm-up, then linear decay.
    """
    torch.manual_seed(training.seed)
    model = generator.model
    groups = _parameter_groups(model, training)
    optimizer = torch.optim.AdamW(groups, weight_decay=0.01)
    batches = _length_batches(contexts, replies, training)
    steps = len(batches)
    schedule = warmup_linear_decay(optimizer, steps, steps // 10)
    losses: list[float] = []
    model.train()
    for rows in batches:
        batch = generator.batch([contexts[i] for i in rows], [replies[i] for i in rows])
        loss = model.loss(batch, frozen_encoder=training.freeze_encoder)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for g in groups for p in g["params"]], 1.0)
        optimizer.step()
        schedule.step()
        losses.append(float(loss.detach()))
        if progress is not None:
            progress(len(rows), losses[-1])
    model.eval()
    return losses


def _parameter_groups(model: Seq2Seq, training: GeneratorTraining) -> list[dict]:
    words = model.encoder.embeddings.word_embeddings.weight
    words.requires_grad_(not training.freeze_embeddings)
    warm: list[torch.nn.Parameter] = []
    fresh: list[torch.nn.Parameter] = []
    seen: set[int] = set()
    for name, param in model.named_parameters():
        if id(param) in seen:
            continue
        seen.add(id(param))
        if training.freeze_encoder and name.startswith("encoder.") and param is not words:
            param.requires_grad_(False)
        if not param.requires_grad:
            continue
        new = "crossattention" in name or name.startswith("decoder.cls.")
        (fresh if new else warm).append(param)
    lr = training.learning_rate
    return [{"params": warm, "lr": lr},
            {"params": fresh, "lr": lr * training.new_weights_lr_scale}]


def _length_batches(contexts: Sequence[str], replies: Sequence[str],
                    training: GeneratorTraining) -> list[list[int]]:
    """Shuffled batches of pairs with similar lengths, `epochs` passes (fractions allowed)."""
    rng = random.Random(training.seed)
    total = max(1, math.ceil(len(contexts) * training.epochs))
    order: list[int] = []
    while len(order) < total:
        order += rng.sample(range(len(contexts)), len(contexts))
    order = order[:total]
    chunk = training.batch_size * 20
    batches = []
    for start in range(0, len(order), chunk):
        pool = sorted(order[start : start + chunk],
                      key=lambda i: len(contexts[i]) + 4 * len(replies[i]))
        batches += [pool[j : j + training.batch_size]
                    for j in range(0, len(pool), training.batch_size)]
    rng.shuffle(batches)
    return batches
