"""Resolving annotation references against tiny synthetic copies of the real data sets."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from salesbrain.datasets.annotations import (
    AnnotatedMessage,
    AnnotationReferenceError,
    load_intent_annotations,
    load_outcome_annotations,
    read_intent_records,
    split_intent_annotations,
    write_intent_records,
)
from salesbrain.datasets.sources import load_conversations
from salesbrain.datasets.splits import split_of
from salesbrain.paths import annotations_dir, shared_data_dir
from salesbrain.schema import Role, Turn

JDDC_LINES = [
    ("s1", "0", "在吗"),
    ("s1", "1", "您好，请问有什么可以帮您"),
    ("s2", "0", "发票怎么开"),
    ("s1", "0", "我的快递到哪了"),
    ("s1", "1", "请提供订单号"),
    ("s1", "0", "[订单x]"),
]


def write_fixture_data(root: Path) -> Path:
    (root / "jddc2019").mkdir(parents=True)
    rows = [f"{s}\tUSERID_1\t{agent}\t0\t0\tnan\t{text}" for s, agent, text in JDDC_LINES]
    (root / "jddc2019" / "chat_sample.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (root / "stc3").mkdir()
    stc3 = [{"id": "d1", "turns": [
        {"sender": "customer", "utterances": ["手机坏了", "能修吗"]},
        {"sender": "helpdesk", "utterances": ["请私信我们"]},
    ], "annotations": []}]
    (root / "stc3" / "train_data_cn.json").write_text(json.dumps(stc3), encoding="utf-8")
    (root / "crosswoz").mkdir()
    crosswoz = {"7": {"messages": [
        {"role": "usr", "content": "你好", "dialog_act": []},
        {"role": "sys", "content": "你好", "dialog_act": []},
        {"role": "usr", "content": "谢谢", "dialog_act": []},
    ]}}
    with zipfile.ZipFile(root / "crosswoz" / "val.json.zip", "w") as archive:
        archive.writestr("val.json", json.dumps(crosswoz, ensure_ascii=False))
    (root / "ecd").mkdir()
    (root / "ecd" / "train_sample.tsv").write_text(ECD_TEXT, encoding="utf-8")
    return root


# Response-selection lines: label, word-segmented context, candidate reply (1 = the true one).
ECD_TEXT = (
    "1\t在 吗\t亲 在 的\t165 的 穿 M 码 可以 吗\t可以 的 亲\n"
    "0\t在 吗\t亲 在 的\t165 的 穿 M 码 可以 吗\t收藏 有 礼 哦\n"
    "1\t拍 了\t好 的 亲 3 - 5 天 发 EMS\n"
)


def write_labels(directory: Path, name: str, records: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def ref(dataset: str, conversation: str, turn: int, intent: str) -> dict:
    return {"dataset": dataset, "conversation": conversation, "turn": turn, "intent": intent}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return write_fixture_data(tmp_path / "data")


def test_resolves_text_and_context_in_each_dataset(data_dir: Path, tmp_path: Path) -> None:
    labels = tmp_path / "labels"
    write_labels(labels, "intent_jddc.jsonl", [ref("jddc", "s1", 4, "logistics")])
    write_labels(labels, "intent_stc3.jsonl", [ref("stc3", "d1", 0, "return_exchange")])
    write_labels(labels, "intent_crosswoz.jsonl", [ref("crosswoz", "7", 2, "thanks_closing")])
    by_dataset = {e.dataset: e for e in load_intent_annotations(data_dir, labels)}

    jddc = by_dataset["jddc"]
    # Session lines are counted in file order, skipping the other session's line.
    assert jddc.text == "[订单x]"
    assert jddc.context == (
        Turn(Role.CUSTOMER, "在吗"),
        Turn(Role.GUIDE, "您好，请问有什么可以帮您"),
        Turn(Role.CUSTOMER, "我的快递到哪了"),
        Turn(Role.GUIDE, "请提供订单号"),
    )
    assert by_dataset["stc3"].text == "手机坏了\n能修吗" and by_dataset["stc3"].context == ()
    assert by_dataset["crosswoz"].context == (
        Turn(Role.CUSTOMER, "你好"), Turn(Role.GUIDE, "你好"),
    )


def test_ecd_lines_become_conversations_ending_with_the_shops_true_reply(
    data_dir: Path, tmp_path: Path
) -> None:
    labels = tmp_path / "labels"
    write_labels(labels, "intent_ecd.jsonl", [ref("ecd", "1", 2, "size_fit"),
                                              ref("ecd", "3", 0, "purchase_intent")])
    size, bought = load_intent_annotations(data_dir, labels)
    # Segmentation spaces go, between ASCII pieces too ("3 - 5" was "3-5").
    assert size.text == "165的穿M码可以吗"
    assert size.context == (Turn(Role.CUSTOMER, "在吗"), Turn(Role.GUIDE, "亲在的"))
    assert (bought.text, bought.context) == ("拍了", ())
    reply = load_conversations("ecd", data_dir)["3"][1]
    assert reply == Turn(Role.GUIDE, "好的亲3-5天发EMS")
    for record, reason in [(ref("ecd", "2", 0, "greeting"), "no ecd conversation '2'"),
                           (ref("ecd", "1", 3, "other"), "not a customer message")]:
        write_labels(labels, "intent_ecd.jsonl", [record])
        with pytest.raises(AnnotationReferenceError, match=reason):
            load_intent_annotations(data_dir, labels)


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (ref("jddc", "missing", 0, "greeting"), "no jddc conversation 'missing'"),
        (ref("jddc", "s1", 9, "greeting"), "out of range"),
        (ref("jddc", "s1", 1, "greeting"), "not a customer message"),
        (ref("stc3", "d1", 0, "angry"), "unknown intent"),
        (ref("weibo", "d1", 0, "greeting"), "unknown dataset"),
        ({"dataset": "jddc", "turn": 0}, "malformed"),
    ],
)
def test_bad_reference_names_file_and_line(
    data_dir: Path, tmp_path: Path, record: dict, reason: str
) -> None:
    labels = tmp_path / "labels"
    records = [ref("jddc", "s2", 0, "order_payment"), record]
    path = write_labels(labels, "intent_jddc.jsonl", records)
    with pytest.raises(AnnotationReferenceError, match=reason) as error:
        load_intent_annotations(data_dir, labels)
    assert f"{path}:2" in str(error.value)


def test_conflicting_duplicate_is_an_error(data_dir: Path, tmp_path: Path) -> None:
    labels = tmp_path / "labels"
    records = [ref("jddc", "s2", 0, "order_payment"), ref("jddc", "s2", 0, "other")]
    write_labels(labels, "intent_jddc.jsonl", records)
    with pytest.raises(AnnotationReferenceError, match="conflicting"):
        load_intent_annotations(data_dir, labels)


def test_split_is_by_conversation_and_stable() -> None:
    examples = [
        AnnotatedMessage("jddc", f"c{i // 3}", i % 3, "x", (), "other") for i in range(300)
    ]
    splits = split_intent_annotations(examples, seed=0)
    seen = {name: {e.conversation for e in part} for name, part in splits.items()}
    assert not seen["train"] & seen["test"] and not seen["validation"] & seen["test"]
    assert 0.1 < len(splits["test"]) / len(examples) < 0.3
    # A conversation's split does not depend on which other conversations exist.
    assert split_intent_annotations(examples[:30], seed=0)["test"] == [
        e for e in splits["test"] if e in examples[:30]
    ]
    assert split_of("intent", "c1", "jddc", seed=0) == split_of("intent", "c1", "jddc", seed=0)


def test_targeted_labels_are_trained_on_and_never_scored(data_dir: Path, tmp_path: Path) -> None:
    labels = tmp_path / "labels"
    write_labels(labels, "intent_jddc_extra.jsonl", [ref("jddc", "s1", 4, "logistics")])
    (example,) = load_intent_annotations(data_dir, labels)
    assert example.targeted
    many = [replace(example, conversation=f"c{i}") for i in range(200)]
    splits = split_intent_annotations(many, seed=0)
    assert not splits["test"] and not splits["validation"]
    assert 0 < len(splits["train"]) < len(many)  # held-out conversations' ones are dropped
    assert all(split_of("intent", e.conversation, "jddc") == "train" for e in splits["train"])


def test_current_label_files_resolve() -> None:
    data = shared_data_dir()
    if not data.is_dir():
        pytest.skip(f"shared data not found at {data}")
    if not any(annotations_dir().glob("intent_*.jsonl")):
        pytest.skip(f"no intent label files in {annotations_dir()}")
    examples = load_intent_annotations(data)
    assert examples and all(e.text.strip() or e.intent == "other" for e in examples)


def test_only_the_dataset_label_files_are_read(data_dir: Path, tmp_path: Path) -> None:
    labels = tmp_path / "labels"
    write_labels(labels, "intent_jddc.jsonl", [ref("jddc", "s2", 0, "order_payment")])
    # A second-pass agreement sample relabels the same message; it is not training data.
    write_labels(labels, "intent_jddc_second_pass.jsonl", [ref("jddc", "s2", 0, "other")])
    assert [e.intent for e in load_intent_annotations(data_dir, labels)] == ["order_payment"]


def test_intent_records_round_trip(data_dir: Path, tmp_path: Path) -> None:
    labels = tmp_path / "labels"
    write_labels(labels, "intent_jddc.jsonl", [ref("jddc", "s1", 4, "logistics")])
    examples = load_intent_annotations(data_dir, labels)
    path = write_intent_records(examples, tmp_path / "eval" / "intent_test.jsonl")
    assert read_intent_records(path) == examples
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert first["context"][-1] == ["guide", "请提供订单号"] and first["intent"] == "logistics"


def test_bad_intent_record_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = {"text": "在吗", "context": [], "intent": "greeting"}
    bad = {"text": "在吗", "context": [["boss", "hi"]], "intent": "greeting"}
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"{path}:2"):
        read_intent_records(path)


def test_outcome_annotations_resolve_and_hold_out_by_conversation(
    data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "outcome.jsonl"
    records = [{"dataset": "jddc", "conversation": "s1", "outcome": "resolved"},
               {"dataset": "stc3", "conversation": "d1", "outcome": "complaint_open"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    jddc, stc3 = load_outcome_annotations(data_dir, path)
    assert jddc.turns == load_conversations("jddc", data_dir)["s1"]
    assert stc3.outcome == "complaint_open"
    # held out exactly where the intent split keeps the conversation out of training
    for example in (jddc, stc3):
        intent_split = split_of("intent", example.conversation, example.dataset)
        assert example.heldout == (intent_split != "train")
    path.write_text(json.dumps({**records[0], "conversation": "nope"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"{path}:1: no jddc conversation 'nope'"):
        load_outcome_annotations(data_dir, path)
