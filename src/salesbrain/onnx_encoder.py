"""ONNX Runtime inference for the fine-tuned e5 encoders (the optional extra `onnx`).

A BERT encoder directory (`config.json`, `model.safetensors`) is exported once with
`torch.onnx.export` (the torch.export-based exporter; batch and sequence axes dynamic), and for
"onnx-int8" its weight matrices are then quantised to int8 with ONNX Runtime's
`quantize_dynamic` (per-channel weight scales, activations quantised per batch at run time).
The files are cached under `salesbrain.paths.cache_dir() / "onnx" / <key>`, where the key hashes
the weights, the config and the exporter's versions, so a second load does not export again.

`OnnxBackbone` is called like the `BertModel` it replaces (`input_ids`, `attention_mask` ->
`.last_hidden_state` as a torch tensor), so pooling, heads and labels run through the same code
as the torch precisions::

    from salesbrain.encoder import load_encoder
    encoder = load_encoder(model_dir="models/brains/V/quality/encoder", precision="onnx-int8")
    vectors = encoder.encode(["这款面霜适合敏感肌吗？"])

Like `encoder.quantize_int8`, int8 leaves each layer's FFN output projection in float by
default: it reads GELU outputs whose outliers a per-batch int8 scale clips.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import logging
import os
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import torch

from salesbrain.paths import cache_dir

log = logging.getLogger(__name__)

OPSET = 20
INPUTS = ("input_ids", "attention_mask")
OUTPUT = "last_hidden_state"
_HASHED_FILES = ("config.json", "model.safetensors")
# GELU as exported, and as ONNX Runtime's transformer optimiser fuses it
GELU_OPS = ("Gelu", "BiasGelu", "FastGelu")


def onnxruntime() -> ModuleType:
    """The `onnxruntime` module, or an ImportError naming the extra that installs it."""
    try:
        return importlib.import_module("onnxruntime")
    except ImportError as error:
        raise ImportError(
            "precisions 'onnx' and 'onnx-int8' need ONNX Runtime: "
            "pip install 'salesbrain[onnx]' (onnxruntime, onnx, onnxscript)") from error


@dataclass(frozen=True)
class Rewrite:
    """A change made to the torch model before export; `name` keys its cached files."""

    name: str
    apply: Callable[[Any], None]


@dataclass
class BackboneOutput:
    """What the code around a `BertModel` reads from its output."""

    last_hidden_state: torch.Tensor


class OnnxBackbone(torch.nn.Module):
    """A BERT encoder run by an ONNX Runtime session, called like the `BertModel` it was
    exported from; inference only, CPU only."""

    def __init__(self, session: Any, config: Any, path: Path) -> None:
        super().__init__()
        self.session = session
        self.config = config
        self.path = path

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                **_: Any) -> BackboneOutput:
        mask = torch.ones_like(input_ids) if attention_mask is None else attention_mask
        feeds = {"input_ids": input_ids.to(torch.int64).cpu().numpy(),
                 "attention_mask": mask.to(torch.int64).cpu().numpy()}
        (states,) = self.session.run([OUTPUT], feeds)
        return BackboneOutput(torch.from_numpy(states))

    def save_pretrained(self, *_: Any, **__: Any) -> None:
        raise ValueError("an ONNX encoder is for inference only; save the fp32 encoder")


def load_onnx_backbone(model_dir: Path, quantized: bool, threads: int | None = None,
                       before_int8: Rewrite | None = None) -> Any:
    """The encoder in `model_dir` as an `OnnxBackbone`, exported (and quantised) on first use;
    its session runs on `threads` intra-op threads (default: torch's). `before_int8` rewrites
    the torch model before an int8 export (e.g. `encoder.smooth_for_int8`)."""
    from transformers import AutoConfig

    ort = onnxruntime()
    path = onnx_file(Path(model_dir), quantized, before_int8)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or torch.get_num_threads()
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return OnnxBackbone(session, AutoConfig.from_pretrained(model_dir), path)


def onnx_file(model_dir: Path, quantized: bool, before_int8: Rewrite | None = None) -> Path:
    """The cached ONNX export of `model_dir` (float, or int8 when `quantized`, exported after
    `before_int8` rewrote the model when given)."""
    onnxruntime()
    folder = cache_dir() / "onnx" / export_key(model_dir)
    rewrite = before_int8 if quantized else None
    suffix = f"-{rewrite.name}" if rewrite is not None else ""
    float_path = folder / f"model{suffix}.onnx"
    if not float_path.is_file():
        log.info("exporting %s to ONNX (once per weights, cached in %s)", model_dir, folder)
        _publish_file(float_path, lambda staging: export_onnx(model_dir, staging, rewrite))
    if not quantized:
        return float_path
    int8_path = folder / f"model-int8{suffix}.onnx"
    if not int8_path.is_file():
        _publish_file(int8_path, lambda staging: quantize_onnx(float_path, staging))
    return int8_path


def export_key(model_dir: Path) -> str:
    """Hash of the weights, the config and the versions that shape the exported graph."""
    import onnxscript

    digest = hashlib.sha256()
    for name in _HASHED_FILES:
        with (model_dir / name).open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    versions = f"torch {torch.__version__} onnxscript {onnxscript.__version__} opset {OPSET}"
    digest.update(versions.encode())
    return digest.hexdigest()[:32]


class _LastHiddenState(torch.nn.Module):
    def __init__(self, model: Any) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


def export_onnx(model_dir: Path, out: Path, rewrite: Rewrite | None = None) -> Path:
    """Export the BertModel in `model_dir` (changed by `rewrite` first, when given) to one
    self-contained ONNX file at `out`.

    The TorchScript exporter (dynamo=False) bakes the example's mask handling into the graph
    (max abs difference ~1 on other shapes), so this uses the torch.export-based one.
    """
    from transformers import AutoModel

    from salesbrain.logs import quiet_transformers

    with quiet_transformers():
        model = AutoModel.from_pretrained(model_dir, add_pooling_layer=False).eval()
    if rewrite is not None:
        rewrite.apply(model)
    ids = torch.randint(5, int(model.config.vocab_size), (2, 16))
    mask = torch.ones_like(ids)
    mask[1, 10:] = 0
    batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence", max=512)
    with warnings.catch_warnings(), torch.inference_mode(False):
        warnings.simplefilter("ignore")
        program = torch.onnx.export(
            _LastHiddenState(model), (ids, mask), dynamo=True, opset_version=OPSET,
            input_names=list(INPUTS), output_names=[OUTPUT], external_data=False,
            dynamic_shapes={"input_ids": {0: batch, 1: sequence},
                            "attention_mask": {0: batch, 1: sequence}}, verbose=False)
    if program is None:
        raise RuntimeError(f"torch.onnx.export returned no program for {model_dir}")
    program.save(str(out), external_data=False)
    return out


def quantize_onnx(source: Path, out: Path, keep_ffn_output: bool = True) -> Path:
    """Dynamic int8 copy of an exported encoder: every weight MatMul gets int8 weights with
    per-channel scales, except (with `keep_ffn_output`) the ones that read a GELU output."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source)).graph
    producers = {output: node for node in graph.node for output in node.output}
    excluded = [node.name for node in graph.node if node.op_type == "MatMul" and keep_ffn_output
                and getattr(producers.get(node.input[0]), "op_type", "") in GELU_OPS]
    quantize_dynamic(str(source), str(out), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"], nodes_to_exclude=excluded)
    return out


def _publish_file(target: Path, write: Any) -> None:
    """Write a file beside `target`, then rename it into place (safe for concurrent loaders)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".onnx", dir=target.parent)
    os.close(handle)
    staging = Path(name)
    try:
        with _quiet_exporters():
            write(staging)
        staging.chmod(0o644)
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)


@contextlib.contextmanager
def _quiet_exporters() -> Any:
    """Silence the exporter's and the quantiser's advice (missing torchvision, pre-processing),
    which both log through `logging` at WARNING, while a file is written."""
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(previous)
