"""The name tagger: its verbs on a tiny model, its gate, and the model shipped with the package."""

from __future__ import annotations

import json

import pytest

from salesbrain.ingest.name_tagger import Lexicon, NameTagger, TaggerSettings

TINY = [
    ("店长杨丽说明天到货", [("person_name", 2, 4)]),
    ("导购周佳怡在店里", [("person_name", 2, 5)]),
    ("朋友林晓婷也想要", [("person_name", 2, 5)]),
    ("户名张伟，开户行招商", [("person_name", 2, 4)]),
    ("王阿姨您好", [("person_name", 0, 1)]),
    ("寄到阳光花园3栋501", [("address", 2, 11)]),
    ("李宁的鞋码偏大吗", []),
    ("周末有时间过来试穿", []),
    ("静安嘉里中心店几点关门", []),
]


@pytest.fixture(scope="module")
def tiny() -> NameTagger:
    settings = TaggerSettings(c1=0.0, c2=0.001, max_iterations=60, min_feature_freq=1)
    return NameTagger(settings).fit(TINY)


def test_overfits_tiny_data(tiny: NameTagger) -> None:
    assert tiny.spans([t for t, _ in TINY]) == [list(g) for _, g in TINY]


def test_save_load_gives_the_same_spans(tiny: NameTagger, tmp_path) -> None:
    tiny.save_pretrained(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text("utf-8"))
    assert config["format_version"] == 1 and "lexicon" in config
    loaded = NameTagger.from_pretrained(tmp_path)
    texts = [t for t, _ in TINY] + ["同事陈静说寄到翠湖小区5-402"]
    assert loaded.spans(texts) == tiny.spans(texts)
    assert loaded.wants("王阿姨您好") == tiny.wants("王阿姨您好")


def test_batch_equals_one_by_one(tiny: NameTagger) -> None:
    texts = ["店长杨丽说明天到货", "", "李宁的鞋码偏大吗", "朋友林晓婷也想要"]
    assert tiny.spans(texts) == [tiny.spans([t])[0] for t in texts]


def test_unknown_config_key_and_bad_span_are_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="unknown keys"):
        TaggerSettings.from_dict({"c3": 1})
    with pytest.raises(ValueError, match="example 0"):
        NameTagger().fit([("王阿姨", [("person_name", 2, 9)])])


def test_unfitted_tagger_says_so() -> None:
    with pytest.raises(RuntimeError, match="not fitted"):
        NameTagger().spans(["王阿姨"])


@pytest.mark.parametrize("text", [
    "王阿姨，衣服到了", "朋友晓婷也要", "【国贸店 导购 周佳怡】", "香港广场南座 3801", "住12舍302",
    "户名张伟", "我叫朵朵", "小美你好",
])
def test_gate_passes_what_may_hold_a_name_or_address(text: str) -> None:
    assert NameTagger().wants(text)


@pytest.mark.parametrize(
    "text", ["好的亲", "这件165cm穿M码可以吗", "满300减50", "马上发货", "嗯嗯好的"])
def test_gate_turns_away_plain_chat(text: str) -> None:
    assert not NameTagger().wants(text)


def test_common_words_close_the_gate() -> None:
    assert NameTagger().wants("毛衣好看")
    assert not NameTagger(lexicon=Lexicon(common_words=("毛衣",))).wants("毛衣好看")


@pytest.mark.parametrize(("text", "name"), [
    ("店长杨丽说明天到货", "杨丽"),
    ("王阿姨，您的衣服改好了", "王"),
    ("【国贸店 导购 周佳怡】", "周佳怡"),
    ("户名张伟，开户行是招商银行", "张伟"),
    ("我朋友林晓婷也想要一件", "林晓婷"),
])
def test_shipped_model_tags_names(shipped: NameTagger, text: str, name: str) -> None:
    assert shipped.wants(text)
    names = [text[a:b] for kind, a, b in shipped.spans([text])[0] if kind == "person_name"]
    assert names == [name]


def test_shipped_model_tags_a_building_and_room(shipped: NameTagger) -> None:
    text = "快递放香港广场南座 3801"
    assert shipped.wants(text)
    spans = shipped.spans([text])[0]
    assert any(kind == "address" and "3801" in text[a:b] for kind, a, b in spans)


@pytest.mark.parametrize("text", [
    "李宁的鞋码偏大吗", "静安嘉里中心店今天几点关门", "这是我们的王牌款", "太平鸟和森马哪个好",
    "今天很高兴见到您",
])
def test_shipped_model_leaves_brands_stores_and_words(shipped: NameTagger, text: str) -> None:
    assert shipped.spans([text]) == [[]]
