"""The simulated brand: file contract, determinism, timing rules and the skills behind the data."""

from __future__ import annotations

import bisect
import csv
import hashlib
import json
import re
import statistics
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from salesbrain.simulate import SimulationSummary, simulate_brand
from salesbrain.taxonomy import INTENT_KEYS, OUTCOME_KEYS

FILES = ("archive.jsonl", "guides.csv", "orders.csv", "tasks.csv", "members.csv", "truth.json")
REQUIRED = {"msgid", "action", "from", "tolist", "roomid", "msgtime", "msgtype"}
DAY_MS = 86_400_000
HOUR_MS = 3_600_000


class Brand:
    """A simulated brand's files, loaded once per test module."""

    def __init__(self, out: Path, summary: SimulationSummary) -> None:
        self.out, self.summary = out, summary
        with (out / "archive.jsonl").open(encoding="utf-8") as f:
            self.records = [json.loads(line) for line in f]
        self.truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
        self.guides = set(self.truth["guides"])
        self.tasks = _rows(out / "tasks.csv")
        self.orders = _rows(out / "orders.csv")
        self.index = {r["msgid"]: i for i, r in enumerate(self.records)}

    def conversation_records(self, conversation: dict) -> list[dict]:
        """The chat records of one conversation (its pair or room, between first and last)."""
        lo, hi = self.index[conversation["first_msgid"]], self.index[conversation["last_msgid"]]
        if conversation["roomid"]:
            return [r for r in self.records[lo:hi + 1] if r["roomid"] == conversation["roomid"]]
        pair = {conversation["guide_id"], conversation["customer_id"]}
        return [r for r in self.records[lo:hi + 1] if not r["roomid"]
                and {r["from"], *r["tolist"]} == pair and r["msgtype"] not in ("agree", "disagree")]

    def guide_touches(self) -> dict[tuple[str, str], list[int]]:
        """Times of one-to-one guide messages per (guide, customer)."""
        touches: dict[tuple[str, str], list[int]] = defaultdict(list)
        for r in self.records:
            if r["from"] in self.guides and not r["roomid"]:
                touches[(r["from"], r["tolist"][0])].append(r["msgtime"])
        return touches


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp() * 1000)


def _digest(out: Path) -> dict[str, str]:
    return {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in FILES}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Brand:
    out = tmp_path_factory.mktemp("small")
    return Brand(out, simulate_brand(out, guides=20, customers=400, days=10, seed=0))


@pytest.fixture(scope="module")
def default(tmp_path_factory: pytest.TempPathFactory) -> Brand:
    out = tmp_path_factory.mktemp("default")
    return Brand(out, simulate_brand(out, seed=3))


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(small: Brand,
                                                                    tmp_path: Path) -> None:
    simulate_brand(tmp_path / "again", guides=20, customers=400, days=10, seed=0)
    simulate_brand(tmp_path / "other", guides=20, customers=400, days=10, seed=1)
    assert _digest(tmp_path / "again") == _digest(small.out)
    other = _digest(tmp_path / "other")
    assert all(other[name] != digest for name, digest in _digest(small.out).items())
    assert sorted(p.name for p in small.out.iterdir()) == sorted(FILES)


def test_archive_lines_have_the_wecom_fields_in_milliseconds(small: Brand) -> None:
    start = _ms("2026-10-01T00:00:00+08:00")
    for r in small.records:
        assert r.keys() >= REQUIRED and isinstance(r[r["msgtype"]], dict)
        assert start - 60_000 <= r["msgtime"] < start + 10 * DAY_MS
    times = [r["msgtime"] for r in small.records]
    assert times == sorted(times)
    assert len(small.index) == len(small.records)
    kinds = {r["msgtype"] for r in small.records}
    assert {"text", "link", "weapp", "image", "emotion", "mixed", "revoke", "agree",
            "disagree"} <= kinds
    assert small.summary.messages == len(small.records)


def test_revokes_consents_and_ids_look_like_the_archive(small: Brand) -> None:
    for r in small.records:
        if r["msgtype"] == "revoke":
            original = small.records[small.index[r["revoke"]["pre_msgid"]]]
            assert r["action"] == "recall" and original["from"] == r["from"]
            assert 0 < r["msgtime"] - original["msgtime"] < 3 * 60_000
        if r["msgtype"] in ("agree", "disagree"):
            assert r[r["msgtype"]]["userid"] == r["from"]
            assert r[r["msgtype"]][f"{r['msgtype']}_time"] == r["msgtime"]
    assert all(re.fullmatch(r"g\d{4}_[a-z]+", g) for g in small.guides)
    assert all(re.fullmatch(r"wm[A-Za-z0-9]{20,}", c) for c in small.truth["customers"])
    assert {row["guide_id"] for row in _rows(small.out / "guides.csv")} == small.guides


def test_every_intent_and_known_outcomes_appear(small: Brand) -> None:
    assert set(small.truth["messages"].values()) == set(INTENT_KEYS)
    assert {c["outcome"] for c in small.truth["conversations"]} <= set(OUTCOME_KEYS)
    for msgid in small.truth["messages"]:
        r = small.records[small.index[msgid]]
        assert r["from"] not in small.guides and r["msgtype"] in ("text", "mixed")


def test_task_execution_rate_matches_what_the_archive_shows(small: Brand) -> None:
    touches = small.guide_touches()
    executed = 0
    for task in small.tasks:
        times = touches[(task["guide_id"], task["customer_id"])]
        lo, hi = _ms(task["assigned_ts"]), _ms(task["due_ts"]) + 999
        i = bisect.bisect_left(times, lo)
        seen = i < len(times) and times[i] <= hi
        assert seen == small.truth["tasks"][task["task_id"]], task["task_id"]
        executed += seen
    assert 0.55 <= executed / len(small.tasks) <= 0.75
    assert {t["kind"] for t in small.tasks} == {"birthday", "same_period_last_year",
                                                 "dormant_recall", "new_member_welcome",
                                                 "campaign"}


def test_the_member_file_holds_the_birthdays_behind_the_birthday_tasks(small: Brand) -> None:
    members = {r["customer_id"]: r["birthday"] for r in _rows(small.out / "members.csv")}
    customers = small.truth["customers"]
    segment = {c: info["birthday"] for c, info in customers.items() if "birthday" in info}
    assert segment and all(members[c][5:] == day for c, day in segment.items())
    assert all(re.fullmatch(r"(19|20)\d\d-\d\d-\d\d", day) for day in members.values())
    for task in small.tasks:
        if task["kind"] == "birthday":
            assert task["customer_id"] in segment
    others = [c for c in customers if c not in segment]
    assert 0.6 <= sum(c in members for c in others) / len(others) <= 0.8


def test_sessions_split_cleanly_at_an_inactivity_gap(small: Brand) -> None:
    chats: dict[object, list[dict]] = defaultdict(list)
    for r in small.records:
        if r["msgtype"] in ("agree", "disagree"):
            continue
        key = r["roomid"] or frozenset((r["from"], *r["tolist"]))
        chats[key].append(r)
    starts = set()
    for records in chats.values():
        starts.add(records[0]["msgid"])
        for a, b in zip(records, records[1:], strict=False):
            gap = b["msgtime"] - a["msgtime"]
            assert gap < 2 * HOUR_MS or gap >= 12 * HOUR_MS
            if gap > 6 * HOUR_MS:
                starts.add(b["msgid"])
    assert starts == {c["first_msgid"] for c in small.truth["conversations"]}


def test_attributed_orders_follow_a_guide_touch_within_seven_days(default: Brand) -> None:
    last_touch: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for conversation in default.truth["conversations"]:
        for r in default.conversation_records(conversation):
            if r["from"] == conversation["guide_id"] and not r["roomid"]:
                last_touch[r["tolist"][0]].append((r["msgtime"], conversation["first_msgid"]))
    attributed = 0
    for order in default.orders:
        touches = sorted(last_touch[order["customer_id"]])
        ts = _ms(order["ts"])
        i = bisect.bisect_left(touches, (ts,)) - 1
        by_rule = touches[i][1] if i >= 0 and ts - touches[i][0] <= 7 * DAY_MS else None
        assert default.truth["orders"][order["order_id"]] == by_rule, order["order_id"]
        assert re.fullmatch(r"\d+\.\d{2}", order["amount"]) and float(order["amount"]) > 0
        attributed += by_rule is not None
    purchased = {c["first_msgid"] for c in default.truth["conversations"]
                 if c["outcome"] == "purchased"}
    assert attributed > 50
    assert purchased == {v for v in default.truth["orders"].values() if v}
    assert {o["channel"] for o in default.orders} == {"store", "mall_app", "tmall", "jd",
                                                      "wechat_mall"}


def _thirds(default: Brand, skill: str) -> tuple[list[str], list[str]]:
    ranked = sorted(default.guides, key=lambda g: default.truth["guides"][g][skill])
    third = len(ranked) // 3
    return ranked[:third], ranked[-third:]


def _guide_behaviour(default: Brand) -> dict[str, dict[str, list[float]]]:
    seen: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for conversation in default.truth["conversations"]:
        guide, records = conversation["guide_id"], default.conversation_records(conversation)
        if conversation["roomid"]:
            continue
        records = [r for r in records if r["msgtype"] != "revoke"]
        for r, after in zip(records, records[1:] + [None], strict=True):
            if r["from"] != guide:
                seen[guide]["answered"].append(after is not None and after["from"] == guide)
                reply = next((x for x in records[records.index(r):] if x["from"] == guide), None)
                if reply:
                    seen[guide]["latency"].append(reply["msgtime"] - r["msgtime"])
        if conversation["kind"] == "inbound":
            won = conversation["outcome"] in ("purchased", "store_visit")
            seen[guide]["converted"].append(won)
    return seen


def test_skills_show_in_behaviour(default: Brand) -> None:
    seen = _guide_behaviour(default)

    def pooled(guides: list[str], key: str, stat=statistics.fmean) -> float:
        return stat([x for g in guides for x in seen[g][key]])

    slow, fast = _thirds(default, "speed")
    assert pooled(fast, "latency", statistics.median) * 4 < pooled(slow, "latency",
                                                                   statistics.median)
    sparse, thorough = _thirds(default, "coverage")
    assert pooled(thorough, "answered") > pooled(sparse, "answered") + 0.05
    weak, persuasive = _thirds(default, "persuasion")
    assert pooled(persuasive, "converted") > 1.3 * pooled(weak, "converted")
    violators = defaultdict(int)
    for msgid in default.truth["violations"]:
        violators[default.records[default.index[msgid]]["from"]] += 1
    careless, careful = _thirds(default, "compliance")
    assert sum(violators[g] for g in careless) > 2 * sum(violators[g] for g in careful)


def test_customer_messages_carry_personal_data_and_noise(default: Brand) -> None:
    phrasings: dict[str, set[str]] = defaultdict(set)
    for msgid, intent in default.truth["messages"].items():
        record = default.records[default.index[msgid]]
        phrasings[intent].add(record.get("text", {}).get("content", ""))
    texts = set().union(*phrasings.values())
    assert sum(bool(re.search(r"1[3-9]\d{9}", t)) for t in texts) > 10
    assert sum(bool(re.search(r"\[[\u4e00-\u9fa5A-Z]+\]|😊|😂|👍", t)) for t in texts) > 100
    assert min(len(forms) for forms in phrasings.values()) >= 100
    assert any(r["roomid"] for r in default.records)
    assert default.summary.execution_rate == pytest.approx(
        sum(default.truth["tasks"].values()) / len(default.truth["tasks"]), abs=1e-4)


def test_seconds_fraction_rewrites_only_the_unit(small: Brand, tmp_path: Path) -> None:
    simulate_brand(tmp_path, guides=20, customers=400, days=10, seed=0, seconds_fraction=0.3)
    with (tmp_path / "archive.jsonl").open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    in_seconds = [r for r in records if r["msgtime"] < 10**11]
    assert 0.2 < len(in_seconds) / len(records) < 0.4
    assert [r["msgid"] for r in records] == [r["msgid"] for r in small.records]


@pytest.mark.parametrize("kwargs", [{"guides": 0}, {"days": 0}, {"seconds_fraction": 1.5}])
def test_bad_settings_fail_loudly(tmp_path: Path, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        simulate_brand(tmp_path, **kwargs)
