"""The intent stage on tiny made-up data with a tiny (2-layer, pruned) encoder.

The contract (overfit, save and reload, batch equals one by one) is in test_stage_contract.py;
the tiny data here serves both. Tests of a trained stage are slow: the fixture fine-tunes.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
import torch

from salesbrain.schema import Role, Turn
from salesbrain.stages import STAGES
from salesbrain.stages.intent import (
    IntentInput,
    IntentStage,
    render_intent_input,
)

TINY_SETTINGS = {
    "encoder_layers": 2, "trainable_layers": 2, "reserve_chars": 50, "epochs": 25,
    "batch_size": 8, "learning_rate": 5e-4, "head_learning_rate": 1e-2, "max_length": 48,
}

MESSAGES = {
    "greeting": ["在吗", "你好，有人吗", "您好", "有人在吗？"],
    "logistics": ["我的快递到哪了", "什么时候发货", "物流怎么一直不动", "几天能到上海"],
    "price_promotion": ["能便宜点吗", "有优惠券吗", "满减怎么算", "这个价格还能少吗"],
    "return_exchange": ["不合适能退吗", "我要换货", "退款什么时候到账", "坏了怎么保修"],
}
ASKED_ORDER = (Turn(Role.CUSTOMER, "我买的东西"), Turn(Role.GUIDE, "请提供一下订单号"))


def tiny_examples() -> tuple[list[IntentInput], list[str]]:
    inputs, intents = [], []
    for intent, texts in MESSAGES.items():
        for i, text in enumerate(texts):
            inputs.append(IntentInput(text, ASKED_ORDER if i % 2 else ()))
            intents.append(intent)
    return inputs, intents


@pytest.fixture(scope="module")
def trained() -> IntentStage:
    torch.set_num_threads(1)  # tiny tensors: a second thread only adds synchronisation
    inputs, intents = tiny_examples()
    return IntentStage(TINY_SETTINGS).fit(inputs, intents, validation=(inputs, intents))


@pytest.fixture(scope="module")
def saved(trained: IntentStage, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return trained.save_pretrained(tmp_path_factory.mktemp("brain") / "intent")


def test_registered() -> None:
    assert STAGES["intent"] is IntentStage


@pytest.mark.slow
def test_probabilities_are_a_distribution(trained: IntentStage) -> None:
    for prediction in trained.predict(tiny_examples()[0]):
        assert set(prediction.probabilities) == set(MESSAGES)
        assert math.isclose(sum(prediction.probabilities.values()), 1.0, abs_tol=1e-5)
        assert prediction.probability == max(prediction.probabilities.values())
    assert trained.temperature_ > 0


@pytest.mark.slow
def test_saved_directory_holds_the_artifact_files(saved: Path) -> None:
    for name in ("config.json", "labels.json", "train_args.json", "version.json",
                 "head.safetensors", "encoder/model.safetensors", "encoder/tokenizer.json"):
        assert (saved / name).is_file(), name


@pytest.mark.slow
@pytest.mark.parametrize("threshold", [0.0, 0.6, 1.01])
def test_uncertain_flag_follows_threshold(saved: Path, threshold: float) -> None:
    stage = IntentStage.from_pretrained(saved, {"uncertain_threshold": threshold})
    inputs = [*tiny_examples()[0], IntentInput("嗯嗯哈哈")]
    for prediction in stage.predict(inputs):
        assert prediction.uncertain == (prediction.probability < threshold)


@pytest.mark.slow
@pytest.mark.parametrize(("precision", "surroundings"),
                         [("int8", "fp32"), ("int8", "bf16"), ("bf16", "auto")])
def test_reduced_precision_load_agrees_with_fp32(
    saved: Path, precision: str, surroundings: str
) -> None:
    inputs = tiny_examples()[0]
    fp32 = IntentStage.from_pretrained(saved, {"precision": "fp32"}).predict(inputs)
    reduced = IntentStage.from_pretrained(
        saved, {"precision": precision, "int8_surroundings": surroundings})
    assert reduced.precision_ == precision
    if precision == "int8":
        float_dtype = torch.bfloat16 if surroundings == "bf16" else torch.float32
        assert reduced.network_.head.weight.dtype is float_dtype
    predictions = reduced.predict(inputs)
    agree = sum(a.intent == b.intent for a, b in zip(fp32, predictions, strict=True))
    assert agree >= len(inputs) - 1
    assert max(abs(a.probability - b.probability)
               for a, b in zip(fp32, predictions, strict=True)) < 0.1
    with pytest.raises(ValueError, match=precision):
        reduced.save_pretrained(saved.parent / "x")


@pytest.mark.slow
def test_stage_saved_with_the_old_int8_flag_still_loads(saved: Path, tmp_path: Path) -> None:
    legacy = tmp_path / "intent"
    shutil.copytree(saved, legacy)
    config = json.loads((legacy / "config.json").read_text())
    config["settings"].pop("precision")
    config["settings"]["int8"] = True
    (legacy / "config.json").write_text(json.dumps(config))
    assert IntentStage.from_pretrained(legacy).precision_ == "int8"
    with pytest.raises(ValueError, match="precision"):
        IntentStage.from_pretrained(saved, {"precision": "fp16"})


@pytest.mark.slow
def test_long_context_is_cut_from_the_left(trained: IntentStage) -> None:
    context = tuple(Turn(Role.GUIDE, f"第{i}句很长的导购回复" * 5) for i in range(6))
    ids, message_length = trained._token_ids([IntentInput("退款什么时候到账", context)])[0]
    message = trained._token_ids([IntentInput("退款什么时候到账")])[0][0].tolist()
    assert len(ids) == trained.settings.max_length
    # The message (after the "query:" prefix of the short form) ends the long input intact.
    tail = trained.tokenizer_("顾客: 退款什么时候到账", add_special_tokens=False)["input_ids"]
    assert ids.tolist()[-len(tail) - 1 : -1] == tail == message[-len(tail) - 1 : -1]
    assert message_length == len(tail) + 1


def test_input_format_marks_roles() -> None:
    item = IntentInput("发票\n怎么开", (Turn(Role.CUSTOMER, "在吗"), Turn(Role.GUIDE, "您好")))
    assert render_intent_input(item) == "query: 顾客: 在吗 导购: 您好 顾客: 发票 怎么开"
    assert render_intent_input(item, context_turns=1) == "query: 导购: 您好 顾客: 发票 怎么开"


def test_unknown_intent_or_setting_fails() -> None:
    with pytest.raises(ValueError, match="taxonomy"):
        IntentStage(TINY_SETTINGS).fit([IntentInput("在吗")], ["hello"])
    with pytest.raises(ValueError, match="unknown setting"):
        IntentStage({"layers": 2})


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["onnx", "onnx-int8"])
def test_onnx_load_agrees_with_fp32(
    saved: Path, precision: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("onnxruntime", reason="the onnx extra (onnxruntime) is not installed")
    pytest.importorskip("onnxscript", reason="the onnx extra (onnxscript) is not installed")
    monkeypatch.setenv("SALESBRAIN_CACHE", str(tmp_path / "cache"))
    inputs = tiny_examples()[0]
    fp32 = IntentStage.from_pretrained(saved, {"precision": "fp32"}).predict(inputs)
    stage = IntentStage.from_pretrained(saved, {"precision": precision})
    assert stage.precision_ == precision
    predictions = stage.predict(inputs)
    agree = sum(a.intent == b.intent for a, b in zip(fp32, predictions, strict=True))
    assert agree == len(inputs) if precision == "onnx" else agree >= len(inputs) - 1
    tolerance = 1e-4 if precision == "onnx" else 0.1
    assert max(abs(a.probability - b.probability)
               for a, b in zip(fp32, predictions, strict=True)) < tolerance
    with pytest.raises(ValueError, match=precision):
        stage.save_pretrained(tmp_path / "x")
