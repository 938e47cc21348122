"""Ranking and generation metrics on hand-computed cases, and the eval file readers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from salesbrain.evaluation.generation import bleu4_char, chrf, read_jddc_dev, score_replies
from salesbrain.evaluation.response_selection import rank_of_true, ranking_metrics, read_groups
from salesbrain.schema import Role


def test_ranking_metrics_hand_computed() -> None:
    metrics = ranking_metrics([1, 2, 5, 10])
    assert metrics == pytest.approx({"n": 4, "R10@1": 0.25, "R10@2": 0.5, "R10@5": 0.75,
                                     "MRR": (1 + 0.5 + 0.2 + 0.1) / 4})


def test_ties_count_against_the_true_reply() -> None:
    assert rank_of_true(np.array([0.5, 0.5, 0.1]), 0) == 2
    assert rank_of_true(np.array([0.2, 0.9, 0.1]), 1) == 1
    assert rank_of_true(np.zeros(10), 3) == 10


def test_read_groups_roles_and_spaces(tmp_path: Path) -> None:
    path = tmp_path / "sel.tsv"
    path.write_text("1\t你 好\t在 的\t有 M码 吗\tM 码 有\n0\t你 好\t在 的\t有 M码 吗\t不 知道\n"
                    "0\t好\t再 见\n1\t好\t谢 谢\n", encoding="utf-8")
    first, second = read_groups(path)
    assert [t.role for t in first.context] == [Role.CUSTOMER, Role.GUIDE, Role.CUSTOMER]
    assert first.context[-1].text == "有M码吗" and first.candidates == ("M码有", "不知道")
    assert first.true_index == 0 and second.true_index == 1


def test_read_groups_rejects_two_true_replies(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("1\t你好\t在\n1\t你好\t不在\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.tsv:1"):
        read_groups(path)


def test_bleu_hand_computed() -> None:
    assert bleu4_char("好的呢亲", "好的呢亲") == pytest.approx(1.0)
    # three characters have no 4-gram: that order is smoothed to 0.1, as in nltk
    assert bleu4_char("好的呢", "好的呢") == pytest.approx(0.1 ** 0.25)
    # precisions 3/4, 2/3, 1/2 and a smoothed 0.1/1; equal lengths, no brevity penalty
    assert bleu4_char("abcx", "abcd") == pytest.approx((0.75 * 2 / 3 * 0.5 * 0.1) ** 0.25)
    # 1, 1, then two smoothed orders; brevity penalty exp(1 - 3/2)
    assert bleu4_char("好的", "好的 呢") == pytest.approx(math.exp(-0.5) * 0.01 ** 0.25)
    assert bleu4_char("不", "好的呢") == 0.0
    assert bleu4_char("", "好的") == 0.0


def test_chrf_hand_computed() -> None:
    assert chrf("ab", "ab") == pytest.approx(1.0)
    # order 1: P = R = 1/2; order 2: P = R = 0 -> averages 1/4 -> F2 = 1/4
    assert chrf("ab", "ac") == pytest.approx(0.25)
    assert chrf("xy", "ab") == 0.0


def test_jddc_dev_reader_and_scoring(tmp_path: Path) -> None:
    (tmp_path / "dev_question.txt").write_text(
        "<session s1>\n<context>\nQ:\t你好\nQ:\t在吗\nA:\t在的<sep>您好\n</context>\n"
        "<Q1>有M码吗</Q1>\n<Q2>好的!@@@!谢谢</Q2>\n</session s1>\n", encoding="utf-8")
    (tmp_path / "dev_answer.txt").write_text(
        "<session s1>\nM码有货<sep>有的\nNULL<sep>不客气\n</session s1>\n", encoding="utf-8")
    (session,) = read_jddc_dev(tmp_path)
    assert [t.text for t in session.context] == ["你好 在吗", "在的"]
    assert session.targets == ("有M码吗", "好的 谢谢")
    assert session.references == (("M码有货", "有的"), ("不客气",))
    result = score_replies([session], [["M码有货", "不客气"]])
    assert result["n"] == 2
    first = (bleu4_char("M码有货", "M码有货") + bleu4_char("M码有货", "有的")) / 2
    assert result["bleu4_char"] == pytest.approx((first + 0.1 ** 0.25) / 2)
    assert result["chrf"] == pytest.approx(((1.0 + chrf("M码有货", "有的")) / 2 + 1.0) / 2)


def test_cli_contract_functions_on_a_tiny_stage(tmp_path: Path) -> None:
    from salesbrain.evaluation.generation import evaluate_generation
    from salesbrain.evaluation.response_selection import evaluate_response_selection
    from salesbrain.schema import Turn
    from salesbrain.stages.suggest import SuggestStage
    from salesbrain.suggest.types import ReplyPair

    talk = [("有M码吗", "M码有货的亲"), ("几天到货", "一般三天内送到"),
            ("能开发票吗", "可以开电子发票")]
    pairs = [ReplyPair((Turn(Role.CUSTOMER, q),), a, f"c{i}") for i, (q, a) in enumerate(talk)]
    SuggestStage({"use_dense": False, "target_precision": 0.0}).fit(
        pairs, [], val_pairs=pairs).save_pretrained(tmp_path / "brain" / "suggest")
    tsv = tmp_path / "test.tsv"
    tsv.write_text("1\t有 M码 吗\tM码 有货 的 亲\n0\t有 M码 吗\t一般 三天 内 送到\n",
                   encoding="utf-8")
    selection = evaluate_response_selection(tmp_path / "brain", tsv)
    assert set(selection) == {"n", "R10@1", "R10@2", "R10@5", "MRR"} and selection["n"] == 1
    dev = tmp_path / "dev"
    dev.mkdir()
    (dev / "dev_question.txt").write_text(
        "<session s>\n<context>\nQ:\t你好\nA:\t您好\n</context>\n<Q1>几天到货</Q1>\n</session s>\n",
        encoding="utf-8")
    (dev / "dev_answer.txt").write_text("<session s>\n一般三天内送到\n</session s>\n",
                                        encoding="utf-8")
    generation = evaluate_generation(tmp_path / "brain" / "suggest", dev)
    assert set(generation) == {"n", "bleu4_char", "chrf"} and generation["n"] == 1
    assert 0.0 <= generation["bleu4_char"] <= 1.0 and 0.0 <= generation["chrf"] <= 1.0
