"""Batched redaction: the batch path must store exactly what message-by-message redaction would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salesbrain.ingest import redact as redact_module
from salesbrain.ingest.name_tagger import NameTagger, _decode
from salesbrain.ingest.redact import redact_message, redact_messages, trim_tagged

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

VARIED = [
    "", "在吗", "好的亲", "嗯", "店长杨丽说明天到货", "王阿姨，您的衣服改好了",
    "我叫王小明，电话138 0013 8000，寄到上海市浦东新区张杨路500号3楼",
    "加薇 amy_2023，幺三九🌸2465🌸0817，已发顺丰 SF 1234 5678 9012",
    "【国贸店 导购 周佳怡】", "快递放香港广场南座 3801", "小美你好，朵朵也来了",
    "满300减50", "这件165cm穿M码可以吗", "在吗", "好的亲",  # repeats, as archives have
    "x" * 700 + "张伟" + "。" * 300,  # one long message beside short ones in a padded batch
]


def _texts() -> list[str]:
    texts = list(VARIED)
    for name in ("redaction_spans.jsonl", "redaction_spans_holdout.jsonl"):
        lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
        texts += [json.loads(line)["text"] for line in lines if line]
    return texts


def test_batch_equals_one_by_one_over_varied_texts(shipped: NameTagger) -> None:
    texts = _texts()
    assert redact_messages(texts) == [redact_message(text) for text in texts]


def test_memo_is_reused_across_batches_and_bounded(monkeypatch: pytest.MonkeyPatch,
                                                   shipped: NameTagger) -> None:
    memo: dict = {}
    first = redact_messages(["在吗", "电话13812345678", "在吗"], memo)
    assert set(memo) == {"在吗", "电话13812345678"}
    assert first[0] is first[2] and first[1].text == "电话[手机号]"
    monkeypatch.setattr(redact_module, "MEMO_LIMIT", 1)
    second = redact_messages(["王阿姨您好"], memo)
    assert set(memo) == {"王阿姨您好"} and second == [redact_message("王阿姨您好")]


def test_numpy_decoder_gives_crfsuite_labels(shipped: NameTagger) -> None:
    texts = [t for t in _texts() if t and shipped.wants(t)]
    assert len(texts) > 50
    crfsuite = shipped._tagger  # CRFsuite's own tagger, the reference
    assert shipped.spans(texts) == [_decode(crfsuite.tag(shipped.features(t))) for t in texts]


@pytest.mark.parametrize(("text", "span", "kept"), [
    ("寄到天津市南开区鞍山西道320号吧", ("address", 2, 18), "天津市南开区鞍山西道320号"),
    ("我在虹口区四川北路1600号附近", ("address", 2, 16), "虹口区四川北路1600号"),
    ("放在3号楼门卫", ("address", 2, 7), "3号楼"),
    ("王阿姨吧", ("person_name", 0, 4), "王阿姨吧"),  # only addresses are trimmed
])
def test_tagged_address_loses_a_trailing_particle_or_near_word(
        text: str, span: tuple[str, int, int], kept: str) -> None:
    [(kind, start, end)] = trim_tagged(text, [span])
    assert kind == span[0] and text[start:end] == kept


def test_tagged_span_of_only_a_tail_is_dropped() -> None:
    assert trim_tagged("就在附近", [("address", 2, 4)]) == []
