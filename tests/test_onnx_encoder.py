"""The e5 encoder run by ONNX Runtime (precisions "onnx" and "onnx-int8") against torch fp32.

A 2-layer pruned encoder keeps the export to a few seconds. Tests that need ONNX Runtime skip
when the `onnx` extra is not installed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from salesbrain.encoder import load_encoder, pruned_encoder, resolve_precision

TEXTS = ["在吗", "这款面霜适合敏感肌吗？", "我的快递到哪了，三天了还没到，能帮我查一下物流吗",
         "能便宜点吗", "有没有优惠券，满减怎么算", "不合适能退吗", "好的谢谢", "黑色M码还有货吗"]
ONNX_EXTRA = "the onnx extra (onnxruntime, onnx, onnxscript) is not installed"


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A saved 2-layer pruned encoder; ONNX exports go to a cache of this module's own."""
    pytest.importorskip("onnxruntime", reason=ONNX_EXTRA)
    pytest.importorskip("onnxscript", reason=ONNX_EXTRA)
    encoder = pruned_encoder(TEXTS, reserve_chars=50, layers=2)
    saved = encoder.save_pretrained(tmp_path_factory.mktemp("tiny") / "encoder")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SALESBRAIN_CACHE", str(tmp_path_factory.mktemp("onnx-cache")))
        yield saved


@pytest.fixture(scope="module")
def fp32_vectors(tiny_dir: Path) -> np.ndarray:
    return load_encoder(model_dir=tiny_dir, precision="fp32").encode(TEXTS, batch_size=3)


def test_onnx_vectors_match_torch(tiny_dir: Path, fp32_vectors: np.ndarray) -> None:
    # batches of 3 texts of different lengths: padding and the attention mask are exercised
    vectors = load_encoder(model_dir=tiny_dir, precision="onnx").encode(TEXTS, batch_size=3)
    np.testing.assert_allclose(vectors, fp32_vectors, atol=1e-4)


def test_onnx_int8_stays_close_and_keeps_the_ffn_output_float(
    tiny_dir: Path, fp32_vectors: np.ndarray
) -> None:
    import onnx

    encoder = load_encoder(model_dir=tiny_dir, precision="onnx-int8")
    cosine = (encoder.encode(TEXTS, batch_size=3) * fp32_vectors).sum(axis=1)
    assert cosine.min() > 0.98
    graph = onnx.load(str(encoder.model.path)).graph
    producers = {output: node.op_type for node in graph.node for output in node.output}
    float_matmuls = [node for node in graph.node if node.op_type == "MatMul"
                     and producers.get(node.input[0]) == "Gelu"]
    assert len(float_matmuls) == 2  # one FFN output projection per layer
    assert any(node.op_type in ("MatMulInteger", "DynamicQuantizeMatMul") for node in graph.node)


def test_second_load_reuses_the_cached_export(
    tiny_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from salesbrain import onnx_encoder

    first = load_encoder(model_dir=tiny_dir, precision="onnx-int8").model.path
    monkeypatch.setattr(onnx_encoder, "export_onnx", _must_not_run)
    monkeypatch.setattr(onnx_encoder, "quantize_onnx", _must_not_run)
    assert load_encoder(model_dir=tiny_dir, precision="onnx-int8").model.path == first


def test_onnx_encoder_cannot_be_saved(tiny_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="inference only"):
        load_encoder(model_dir=tiny_dir, precision="onnx").save_pretrained(tmp_path / "x")


def test_onnx_precisions_run_on_cpu_only() -> None:
    assert resolve_precision("onnx-int8") == "onnx-int8"
    with pytest.raises(ValueError, match="CPU only"):
        resolve_precision("onnx", device="cuda")


def test_missing_onnxruntime_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from salesbrain.onnx_encoder import onnxruntime

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # makes the import fail
    with pytest.raises(ImportError, match=r"salesbrain\[onnx\]"):
        onnxruntime()


def _must_not_run(*_: object, **__: object) -> None:
    raise AssertionError("exported again instead of reusing the cached file")
