"""JDDC 2018, FOSAED and JDDC 2.1 read into (context, reply) dialogues, on tiny fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salesbrain.datasets import fosaed, jddc21rec, jddc2018
from salesbrain.datasets.dialogues import pairs_of, read_dialogues
from salesbrain.schema import Role, Turn


def write_jddc2018(root: Path, dec: str = "好的亲,马上为您查询,\n\n") -> None:
    (root / "jddc2018").mkdir(parents=True, exist_ok=True)
    (root / "jddc2018" / "train.enc").write_text("在吗,您好,我的快递呢,\n发票,\n",
                                                 encoding="utf-8")
    (root / "jddc2018" / "train.dec").write_text(dec, encoding="utf-8")


def test_jddc2018_alternates_back_from_the_customer_and_ends_with_the_reply(
    tmp_path: Path
) -> None:
    write_jddc2018(tmp_path)
    conversations = jddc2018.read_conversations(tmp_path / "jddc2018")
    assert conversations["1"] == (Turn(Role.CUSTOMER, "在吗"), Turn(Role.GUIDE, "您好"),
                                  Turn(Role.CUSTOMER, "我的快递呢"),
                                  Turn(Role.GUIDE, "好的亲 马上为您查询"))
    assert conversations["2"] == (Turn(Role.CUSTOMER, "发票"),)  # its reply is empty
    [first, _] = read_dialogues("jddc2018", tmp_path)
    pair = pairs_of(first)[-1]
    assert pair["reply"] == "好的亲 马上为您查询"
    assert pair["context"][-1] == ["customer", "我的快递呢"]


def test_jddc2018_files_out_of_step_fail(tmp_path: Path) -> None:
    write_jddc2018(tmp_path, dec="好的\n")
    with pytest.raises(ValueError, match="line-aligned"):
        jddc2018.read_conversations(tmp_path / "jddc2018")


def test_fosaed_keeps_both_parties_and_drops_system_text(tmp_path: Path) -> None:
    (tmp_path / "fosaed").mkdir()
    items = [{"id": 91, "content": ["客服:您好，请问有什么可以帮您,", "RULE:超时赔付,",
                                    "用户:外卖还没到,", "客服:马上为您催单"]}]
    (tmp_path / fosaed.FILE).write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    assert fosaed.read_conversations(tmp_path / fosaed.FILE)["91"] == (
        Turn(Role.GUIDE, "您好，请问有什么可以帮您"), Turn(Role.CUSTOMER, "外卖还没到"),
        Turn(Role.GUIDE, "马上为您催单"))
    [dialogue] = read_dialogues("fosaed", tmp_path)
    assert dialogue.conversation_id == "fosaed:91" and len(pairs_of(dialogue)) == 2
    (tmp_path / fosaed.FILE).write_text(json.dumps([{"id": 1}]), encoding="utf-8")
    with pytest.raises(ValueError, match="item 1: expected an 'id' and a 'content' list"):
        fosaed.read_conversations(tmp_path / fosaed.FILE)


def test_jddc21rec_reads_both_files_and_skips_images(tmp_path: Path) -> None:
    folder = tmp_path / "jddc21rec"
    folder.mkdir()
    train = [{"id": "a", "dialogs": ["用户发起转人工", "ab12.jpg", "您好", "能用吗", "可以的"],
              "roles": ["顾客", "顾客", "客服", "顾客", "客服"], "labels": [], "binary_labels": []}]
    dev = [{"id": "b", "dialogs": ["在吗", "在的"], "roles": ["顾客", "客服"]}]
    (folder / "1_train.json").write_text(json.dumps(train, ensure_ascii=False), encoding="utf-8")
    (folder / "1_dev.json").write_text(json.dumps(dev, ensure_ascii=False), encoding="utf-8")
    conversations = jddc21rec.read_conversations(folder)
    assert list(conversations) == ["a", "b"]
    assert [t.text for t in conversations["a"]] == ["用户发起转人工", "您好", "能用吗", "可以的"]
    assert [p["reply_role"] for d in read_dialogues("jddc21rec", tmp_path)
            for p in pairs_of(d)] == ["guide", "customer", "guide", "guide"]
    dev[0]["roles"] = ["顾客"]
    (folder / "1_dev.json").write_text(json.dumps(dev, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="1_dev.json: item 1: malformed dialogue"):
        jddc21rec.read_conversations(folder)
