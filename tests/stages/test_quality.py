"""Quality stage: scores on tiny data.

The contract (overfit, save and reload, batch equals one by one) is in test_stage_contract.py,
on the tiny data and the hashing encoder here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from salesbrain.schema import Role, Turn
from salesbrain.stages import stage_class
from salesbrain.stages.quality import QualityStage, count_features

DIM = 24


class HashingEncoder:
    """A deterministic stand-in for e5: character hashes into a small normalised vector."""

    class _Config:
        hidden_size = DIM

    class _Model:
        config = None

    def __init__(self) -> None:
        self.model = self._Model()
        self.model.config = self._Config()

    def encode(self, texts, kind="query", max_length=128, batch_size=32, device=None):
        rows = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            for char in text[:max_length]:
                rows[i, hashlib.md5(char.encode()).digest()[0] % DIM] += 1.0
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)

    def save_pretrained(self, out_dir) -> Path:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        (Path(out_dir) / "hashing.json").write_text("{}")
        return Path(out_dir)


HAPPY = ("好的，已经解决了，谢谢", "收到了，非常感谢", "可以了谢谢你们")
ANGRY = ("还是没有解决，太差了", "你们到底管不管", "投诉！一直没人处理")


def tiny_dialogues() -> tuple[list[tuple[Turn, ...]], np.ndarray]:
    dialogues, targets = [], []
    for i in range(18):
        happy = i % 2 == 0
        last = (HAPPY if happy else ANGRY)[i % 3]
        dialogue = (Turn(Role.CUSTOMER, f"我的订单{i}号怎么还没到"),
                    Turn(Role.GUIDE, "您好，请私信订单号，我们马上查询"),
                    Turn(Role.CUSTOMER, last))
        dialogues.append(dialogue)
        score = 1.5 if happy else -1.5
        targets.append((score, score - 0.2, score * 0.5))
    return dialogues, np.array(targets)


@pytest.fixture(scope="module")
def fitted() -> QualityStage:
    dialogues, targets = tiny_dialogues()
    return QualityStage({"alphas": (0.01, 0.1, 1.0)}).fit(dialogues, targets,
                                                          encoder=HashingEncoder())


def test_registered_and_settings_are_strict() -> None:
    assert stage_class("quality") is QualityStage
    with pytest.raises(ValueError, match="unknown setting"):
        QualityStage({"alpha": 1.0})


def test_predictions_follow_the_annotators(fitted: QualityStage) -> None:
    dialogues, targets = tiny_dialogues()
    predictions = fitted.predict(dialogues)
    for i, key in enumerate(("a", "s", "e")):
        predicted = [getattr(p, key) for p in predictions]
        assert spearmanr(predicted, targets[:, i])[0] > 0.8
    assert all(0.0 <= p.quality <= 100.0 for p in predictions)
    happy = np.mean([p.quality for p in predictions[::2]])
    assert happy > np.mean([p.quality for p in predictions[1::2]]) + 20


def test_weights_are_saved_as_safetensors(fitted: QualityStage, tmp_path: Path) -> None:
    fitted.save_pretrained(tmp_path / "quality")
    assert (tmp_path / "quality" / "model.safetensors").is_file()


def test_predict_does_not_mutate_and_handles_empty_dialogues(fitted: QualityStage) -> None:
    dialogue = (Turn(Role.GUIDE, "在吗"),)
    before = dialogue
    [prediction] = fitted.predict([()])
    assert 0.0 <= prediction.quality <= 100.0
    fitted.predict([dialogue])
    assert dialogue == before
    assert count_features(()).tolist() == [0.0] * 6


@pytest.mark.slow
def test_real_encoder_round_trip(tmp_path: Path) -> None:
    dialogues, targets = tiny_dialogues()
    stage = QualityStage({"max_length": 32, "reserve_chars": 200}).fit(dialogues, targets)
    stage.save_pretrained(tmp_path / "quality")
    reloaded = QualityStage.from_pretrained(tmp_path / "quality", overrides={"precision": "fp32"})
    for a, b in zip(stage.predict(dialogues), reloaded.predict(dialogues), strict=True):
        assert a.quality == pytest.approx(b.quality, abs=1e-3)
    bf16 = QualityStage.from_pretrained(tmp_path / "quality", overrides={"precision": "bf16"})
    assert bf16.encoder_.model.dtype == torch.bfloat16
    for a, b in zip(stage.predict(dialogues), bf16.predict(dialogues), strict=True):
        assert a.quality == pytest.approx(b.quality, abs=5.0)  # on the 0-100 scale
