"""Dialogues, their split and the prepared reply-suggestion files, on tiny hand-written sources."""

from __future__ import annotations

import json
import random
import zipfile
from collections import defaultdict
from pathlib import Path

from salesbrain.datasets import prepare_dialogues
from salesbrain.datasets.dialogues import merge_messages, pairs_of, read_all, split_dialogues
from salesbrain.evaluation.generation import read_jddc_dev
from salesbrain.evaluation.response_selection import read_groups

QUESTIONS = ["有M码吗", "几天到货", "能开发票吗", "可以便宜点吗", "支持退货吗", "有赠品吗"]
ANSWERS = ["M码有货的亲", "一般三天内送到", "可以开电子发票", "现在满减很划算",
           "七天无理由退货", "送一双袜子哦", "还有其他问题吗", "好的稍等为您查询"]


def write_sources(root: Path, sessions: int = 40) -> None:
    lines = []
    for s in range(sessions):
        for t in range(4):
            lines.append(f"sess{s}\tU{s}\t0\t0\t0\tnan\t{QUESTIONS[(s + t) % 6]}")
            lines.append(f"sess{s}\tU{s}\t1\t0\t0\tnan\t{ANSWERS[(s * 3 + t) % 8]}")
            lines.append(f"sess{s}\tU{s}\t1\t0\t0\tnan\t第{s}位顾客第{t}次")
    (root / "jddc2019").mkdir(parents=True)
    (root / "jddc2019" / "chat_sample.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    stc3 = [{"id": str(i), "turns": [
        {"sender": "customer", "utterances": [f"手机第{i}次坏了", "怎么办"]},
        {"sender": "helpdesk", "utterances": [f"请私信第{i}号客服"]},
        {"sender": "customer", "utterances": ["好的"]},
        {"sender": "helpdesk", "utterances": [ANSWERS[i % 8] + f"编号{i}"]}]}
        for i in range(40)]
    (root / "stc3").mkdir()
    (root / "stc3" / "train_data_cn.json").write_text(json.dumps(stc3), encoding="utf-8")
    (root / "crosswoz").mkdir()
    crosswoz = {str(i): {"messages": [{"role": "usr", "content": "推荐个酒店"},
                                      {"role": "sys", "content": f"推荐第{i}号酒店"}]}
                for i in range(10)}
    with zipfile.ZipFile(root / "crosswoz" / "val.json.zip", "w") as archive:
        archive.writestr("val.json", json.dumps(crosswoz))
    (root / "ecd").mkdir()
    (root / "ecd" / "train_sample.tsv").write_text(
        "1\t在 吗\t在 的\t有 货 吗\t有 的\n0\t在 吗\t在 的\t有 货 吗\t不 知道\n", encoding="utf-8")


def test_prepare_splits_by_conversation_and_writes_eval_sets(tmp_path: Path) -> None:
    write_sources(tmp_path / "data")
    out, eval_dir = tmp_path / "out", tmp_path / "eval"
    manifest = prepare_dialogues.run(tmp_path / "data", out, eval_dir, seed=3)
    splits_of = defaultdict(set)
    for split in ("train", "val", "test"):
        for line in (out / f"pairs_{split}.jsonl").read_text(encoding="utf-8").splitlines():
            pair = json.loads(line)
            splits_of[pair["conversation_id"]].add(split)
            assert pair["context"][-1][0] != pair["reply_role"]
    assert all(len(s) == 1 for s in splits_of.values())
    assert {"jddc:sess0", "stc3:0", "crosswoz:0"} <= set(splits_of)
    assert manifest["test_groups"] > 0
    groups = read_groups(eval_dir / "response_selection_test.tsv")
    assert len(groups) == manifest["test_groups"]
    assert all(len(g.candidates) == 10 and g.context[-1].role.value == "customer"
               for g in groups)
    assert read_jddc_dev(eval_dir / "jddc_dev")
    again = prepare_dialogues.run(tmp_path / "data", tmp_path / "again", tmp_path / "e2", seed=3)
    assert again == manifest
    assert (eval_dir / "response_selection_test.tsv").read_bytes() == (
        tmp_path / "e2" / "response_selection_test.tsv").read_bytes()


def test_merge_messages_joins_one_speakers_messages() -> None:
    dialogue = merge_messages("c", "jddc", [
        ("customer", "你好"), ("customer", "在吗"), ("guide", " "), ("guide", "在的")])
    assert dialogue.turns == [("customer", ["你好", "在吗"]), ("guide", ["在的"])]


def test_split_deals_each_sources_seeded_shuffle(tmp_path: Path) -> None:
    write_sources(tmp_path / "data")
    dialogues = read_all(tmp_path / "data")
    parts = split_dialogues(dialogues, seed=3)
    for source in ("jddc", "stc3", "crosswoz"):
        # the rule as written in the policy table, computed independently here
        order = sorted(d.conversation_id for d in dialogues if d.source == source)
        random.Random(f"3:{source}").shuffle(order)
        n_train, n_val = round(len(order) * 0.8), round(len(order) * 0.1)
        expected = {"train": order[:n_train], "validation": order[n_train : n_train + n_val],
                    "test": order[n_train + n_val :]}
        for split, ids in expected.items():
            assert [d.conversation_id for d in parts[split] if d.source == source] == ids


def test_ecd_lines_of_one_shop_conversation_become_one_dialogue(tmp_path: Path) -> None:
    write_sources(tmp_path / "data")
    with (tmp_path / "data" / "ecd" / "train_sample.tsv").open("a", encoding="utf-8") as handle:
        handle.write("1\t在 吗\t在 的\t有 货 吗\t有 的\t几 天 到\t三 天\n")
    [ecd] = [d for d in read_all(tmp_path / "data") if d.source == "ecd"]
    assert ecd.turns[-1] == ("guide", ["三天"]) and len(ecd.turns) == 6
    pairs = pairs_of(ecd)
    assert [p["reply_role"] for p in pairs] == ["guide", "customer"] * 2 + ["guide"]
    assert pairs[-1]["context"][-1] == ["customer", "几天到"]
