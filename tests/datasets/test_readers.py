"""The readers of the annotated dialogue sets and the review sets, on tiny fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salesbrain.datasets import eprstmt, jddc2019, reviews, stc3
from salesbrain.datasets.splits import is_heldout_review
from salesbrain.schema import Role, Turn


def test_jddc_line_fields_and_bad_line_named(tmp_path: Path) -> None:
    message = jddc2019.parse_line("s1\tU1\t1\t0\t0\tnan\t好的\t亲")
    assert (message.session_id, message.role, message.content) == ("s1", Role.GUIDE, "好的\t亲")
    path = tmp_path / "chat.tsv"
    path.write_text("s1\tU1\t0\t0\t0\tnan\t在吗\ns1\tU1\t2\t0\t0\tnan\t?\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"{path}:2: .*is_agent 0 or 1"):
        jddc2019.read_conversations(path)


def test_stc3_quality_examples_average_the_annotators(tmp_path: Path) -> None:
    path = tmp_path / "stc3.json"
    path.write_text(json.dumps([{
        "id": 7, "turns": [{"sender": "customer", "utterances": ["一", "二"]},
                           {"sender": "helpdesk", "utterances": ["好"]}],
        "annotations": [{"quality": {"A": 2, "S": 1, "E": 0}},
                        {"quality": {"A": 0, "S": 1, "E": -1}}],
    }]), encoding="utf-8")
    [example] = stc3.read_quality_examples(path)
    assert example.dialogue_id == "7"
    assert example.turns == (Turn(Role.CUSTOMER, "一\n二"), Turn(Role.GUIDE, "好"))
    assert (example.a, example.s, example.e) == (1.0, 1.0, -0.5)


@pytest.mark.parametrize(("item", "reason"), [
    ({"turns": []}, "without an 'id'"),
    ({"id": 3, "turns": [{"sender": "bot", "utterances": []}]}, "dialogue 3 turn 0: bad sender"),
])
def test_stc3_bad_dialogue_is_named(tmp_path: Path, item: dict, reason: str) -> None:
    path = tmp_path / "stc3.json"
    path.write_text(json.dumps([item]), encoding="utf-8")
    with pytest.raises(ValueError, match=reason):
        stc3.read_conversations(path)


def write_review_sets(root: Path, texts: list[str]) -> Path:
    (root / "sentiment" / "eprstmt").mkdir(parents=True)
    for name in reviews.REVIEW_FILES:
        rows = ["label,review"] + [f"{i % 2},{text}" for i, text in enumerate(texts)] + ["1,"]
        (root / "sentiment" / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    dev = [{"sentence": texts[0], "label": "Negative"}]
    train = [{"sentence": "很好", "label": "Positive"}]
    unlabelled = [{"sentence": texts[0]}, {"sentence": "一般般"}]
    for name, records in (("dev", dev), ("train", train), ("unlabelled", unlabelled)):
        path = root / eprstmt.FOLDER / eprstmt.FILES[name]
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                        encoding="utf-8")
    return root


def test_trainable_reviews_leave_out_the_slice_and_eprstmt_dev(tmp_path: Path) -> None:
    texts = [f"第{i}条评价" for i in range(400)]
    data = write_review_sets(tmp_path, texts)
    every = reviews.read_review_sets(data)
    assert len(every) == 2 * len(texts)  # the empty review is dropped
    assert {r.source for r in every} == {"online_shopping_10_cats", "waimai_10k"}
    assert every[1] == reviews.Review("online_shopping_10_cats", texts[1], "Positive")
    held = {t for t in texts if is_heldout_review(t)}
    assert held and {r.sentence for r in reviews.heldout_reviews(data)} == held
    trainable = {r.sentence for r in reviews.trainable_reviews(data)}
    assert trainable == set(texts) - held - {texts[0]}
    assert eprstmt.unlabelled_texts(data) == ["一般般"]
    assert [r.label for r in eprstmt.read_eprstmt(data, "train")] == ["Positive"]
