"""The brand's people: stores in regions, guides with latent skill, customers in segments.

Each guide has an overall talent and five skills in 0..1. A skill is the normal CDF of
`0.8 * talent_z + 0.6 * own_noise + offset`, so skills correlate with talent (about 0.8 on the
latent scale) without being copies of it, and a scorer can be checked against each one.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from statistics import NormalDist

from salesbrain.simulate import catalog

SKILLS = ("speed", "coverage", "task_execution", "persuasion", "compliance")
# Offsets on the latent scale: most guides answer most messages and break no rules.
SKILL_OFFSETS = {"speed": 0.0, "coverage": 0.8, "task_execution": 0.2, "persuasion": 0.0,
                 "compliance": 1.0}

SEGMENTS = ("new_member", "birthday", "same_period_last_year", "dormant", "regular")
SEGMENT_WEIGHTS = (0.15, 0.08, 0.15, 0.20, 0.42)
CONSENTS = ("agree", "disagree", "none")
CONSENT_WEIGHTS = (0.70, 0.06, 0.24)
DAY_MS = 86_400_000
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass(frozen=True)
class Database:
    store_id: str
    name: str
    city: str
    region: str


@dataclass
class Guide:
    """A shopping guide; `skills` is the ground truth a scorecard should recover."""

    index: int
    guide_id: str
    name: str
    given_name: str
    store: Database
    talent: float
    skills: dict[str, float]
    customers: list[int] = field(default_factory=list)

    @property
    def reply_median_s(self) -> float:
        """Champions answer in seconds, the slowest guides in most of an hour."""
        return 15.0 * 200.0 ** (1.0 - self.skills["speed"])

    @property
    def p_answer(self) -> float:
        return 0.50 + 0.49 * self.skills["coverage"]

    @property
    def p_good_reply(self) -> float:
        return 0.08 + 0.84 * (0.6 * self.skills["persuasion"] + 0.4 * self.talent)

    @property
    def p_execute(self) -> float:
        return min(0.98, max(0.03, 0.22 + 0.78 * self.skills["task_execution"]))

    @property
    def p_violation(self) -> float:
        return 0.45 * (1.0 - self.skills["compliance"]) ** 2


@dataclass(slots=True)
class Customer:
    index: int
    customer_id: str
    guide: int
    segment: str
    consent: str
    female: bool
    activity: float
    joined_ms: int | None = None  # new members join inside (or just before) the period
    birthday_day: int | None = None  # day offset of the birthday for the birthday segment


@dataclass
class Group:
    """A rare group chat: one guide and a handful of her customers."""

    roomid: str
    guide: int
    members: list[int]


@dataclass
class Brand:
    stores: list[Database]
    guides: list[Guide]
    customers: list[Customer]
    groups: list[Group]


def random_id(rng: random.Random, prefix: str, length: int) -> str:
    return prefix + "".join(rng.choices(ALNUM, k=length))


def build_brand(rng: random.Random, n_guides: int, n_customers: int, start_ms: int,
                days: int) -> Brand:
    """Stores, guides and customers for a brand of the given size."""
    stores = _stores(rng, max(1, round(n_guides / 5)))
    guides = _guides(rng, n_guides, stores)
    customers = _customers(rng, n_customers, guides, start_ms, days)
    groups = _groups(rng, guides, customers)
    return Brand(stores, guides, customers, groups)


def _stores(rng: random.Random, count: int) -> list[Database]:
    regions = list(catalog.REGION_CITIES)
    stores = []
    for i in range(count):
        region = regions[i % len(regions)] if i < len(regions) else rng.choice(regions)
        city = rng.choice(catalog.REGION_CITIES[region])
        mall = catalog.MALLS[(i * 7 + rng.randrange(3)) % len(catalog.MALLS)]
        stores.append(Database(f"S{i + 1:03d}", f"{city}{mall}店", city, region))
    return stores


def _guides(rng: random.Random, count: int, stores: list[Database]) -> list[Guide]:
    normal = NormalDist()
    # Stratified talent so that even a small brand spans weak guides to champions.
    quantiles = [(i + rng.random()) / count for i in range(count)]
    rng.shuffle(quantiles)
    guides = []
    for i, quantile in enumerate(quantiles):
        talent_z = normal.inv_cdf(quantile)
        skills = {name: round(_phi(0.8 * talent_z + 0.6 * rng.gauss(0.0, 1.0)
                                   + SKILL_OFFSETS[name]), 4) for name in SKILLS}
        surname, surname_py = rng.choice(catalog.SURNAMES)
        given, given_py = rng.choice(catalog.GIVEN_NAMES)
        guide_id = f"g{i + 1:04d}_{surname_py}{given_py}"
        guides.append(Guide(i, guide_id, surname + given, given, stores[i % len(stores)],
                            round(_phi(talent_z), 4), skills))
    return guides


def _phi(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _customers(rng: random.Random, count: int, guides: list[Guide], start_ms: int,
               days: int) -> list[Customer]:
    # Guides' books differ in size: a few guides serve many more customers than others.
    book_weights = [rng.lognormvariate(0.0, 0.35) for _ in guides]
    owners = rng.choices(range(len(guides)), weights=book_weights, k=count)
    customers = []
    for i, owner in enumerate(owners):
        segment = rng.choices(SEGMENTS, SEGMENT_WEIGHTS)[0]
        customer = Customer(
            i, random_id(rng, "wm", 30), owner, segment,
            rng.choices(CONSENTS, CONSENT_WEIGHTS)[0], rng.random() < 0.82,
            rng.lognormvariate(0.0, 0.5))
        if segment == "new_member":
            customer.joined_ms = start_ms + rng.randint(-7 * DAY_MS, max(1, days - 2) * DAY_MS)
        elif segment == "birthday":
            customer.birthday_day = rng.randrange(max(1, min(days, 30)))
        customers.append(customer)
        guides[owner].customers.append(i)
    return customers


def _groups(rng: random.Random, guides: list[Guide], customers: list[Customer]) -> list[Group]:
    groups = []
    for guide in guides:
        candidates = [c for c in guide.customers if customers[c].segment != "dormant"]
        if len(candidates) >= 6 and rng.random() < 0.3:
            members = sorted(rng.sample(candidates, rng.randint(3, min(8, len(candidates) // 2))))
            groups.append(Group(random_id(rng, "wr", 30), guide.index, members))
    return groups
