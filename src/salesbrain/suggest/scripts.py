"""The script library (话术库): approved replies per intent, and what may enter it.

A brand's scripts start from its champions' most-used replies per intent (mined: redacted,
near-duplicates merged, names, sizes, products and prices turned into slots such as {尺码}),
and managers add, edit, retire, import and export them as CSV (`intent,text,tags`). A script
must be text a guide can send once its slots are filled: never a bare placeholder, never a
media card, never another platform's formula (感谢您对京东的支持).

>>> mined = mine_scripts([("size_fit", "M码有货的亲"), ("size_fit", "M码有货的亲~"),
...                       ("size_fit", "[订单x]")], min_uses=1)
>>> [(s.intent, s.text, s.uses) for s in mined]
[('size_fit', '{尺码}码有货的亲', 2)]
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from salesbrain.db.scripts import NewScript, Script
from salesbrain.suggest.bank import near_duplicate_clusters, sendable
from salesbrain.suggest.slots import generalise_slots
from salesbrain.taxonomy import INTENT_KEYS

CSV_HEADER: tuple[str, ...] = ("intent", "text", "tags")
MAX_SCRIPT_CHARS = 300
MAX_TAGS = 10
PER_INTENT = 20  # mined scripts kept per intent, most used first
_TAG_SPLIT = re.compile(r"[|;；、]")
# Bracketed placeholders left by redaction or by the public data sets ([订单x], [手机号]) and
# slots: what is left without them must still say something.
_PLACEHOLDER = re.compile(r"\[[^\[\]]{1,12}\]|\{[^{}]{1,16}\}")
_FILLER = re.compile(r"[\s\W_\d亲哦哈呢吧啊嗯呀~～]+")
# Other platforms' house formulas in public data; a brand's guide never says them.
OTHER_PLATFORM = re.compile(r"京东|JD|jd\.com|拼多多|唯品会|苏宁|亚马逊|小米商城|东东")
# Closing formulas: right after a thank-you, wrong while the customer's question is open.
CLOSING_FORMULA = re.compile(
    r"还有(?:其他|其它|什么)(?:问题|事情|需要)?(?:还)?(?:可以|能|需要)(?:为您|帮)"
    r"|祝您?(?:生活|购物)?愉快|再见|拜拜|欢迎(?:您)?下次(?:光临|再来)"
    r"|感谢您?对.{0,8}的(?:支持|理解)|请问还有(?:其他|其它|别的|什么)"
)


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class ParsedScripts:
    scripts: list[NewScript]
    errors: list[RowError]


def only_placeholder(text: str) -> bool:
    """Whether nothing but placeholders, slots, digits and filler remains ("[订单x]", "{姓名}~")."""
    return len(_FILLER.sub("", _PLACEHOLDER.sub("", text))) < 2


def is_closing(text: str) -> bool:
    return CLOSING_FORMULA.search(text) is not None


def showable(text: str) -> bool:
    """A reply a tenant's guide may be shown: sendable text, no bare placeholder, no
    other platform's formula."""
    return sendable(text) and not only_placeholder(text) and not OTHER_PLATFORM.search(text)


def script_problem(intent: str, text: str, tags: Sequence[str] = ()) -> str | None:
    """Why a script cannot enter the library, or None when it can."""
    if intent not in INTENT_KEYS:
        return f"unknown intent {intent!r} (one of {', '.join(INTENT_KEYS)})"
    if not text.strip():
        return "empty text"
    if len(text) > MAX_SCRIPT_CHARS:
        return f"text has {len(text)} characters, at most {MAX_SCRIPT_CHARS}"
    if len(tags) > MAX_TAGS:
        return f"{len(tags)} tags, at most {MAX_TAGS}"
    if not showable(text):
        return "text is only a placeholder, a media card or another platform's formula"
    return None


def split_tags(field: str) -> tuple[str, ...]:
    return tuple(tag.strip() for tag in _TAG_SPLIT.split(field) if tag.strip())


def read_scripts_csv(text: str) -> ParsedScripts:
    """Scripts from CSV text with the header `intent,text,tags`; a bad row is reported with its
    line number and reason, and the good rows are kept."""
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(rows, None)
    if header is None or tuple(h.strip() for h in header) != CSV_HEADER:
        return ParsedScripts([], [RowError(1, f"header must be {','.join(CSV_HEADER)}, "
                                              f"not {','.join(header or [])!r}")])
    scripts, errors = [], []
    for row in rows:
        line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(CSV_HEADER):
            errors.append(RowError(line, f"{len(row)} columns, expected {len(CSV_HEADER)}"))
            continue
        intent, body, tags = row[0].strip(), " ".join(row[1].split()), split_tags(row[2])
        problem = script_problem(intent, body, tags)
        if problem is not None:
            errors.append(RowError(line, problem))
        else:
            scripts.append(NewScript(intent, body, tags, "manual"))
    return ParsedScripts(scripts, errors)


def write_scripts_csv(scripts: Iterable[Script]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for script in scripts:
        writer.writerow([script.intent, script.text, "|".join(script.tags)])
    return out.getvalue()


def _minable(intent: str, template: str) -> bool:
    # a bracket left after generalising is a value no slot can fill ([订单号], [手机号])
    return (script_problem(intent, template) is None and "[" not in template
            and (intent == "thanks_closing" or not is_closing(template)))


def mine_scripts(replies: Iterable[tuple[str, str]], *, per_intent: int = PER_INTENT,
                 min_uses: int = 2, near_duplicate: float = 0.5,
                 keep: Callable[[str], bool] | None = None) -> list[NewScript]:
    """The most-used (intent, reply) templates per intent, near-duplicates merged.

    `replies` are the champions' replies with the intent of the customer message they answered;
    `keep` is the compliance filter."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for intent, reply in replies:
        template = generalise_slots(" ".join(reply.split()))
        if _minable(intent, template) and (keep is None or keep(template)):
            counts[intent][template] += 1
    mined = []
    for intent in sorted(counts):
        mined.extend(_most_used(intent, counts[intent], per_intent, min_uses, near_duplicate))
    return mined


def _most_used(intent: str, counts: Counter[str], per_intent: int, min_uses: int,
               near_duplicate: float) -> list[NewScript]:
    texts = [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))]
    uses: Counter[int] = Counter()
    for i, leader in enumerate(near_duplicate_clusters(texts, near_duplicate)):
        uses[leader] += counts[texts[i]]
    ranked = sorted(uses.items(), key=lambda kv: (-kv[1], kv[0]))
    return [NewScript(intent, texts[i], (), "mined", n)
            for i, n in ranked[:per_intent] if n >= min_uses]
