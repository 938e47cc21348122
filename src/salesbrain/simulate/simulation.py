"""`simulate_brand`: plan the period, write every conversation in time order, then the tables."""

from __future__ import annotations

import random
from calendar import isleap
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from tqdm import tqdm

from salesbrain.simulate import catalog, records
from salesbrain.simulate.brand import DAY_MS, SKILLS, Brand, build_brand
from salesbrain.simulate.conversations import Script
from salesbrain.simulate.dialogue import ATTRIBUTION_MS, Dialogue
from salesbrain.simulate.orders import (
    Order,
    TouchWindows,
    background_orders,
    history_orders,
    order_id,
    sort_orders,
)
from salesbrain.simulate.planning import Plan, Task, assign_tasks, plan_conversations
from salesbrain.simulate.slots import Slots
from salesbrain.simulate.writer import (
    SHANGHAI,
    ArchiveWriter,
    TruthParts,
    iso_time,
    json_entry,
    write_csv,
    write_truth,
)
from salesbrain.taxonomy import TAXONOMY_VERSION

DEFAULT_START = datetime(2026, 10, 1, tzinfo=SHANGHAI)
MEMBER_BIRTHDAY_SHARE = 0.7  # customers outside the birthday segment who gave a birthday
APPELLATIONS_F = ("亲", "姐", "姐姐", "宝", "美女", "亲爱的", "宝子", "小姐姐")
APPELLATIONS_M = ("哥", "先生", "亲", "帅哥")


@dataclass
class SimulationSummary:
    """What a simulation wrote, with the counts a caller reports (JSON-ready via asdict)."""

    out_dir: str
    seed: int
    messages: int = 0
    conversations: int = 0
    customer_text_messages: int = 0
    tasks: int = 0
    tasks_executed: int = 0
    orders: int = 0
    attributed_orders: int = 0
    execution_rate: float = 0.0
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def files(self) -> dict[str, Path]:
        names = ("archive.jsonl", "guides.csv", "orders.csv", "tasks.csv", "members.csv",
                 "truth.json")
        return {name: Path(self.out_dir) / name for name in names}


def simulate_brand(out_dir: str | Path, guides: int = 40, customers: int = 2000, days: int = 30,
                   seed: int = 0, start: datetime | str = DEFAULT_START, *,
                   seconds_fraction: float = 0.0, progress: bool = False) -> SimulationSummary:
    """Write a simulated brand's archive, tables and ground truth into `out_dir`.

    >>> summary = simulate_brand("/tmp/brand", guides=5, customers=100, days=7)  # doctest: +SKIP
    >>> summary.messages > 0  # doctest: +SKIP
    True
    """
    _check(guides, customers, days, seconds_fraction)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    start_ms = _start_ms(start)
    brand = build_brand(_rng(seed, "brand"), guides, customers, start_ms, days)
    tasks = assign_tasks(_rng(seed, "tasks"), brand, start_ms, days)
    plans = plan_conversations(_rng(seed, "plans"), brand, tasks, start_ms, days)
    executed = sum(t.executed for t in tasks)
    summary = SimulationSummary(str(out), seed, tasks=len(tasks), tasks_executed=executed,
                                execution_rate=round(executed / len(tasks), 4) if tasks else 0.0)
    windows: TouchWindows = [[] for _ in brand.customers]
    truth = TruthParts(out)
    linked = _write_conversations(out, brand, plans, start_ms, days, seed, seconds_fraction,
                                  windows, truth, summary, progress)
    order_rng = _rng(seed, "orders")
    unlinked = history_orders(order_rng, brand, start_ms, days)
    unlinked += background_orders(order_rng, brand, windows, start_ms, days)
    summary.attributed_orders = len(linked)
    linked.extend((order, None) for order in unlinked)
    del unlinked
    sort_orders(linked)
    summary.orders = len(linked)
    _write_tables(out, brand, tasks, linked, truth, seed, start_ms, days)
    return summary


def _check(guides: int, customers: int, days: int, seconds_fraction: float) -> None:
    if guides < 1 or customers < 1 or days < 1:
        raise ValueError(f"guides, customers and days must be >= 1, got {guides}, {customers}, "
                         f"{days}")
    if not 0.0 <= seconds_fraction <= 1.0:
        raise ValueError(f"seconds_fraction must be within 0..1, got {seconds_fraction}")


def _rng(seed: int, stream: str) -> random.Random:
    # String seeds hash with SHA-512 inside random, so streams are stable across runs.
    return random.Random(f"salesbrain-sim:{seed}:{stream}")


def _start_ms(start: datetime | str) -> int:
    moment = datetime.fromisoformat(start) if isinstance(start, str) else start
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return int(moment.timestamp() * 1000)


def _write_conversations(out: Path, brand: Brand, plans: list[Plan], start_ms: int, days: int,
                         seed: int, seconds_fraction: float, windows: TouchWindows,
                         truth: TruthParts, summary: SimulationSummary, progress: bool
                         ) -> list[tuple[Order, str | None]]:
    rng, ids = _rng(seed, "talk"), records.MsgIds(seed)
    end_ms = start_ms + days * DAY_MS
    archive = ArchiveWriter(out / "archive.jsonl", seconds_fraction, seed)
    consent_seen = bytearray(len(brand.customers))
    linked: list[tuple[Order, str | None]] = []
    outcomes: Counter[str] = Counter()
    for plan in tqdm(plans, desc="conversations", unit="conv", disable=not progress):
        archive.flush_before(plan.start_ms - 120_000)
        if not plan.roomid:
            _consent(rng, ids, brand, plan, consent_seen, archive)
        dialogue = _dialogue(rng, ids, brand, plan, start_ms)
        script = Script(dialogue, plan.order_limit_ms, start_ms)
        outcome = script.run(plan.kind, plan.task_kind, end_ms)
        if not dialogue.records:
            continue
        for rec in dialogue.records:
            archive.push(rec)
        _record_truth(truth, brand, plan, dialogue, outcome)
        outcomes[outcome] += 1
        summary.customer_text_messages += len(dialogue.customer_texts)
        if dialogue.first_touch is not None and dialogue.last_touch is not None:
            for c in plan.customers:
                windows[c].append((dialogue.first_touch, dialogue.last_touch + ATTRIBUTION_MS))
        linked.extend((order, dialogue.first_msgid) for order in script.orders)
    archive.close()
    truth.close()
    summary.messages = archive.written
    summary.conversations = sum(outcomes.values())
    summary.outcomes = dict(sorted(outcomes.items()))
    return linked


def _consent(rng: random.Random, ids: records.MsgIds, brand: Brand, plan: Plan,
             seen: bytearray, archive: ArchiveWriter) -> None:
    """The customer's archiving consent, recorded just before her first conversation."""
    customer = brand.customers[plan.customers[0]]
    if seen[customer.index]:
        return
    seen[customer.index] = 1
    if customer.consent == "none":
        return
    t = plan.start_ms - rng.randint(1000, 60_000)
    msgtype = customer.consent
    payload = records.consent(customer.customer_id, msgtype == "agree", t)
    archive.push(records.record(ids.next(t), customer.customer_id,
                                [brand.guides[plan.guide].guide_id], "", t, msgtype, payload))


def _dialogue(rng: random.Random, ids: records.MsgIds, brand: Brand, plan: Plan,
              start_ms: int) -> Dialogue:
    guide = brand.guides[plan.guide]
    members = [brand.customers[c] for c in plan.customers]
    if plan.roomid:
        appellation = "家人们"
    else:
        appellation = rng.choice(APPELLATIONS_F if members[0].female else APPELLATIONS_M)
    campaign = catalog.campaign_on((plan.start_ms - start_ms) // DAY_MS)
    slots = Slots(rng, rng.choice(catalog.PRODUCTS), campaign, guide.store.name,
                  guide.store.city, guide.given_name, appellation)
    return Dialogue(rng, ids, guide, members, plan.roomid, plan.start_ms, plan.deadline_ms,
                    slots)


def _record_truth(truth: TruthParts, brand: Brand, plan: Plan, dialogue: Dialogue,
                  outcome: str) -> None:
    for msgid, intent in dialogue.customer_texts:
        truth.message(msgid, intent)
    for msgid, kind in dialogue.violations:
        truth.violation(msgid, kind)
    entry: dict[str, Any] = {
        "guide_id": dialogue.guide.guide_id,
        "customer_id": None if plan.roomid else dialogue.customer.customer_id,
        "first_msgid": dialogue.first_msgid, "last_msgid": dialogue.last_msgid,
        "outcome": outcome, "intents": dialogue.intents, "kind": plan.kind,
        "task_id": plan.task_id or None, "roomid": plan.roomid}
    if plan.roomid:
        entry["customer_ids"] = [m.customer_id for m in dialogue.members]
    truth.conversation(entry)


def _write_tables(out: Path, brand: Brand, tasks: list[Task],
                  orders: list[tuple[Order, str | None]], truth: TruthParts, seed: int,
                  start_ms: int, days: int) -> None:
    guides, customers = brand.guides, brand.customers
    write_csv(out / "guides.csv", ("guide_id", "name", "store_id", "region"),
              ((g.guide_id, g.name, g.store.store_id, g.store.region) for g in guides))
    write_csv(out / "orders.csv", ("order_id", "customer_id", "ts", "amount", "channel"),
              ((order_id(i, o[0]), customers[o[1]].customer_id, iso_time(o[0]), f"{o[2]:.2f}", o[3])
               for i, (o, _) in enumerate(orders)))
    write_csv(out / "tasks.csv",
              ("task_id", "guide_id", "customer_id", "kind", "assigned_ts", "due_ts"),
              ((t.task_id, guides[t.guide].guide_id, customers[t.customer].customer_id, t.kind,
                iso_time(t.assigned_ms), iso_time(t.due_ms)) for t in tasks))
    write_csv(out / "members.csv", ("customer_id", "birthday"),
              _members(_rng(seed, "members"), brand, start_ms))
    write_truth(out / "truth.json", [
        ("guides", "{}", (json_entry(g.guide_id, {**{s: g.skills[s] for s in SKILLS},
                                                  "talent": g.talent}) for g in guides)),
        ("messages", "{}", truth.lines("messages")),
        ("conversations", "[]", truth.lines("conversations")),
        ("tasks", "{}", (json_entry(t.task_id, t.executed) for t in tasks)),
        ("orders", "{}", (json_entry(order_id(i, o[0]), first)
                          for i, (o, first) in enumerate(orders))),
        ("customers", "{}", (json_entry(c.customer_id, _customer_truth(brand, c.index, start_ms))
                             for c in customers)),
        ("violations", "{}", truth.lines("violations")),
        ("groups", "{}", (json_entry(g.roomid, {
            "guide_id": guides[g.guide].guide_id,
            "customer_ids": [customers[c].customer_id for c in g.members]})
            for g in brand.groups)),
        ("meta", "{}", (json_entry(k, v) for k, v in (
            ("seed", seed), ("start", iso_time(start_ms)), ("days", days),
            ("taxonomy_version", TAXONOMY_VERSION),
            ("stores", [asdict(s) for s in brand.stores])))),
    ])
    truth.remove()


def _members(rng: random.Random, brand: Brand, start_ms: int) -> list[tuple[str, str]]:
    """The member file: a birthday segment customer's birthday falls on her `birthday_day`;
    most others gave one too, on any day of the year, so every month has its share."""
    members = []
    for customer in brand.customers:
        year = rng.randint(1965, 2006)
        if customer.birthday_day is not None:
            day = iso_time(start_ms + customer.birthday_day * DAY_MS)[5:10]
        elif rng.random() < MEMBER_BIRTHDAY_SHARE:
            day = (date(2001, 1, 1) + timedelta(days=rng.randrange(365))).isoformat()[5:]
        else:
            continue
        if day == "02-29" and not isleap(year):
            year = 2004
        members.append((customer.customer_id, f"{year}-{day}"))
    return members


def _customer_truth(brand: Brand, index: int, start_ms: int) -> dict[str, Any]:
    customer = brand.customers[index]
    info: dict[str, Any] = {"segment": customer.segment, "consent": customer.consent,
                            "guide_id": brand.guides[customer.guide].guide_id}
    if customer.joined_ms is not None:
        info["joined_ts"] = iso_time(customer.joined_ms)
    if customer.birthday_day is not None:
        info["birthday"] = iso_time(start_ms + customer.birthday_day * DAY_MS)[5:10]
    return info
