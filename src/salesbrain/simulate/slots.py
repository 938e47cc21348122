"""Slot values for one conversation, drawn lazily so a chat stays coherent and cheap.

`Slots` is a dict: `template.format_map(slots)` draws a slot the first time a template asks for
it and reuses it afterwards, so the customer asks about one product in one colour and the guide
answers about the same one.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from salesbrain.simulate import catalog
from salesbrain.simulate.catalog import Campaign, Product

SIZES_BY_SYSTEM = {"letter": catalog.LETTER_SIZES, "shoe": catalog.SHOE_SIZES,
                   "kids": catalog.KIDS_SIZES}


def phone_number(rng: random.Random) -> str:
    """A mainland mobile number shape (11 digits): personal data redaction must catch it."""
    return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


def letter_size_for(weight_jin: int) -> str:
    """The size a sensible guide recommends for a body weight in jin (500 g)."""
    for limit, size in ((95, "S"), (110, "M"), (125, "L"), (140, "XL")):
        if weight_jin < limit:
            return size
    return "XXL"


class Slots(dict[str, str]):
    """Per-conversation slot values; missing keys are drawn on first use."""

    def __init__(self, rng: random.Random, product: Product, campaign: Campaign, store: str,
                 city: str, guide_given: str, appellation: str) -> None:
        super().__init__(product=product.name, campaign=campaign.name, rule=campaign.rule,
                         store=store, city=city, gname=_nickname(guide_given), cust=appellation,
                         brand=catalog.BRAND_NAME, material=product.material,
                         feature=product.feature, fit=product.fit)
        self._rng = rng
        self._product = product
        self.size_system = product.sizes
        self._campaign = campaign

    def __missing__(self, key: str) -> str:
        value = _DRAWS[key](self)
        self[key] = value
        return value

    @property
    def rng(self) -> random.Random:
        return self._rng

    def size(self) -> str:
        sizes = SIZES_BY_SYSTEM[self._product.sizes]
        if self._product.sizes == "letter":
            return letter_size_for(int(self["weight"]))
        return self._rng.choice(sizes)

    def other_size(self) -> str:
        sizes = SIZES_BY_SYSTEM[self._product.sizes]
        index = sizes.index(self["size"]) if self["size"] in sizes else 0
        return sizes[min(index + 1, len(sizes) - 1)]

    def deal_price(self) -> str:
        price = self._product.price * self._campaign.discount
        return f"{price:.0f}元"

    def address(self) -> str:
        rng = self._rng
        return (f"{self['city']}市{rng.choice(catalog.DISTRICTS)}{rng.choice(catalog.ROADS)}"
                f"{rng.randint(1, 999)}号{rng.randint(1, 30)}栋{rng.randint(101, 2802)}室")


def _nickname(given: str) -> str:
    return "小" + given[-1]


def _pick(options: tuple[str, ...]) -> Callable[[Slots], str]:
    return lambda s: s.rng.choice(options)


def _other_colour(s: Slots) -> str:
    return s.rng.choice([c for c in catalog.COLOURS if c != s["colour"]])


def _other_product(s: Slots) -> str:
    return s.rng.choice([p.name for p in catalog.PRODUCTS if p.name != s["product"]])


def _foot(s: Slots) -> str:
    return s["size"] if s._product.sizes == "shoe" else str(s.rng.randint(35, 40))


def _email(s: Slots) -> str:
    letters = "".join(s.rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(s.rng.randint(4, 8)))
    return f"{letters}{s.rng.randint(1, 9999)}@{s.rng.choice(catalog.EMAIL_HOSTS)}"


def _wxid(s: Slots) -> str:
    tail = "".join(s.rng.choice("abcdefghijkmnpqrstuvwxyz0123456789") for _ in range(6))
    return s.rng.choice(("wxid_", "", "lx_", "vip")) + tail


_DRAWS: dict[str, Callable[[Slots], str]] = {
    "colour": _pick(catalog.COLOURS),
    "colour2": _other_colour,
    "product2": _other_product,
    "size": Slots.size,
    "size2": Slots.other_size,
    "rec_size": lambda s: letter_size_for(int(s["weight"])),
    "rec_size_up": lambda s: {"S": "M", "M": "L", "L": "XL"}.get(s["rec_size"], "XXL"),
    "foot": _foot,
    "foot_down": lambda s: str(int(s["foot"]) - 1),
    "foot_up": lambda s: str(int(s["foot"]) + 1),
    "kid_height": lambda s: str(s.rng.randrange(90, 150, 5)),
    "kid_weight": lambda s: str(s.rng.randint(25, 70)),
    "height": lambda s: str(s.rng.randint(150, 176)),
    "weight": lambda s: str(s.rng.randint(86, 145)),
    "height2": lambda s: str(s.rng.randint(166, 188)),
    "weight2": lambda s: str(s.rng.randint(120, 190)),
    "bust": lambda s: str(s.rng.randint(78, 104)),
    "age": lambda s: str(s.rng.randint(2, 10)),
    "price": lambda s: str(s._product.price),
    "deal_price": Slots.deal_price,
    "coupon": _pick(catalog.COUPONS),
    "diff": lambda s: str(s.rng.choice((20, 30, 50, 80, 100, 150, 200))),
    "mall": _pick(catalog.MALLS),
    "floor": _pick(("一楼", "二楼", "三楼", "B1层", "L2层")),
    "metro": lambda s: str(s.rng.randint(1, 12)),
    "landmark": _pick(catalog.LANDMARKS),
    "day": _pick(catalog.WEEKDAYS),
    "clock": _pick(catalog.CLOCKS),
    "order_tail": lambda s: f"{s.rng.randrange(10000):04d}",
    "tracking": lambda s: f"SF{s.rng.randrange(10**12):012d}",
    "courier": _pick(catalog.COURIERS),
    "phone": lambda s: phone_number(s.rng),
    "address": Slots.address,
    "email": _email,
    "company": _pick(catalog.COMPANIES),
    "cname": lambda s: s.rng.choice(catalog.CUSTOMER_SURNAMES) + s.rng.choice(("女士", "先生")),
    "gift": _pick(catalog.GIFTS),
    "bday": lambda s: f"{s.rng.randint(1, 12)}月{s.rng.randint(1, 28)}号",
    "pay": _pick(catalog.PAY_TOOLS),
    "level": _pick(catalog.MEMBER_LEVELS),
    "points": lambda s: str(s.rng.randrange(200, 12000, 10)),
    "match": _pick(catalog.MATCHES),
    "wxid": _wxid,
    "off_pct": lambda s: s.rng.choice(("7", "75", "8", "6")),
    "extra": lambda s: s.rng.choice(("50", "100", "200")) + "块",
}
