"""Monthly recall tasks as guides and managers read them, with drafted openers.

The tasks are `salesbrain.scoring.outreach.monthly_recall` over the tenant's orders and the
birthdays of its member file (`salesbrain ingest --members`), each customer under the guide she
last talked to. A task's id is derived from its month and customer (a customer is in one group
a month), so the same task keeps its id, and the status its guide gave it, however often the
list is recomputed.

Drafts are the openers the store's champions (`find_champions`, by store) wrote when they
started a conversation that ended well, turned into templates (`generalise_slots`) and
filled with her last product. An opener still holding a digit after that (another
customer's size or price that no slot took) is not used; nor is one needing a price, size or
coupon nobody knows, nor one the compliance rules flag. When the champions have no opener with the
group's cue words, the brand's default template for the group is offered instead, marked as
such.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from salesbrain.db import Database
from salesbrain.db.recall import customer_texts, recall_statuses
from salesbrain.schema import Guide, Order, Role, Turn
from salesbrain.scoring import ConversationFacts, customer_owners, monthly_recall
from salesbrain.scoring.champions import champion_conversations, find_champions
from salesbrain.scoring.outreach import BRAND_TZ, RECALL_GROUPS, RecallTask
from salesbrain.stages.compliance import ComplianceStage
from salesbrain.suggest.slots import extract_slots, fill_slots, generalise_slots
from service.core.facts import StampedCache
from service.insight_schemas import Draft, RecallBoard, RecallRate, RecallTaskOut

MAX_DRAFTS = 3
LEFTOVER_DETAIL = re.compile(r"[0-9０-９]")
GROUP_CUES: dict[str, tuple[str, ...]] = {
    "birthday": ("生日",),
    "same_period_last_year": ("去年", "上新", "新款", "同款", "回购", "换季"),
    "lapsed_two_years": ("好久", "很久", "回来", "想您", "老朋友", "上新", "新款"),
}
TEMPLATES: dict[str, tuple[str, ...]] = {
    "birthday": ("{姓名}，生日快乐！生日当月有会员专属礼，方便的时候来店里坐坐～",),
    "same_period_last_year": (
        "{姓名}，去年这个时候您选了{商品}，今年同系列上新了，要不要给您留意一下？",
        "{姓名}，换季上新了，去年您喜欢的款式有新颜色，有空来店里看看～"),
    "lapsed_two_years": ("{姓名}，好久不见！店里上了不少新款，有空来看看，我给您留意合适的～",),
}


def task_id_of(month: str, customer_id: str) -> str:
    digest = hashlib.sha1(customer_id.encode("utf-8")).hexdigest()[:12]
    return f"R{month.replace('-', '')}-{digest}"


@dataclass(frozen=True)
class MonthTasks:
    month: str
    tasks: dict[str, RecallTask]  # by task id, in monthly_recall's order
    last_orders: dict[str, Order]  # each customer's latest order before the month


def month_tasks(store: Database, facts: ConversationFacts, month: str) -> MonthTasks:
    year, number = (int(part) for part in month.split("-"))
    start = date(year, number, 1)
    orders = store.orders()
    recall = monthly_recall(orders, customer_owners(facts), start, store.birthdays())
    tasks = {task_id_of(month, task.customer_id): task
             for guide in sorted(recall) for task in recall[guide]}
    last: dict[str, Order] = {}
    for order in orders:  # oldest first: the last one before the month wins
        if order.ts.astimezone(BRAND_TZ).date() < start:
            last[order.customer_id] = order
    return MonthTasks(month, tasks, last)


def last_products(store: Database, customer_ids: list[str]) -> dict[str, str]:
    """The product most recently mentioned in each customer's conversations."""
    found = {}
    for customer, messages in customer_texts(store, customer_ids).items():
        product = extract_slots([Turn(Role(role), text) for role, text in messages
                                 if role in (Role.GUIDE, Role.CUSTOMER)]).get("product")
        if product:
            found[customer] = product
    return found


def champion_openers(cache: StampedCache, store: Database) -> dict[str, list[tuple[str, str]]]:
    """The champions' openers per store ("" for the brand's champions together), computed once
    per data change."""
    return cache.get(store, "openers", lambda: _openers(store, cache))


def cached_month_tasks(cache: StampedCache, store: Database, month: str) -> MonthTasks:
    """`month_tasks`, computed once per month and data change."""
    return cache.get(store, f"recall:{month}",
                     lambda: month_tasks(store, cache.facts(store), month))


def month_products(cache: StampedCache, store: Database, found: MonthTasks) -> dict[str, str]:
    """`last_products` of every customer with a task in the month, once per data change."""
    return cache.get(store, f"recall-products:{found.month}", lambda: last_products(
        store, sorted({task.customer_id for task in found.tasks.values()})))


def _openers(store: Database, cache: StampedCache) -> dict[str, list[tuple[str, str]]]:
    """(champion id, template) per store, most used first."""
    facts = cache.facts(store)
    if not len(facts):
        return {}
    champions = find_champions(cache.overall_scores(store), cache.roster(store), by="store")
    store_of = {c.guide_id: c.group for c in champions}
    counts: dict[str, Counter[tuple[str, str]]] = {}
    for conversation in champion_conversations(store, facts, champions):
        first = next((m for m in conversation.messages if m.text and not m.recalled), None)
        if first is None or first.role is not Role.GUIDE:
            continue  # she answered; only conversations she opened show how to open one
        template = generalise_slots(first.text)
        if LEFTOVER_DETAIL.search(template):
            continue  # a size or number of her customer's that no slot took: not reusable
        opener = (conversation.guide_id, template)
        for key in (store_of.get(conversation.guide_id, ""), ""):
            counts.setdefault(key, Counter())[opener] += 1
    return {key: [opener for opener, _ in counter.most_common()]
            for key, counter in counts.items()}


@cache
def default_rules() -> ComplianceStage:
    """The shipped compliance rules, for a brain that carries no compliance stage."""
    return ComplianceStage().fit()


def compliance_rules(brain: Any) -> ComplianceStage:
    """The serving brain's compliance rules (the brand's configuration) where it has them."""
    stage = getattr(brain, "stages", {}).get("compliance")
    return stage if isinstance(stage, ComplianceStage) else default_rules()


def drafts_for(group: str, openers: list[tuple[str, str]], product: str | None,
               rules: ComplianceStage) -> list[Draft]:
    """Up to three compliant openers for the group, filled with her last product."""
    values = {"product": product} if product else {}
    cued = [(who, template) for who, template in openers
            if any(cue in template for cue in GROUP_CUES[group])]
    return (_filled(cued, values, rules)
            or _filled([(None, template) for template in TEMPLATES[group]], values, rules))


def _filled(candidates: list[tuple[str | None, str]], values: dict[str, str],
            rules: ComplianceStage) -> list[Draft]:
    drafts: list[Draft] = []
    for champion, template in candidates:
        text = fill_slots(template, values)
        if text is None or any(d.text == text for d in drafts) or rules.predict([text])[0]:
            continue
        drafts.append(Draft(text=text, source="champion" if champion else "template",
                            champion_id=champion))
        if len(drafts) == MAX_DRAFTS:
            break
    return drafts


def recall_board(store: Database, found: MonthTasks, roster: list[Guide],
                 visible: frozenset[str] | None, wanted: Callable[[RecallTask], bool],
                 drafts: Callable[[RecallTask, str, str | None], list[Draft]],
                 products: Mapping[str, str] | None = None) -> RecallBoard:
    """The month's tasks the viewer may see and wants, with statuses, drafts and the
    execution rate per guide and group; `products`: each customer's last product when the
    caller has them (else read for the chosen customers)."""
    guides = {g.guide_id: g for g in roster}
    chosen = {task_id: task for task_id, task in found.tasks.items()
              if (visible is None or task.guide_id in visible) and wanted(task)}
    statuses = recall_statuses(store, found.month)
    if products is None:
        products = last_products(store, sorted({task.customer_id for task in chosen.values()}))
    tasks = []
    for task_id, task in chosen.items():
        guide = guides.get(task.guide_id)
        last = found.last_orders.get(task.customer_id)
        product = products.get(task.customer_id)
        tasks.append(RecallTaskOut(
            task_id=task_id, month=found.month, guide_id=task.guide_id,
            guide_name=guide.name if guide else "", store_id=guide.store_id if guide else "",
            customer_id=task.customer_id, group=task.group, group_name=RECALL_GROUPS[task.group],
            reason=task.reason, last_purchase_at=last.ts if last else None,
            last_purchase_amount=last.amount if last else None, last_product=product,
            status=statuses.get(task_id, "open"),  # type: ignore[arg-type]  # stored values
            drafts=drafts(task, guide.store_id if guide else "", product)))
    return RecallBoard(month=found.month, tasks=tasks, rates=_rates(tasks))


def _rates(tasks: list[RecallTaskOut]) -> list[RecallRate]:
    counts: dict[tuple[str, str], Counter[str]] = {}
    for task in tasks:
        counts.setdefault((task.guide_id, task.group), Counter())[task.status] += 1
    return [RecallRate(guide_id=guide, group=group, tasks=sum(c.values()), done=c["done"],
                       skipped=c["skipped"], execution_rate=c["done"] / sum(c.values()))
            for (guide, group), c in sorted(counts.items())]
