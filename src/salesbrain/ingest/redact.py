"""Replace personal data in chat messages with typed placeholders before anything is stored.

>>> r = redact("我叫王小明，电话138 0013 8000，寄到上海市浦东新区张杨路500号3楼")
>>> r.text
'我叫[姓名]，电话[手机号]，寄到[地址]'
>>> [(s.kind, s.start, s.end) for s in r.spans]
[('person_name', 2, 5), ('mobile', 8, 21), ('address', 24, 40)]
>>> redact("加薇 amy_2023，幺三九🌸2465🌸0817，已发顺丰 SF 1234 5678 9012").text
'加薇 [微信号]，[手机号]，已发顺丰 [快递单号]'

Rules, no model, so that ingestion stays fast. Numbers are read the way customers write them:
Chinese, financial, circled, full-width and keycap digits, and groups split by spaces, dots,
slashes, dashes, emoji or a filler such as 后面是 (`salesbrain.ingest.digits`).

- mobile: mainland numbers 1[3-9]x (11 digits), optional +86/86/0086. Numbers already masked by
  a platform (138****5678) and "尾号5678" are left alone.
- landline: area code (010, 02x, 0[3-9]xx) plus a 7-8 digit local number, or a bare local number
  after 电话/座机/固话/tel. 400/800 and 95xxx numbers are company hotlines and are kept.
- id_card: 18 digits with a valid ISO 7064 MOD 11-2 check digit and a plausible birth date.
- bank_card: 16-19 digits (optionally in groups) that pass the Luhn check.
- email: ASCII local part and dotted domain, also spelled out (name艾特163.com, x at qq dot com,
  x(at)sina点com).
- wechat_id: an id starting with a letter after any spelling of 微信 in
  `salesbrain.contact_cues` (also 微信搜, 加薇, ➕V, V:), or any ``wxid_`` id. A phone number given
  as a WeChat id is a mobile.
- qq_number: 5-11 digits after QQ/扣扣/企鹅/丘丘 or a lone Q (加Q123456789).
- tracking_no: a carrier's own format (SF, YT, JD, ZTO, YD, EMS, STO, DBL, JT ...), or a number
  after a carrier word (已发顺丰, 圆通快递单号) or 运单号/快递单号.
- order_no: an id after 订单号/单号/订单, or any bare run of 11+ digits that nothing above claims.
- A number sent in two halves (前面是6217..., 后面是7411...) is redacted half by half.
- number: the safety net. A bare run of 9-10 digits, or an id-like token of letters and digits
  after a contact cue (联系方式/加我/账号 ...), unless it is a price, date, time, hotline, size or
  product code.
- address: a street with a house number (张杨路500号) or an estate with building and room
  (阳光小区3栋2单元501室), down to the door: 27F, 5-402, 12舍, B座1203, 南座 3801. After a cue
  (地址/住在/寄到 ...) two place components suffice (淄博市朱台镇宁王村). A city or district
  alone is not personal data; store addresses are redacted too.
- person_name: see `salesbrain.ingest.redact_names`.

Prices, sizes, dates, times, quantities (一件, 三个月, 3件5折) and the placeholders already in the
JDDC data ([数字x], [订单x], [地址x], [姓名x]) pass through unchanged. Offsets always refer to
the original text.

A learned tagger may add names and addresses the rules miss: pass any object with the
`SpanTagger` methods to `redact` or `redact_batch`. Rule spans win where the two overlap.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from salesbrain.ingest.digits import digit_view, has_digit_run
from salesbrain.ingest.redact_names import NAME_HINT_WORDS, inside_brand, name_candidates
from salesbrain.ingest.redact_numbers import (
    MOBILE_TAIL_CUE,
    SAFETY_NET_RANKS,
    Candidate,
    mobile_tail_candidates,
    number_candidates,
)
from salesbrain.ingest.redact_words import (
    ADDRESS_CUE,
    CONTACT_CUE,
    EMAIL_HINT_WORDS,
    WECHAT_HINT_WORDS,
    address_candidates,
    contact_id_candidates,
    email_candidates,
    shop_floor,
    spelled_at,
    wechat_candidates,
)

PLACEHOLDERS: dict[str, str] = {
    "mobile": "[手机号]",
    "landline": "[电话]",
    "id_card": "[身份证]",
    "bank_card": "[银行卡]",
    "email": "[邮箱]",
    "wechat_id": "[微信号]",
    "qq_number": "[QQ号]",
    "order_no": "[订单号]",
    "tracking_no": "[快递单号]",
    "number": "[号码]",
    "address": "[地址]",
    "person_name": "[姓名]",
}
MEMO_LIMIT = 100_000  # distinct texts `redact_messages` remembers (a few tens of MiB)
TAGGER_KINDS = frozenset({"person_name", "address"})
_TAGGER_RANK = 99


class SpanTagger(Protocol):
    """A learned detector of the names and addresses rules cannot see.

    `wants` is a cheap gate called on every message; `spans` is called once per batch with the
    messages it wanted and returns, per message, ``(kind, start, end)`` over that message's
    original text, `kind` being ``person_name`` or ``address``.
    """

    def wants(self, text: str) -> bool: ...

    def spans(self, texts: Sequence[str]) -> list[list[tuple[str, int, int]]]: ...


@dataclass(frozen=True, slots=True)
class RedactedSpan:
    """One replaced piece of personal data; `start`/`end` index the original text."""

    kind: str
    start: int
    end: int
    placeholder: str


@dataclass(frozen=True, slots=True)
class Redaction:
    """The redacted text and what was replaced, ordered by position."""

    text: str
    spans: tuple[RedactedSpan, ...]


_NORMALISE = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
        "＠": "@", "＋": "+", "－": "-", "—": "-", "（": "(", "）": ")", "＃": "#",
        "．": ".", "＿": "_", "／": "/", "：": ":", "\u3000": " ", "｜": "|",
    }
)
# Which word detectors can fire at all; most chat lines hit none of these. The words are
# literals, so the characters they start with make one character class that finds the few
# places worth trying, several times faster than trying the alternation at every character.
_HINT_WORDS: dict[str, tuple[str, ...]] = {
    "at": EMAIL_HINT_WORDS,
    "wechat": WECHAT_HINT_WORDS,
    **NAME_HINT_WORDS,
    "place": tuple(ADDRESS_CUE.split("|")),
    "contact": tuple(CONTACT_CUE.split("|")),
    "digit": tuple("0123456789"),
    "seat": ("座",),
}


def _hint_pattern() -> tuple[re.Pattern[str], re.Pattern[str]]:
    words = {group: {w for word in group_words for w in (word, word.upper(), word.capitalize())}
             for group, group_words in _HINT_WORDS.items()}
    alternatives = "|".join(
        f"(?P<{group}>" + "|".join(re.escape(w) for w in sorted(ws, key=len, reverse=True)) + ")"
        for group, ws in words.items())
    starts = {w[0] for ws in words.values() for w in ws}
    return re.compile(alternatives), re.compile("[" + re.escape("".join(sorted(starts))) + "]")


_HINTS, _HINT_START = _hint_pattern()
_WIDE = re.compile(r"[０-９Ａ-Ｚａ-ｚ＠＋－—（）＃．＿／：\u3000｜]")


def redact(text: str, tagger: SpanTagger | None = None) -> Redaction:
    """Replace personal data in one message; see the module docstring for what counts."""
    if tagger is not None:
        return redact_batch([text], tagger)[0]
    candidates = rule_candidates(text)
    return _apply(text, _resolve(candidates)) if candidates else Redaction(text, ())


def redact_message(text: str) -> Redaction:
    """What ingestion and `redact --rescan` store: the rules plus the shipped name tagger."""
    from salesbrain.ingest.name_tagger import default_tagger  # loads the model on first use

    return redact(text, default_tagger())


def redact_messages(texts: Sequence[str],
                    memo: dict[str, Redaction] | None = None) -> list[Redaction]:
    """`redact_message` over a batch: each distinct text is redacted once, and the tagger
    decodes all the gated ones together. Archives repeat greetings and templates, so a caller
    that ingests batch after batch passes the same `memo`; it is emptied once it holds more
    than `MEMO_LIMIT` texts, so that memory stays flat over any archive.

    >>> [r.text for r in redact_messages(["在吗", "电话13812345678", "在吗"])]
    ['在吗', '电话[手机号]', '在吗']
    """
    from salesbrain.ingest.name_tagger import default_tagger  # loads the model on first use

    memo = {} if memo is None else memo
    if len(memo) > MEMO_LIMIT:
        memo.clear()
    new = list(dict.fromkeys(text for text in texts if text not in memo))
    if new:
        memo.update(zip(new, redact_batch(new, default_tagger()), strict=True))
    return [memo[text] for text in texts]


def redact_batch(texts: Sequence[str], tagger: SpanTagger | None = None) -> list[Redaction]:
    """`redact` over many messages; the tagger sees, in one call, the messages it wants."""
    kept = [_resolve(rule_candidates(text)) for text in texts]
    if tagger is not None:
        wanted = [i for i, text in enumerate(texts) if text and tagger.wants(text)]
        tagged = tagger.spans([texts[i] for i in wanted]) if wanted else []
        if len(tagged) != len(wanted):
            raise ValueError(f"tagger returned spans for {len(tagged)} of {len(wanted)} messages")
        for i, spans in zip(wanted, tagged, strict=True):
            kept[i] = merge_tagged(kept[i], trim_tagged(texts[i], spans), len(texts[i]))
    return [_apply(text, spans) if spans else Redaction(text, ())
            for text, spans in zip(texts, kept, strict=True)]


def safety_net_spans(text: str) -> list[RedactedSpan]:
    """The spans of `redact(text)` that only the safety net caught: a bare run of 9+ digits
    that no detector claims (kinds `number`, or `order_no` from 11 digits) or an id-like token
    after a contact cue (`number`). A learned tagger never overrides them (see `merge_tagged`),
    so they are also what the fallback contributes to `redact_message`.

    >>> [(s.kind, s.start, s.end) for s in safety_net_spans("记一下 284619375，手机13812345678")]
    [('number', 4, 13)]
    """
    kept = _resolve(rule_candidates(text))
    return [RedactedSpan(kind, start, end, PLACEHOLDERS[kind])
            for rank, start, end, kind in kept if rank in SAFETY_NET_RANKS]


def rule_candidates(text: str) -> list[Candidate]:
    """Every span any rule proposes, overlapping ones included, as (rank, start, end, kind)."""
    norm = text.translate(_NORMALISE) if _WIDE.search(text) else text
    hints = _hints(norm)
    found: list[Candidate] = []
    if "at" in hints or spelled_at(norm):
        found += email_candidates(norm)
    if "wechat" in hints:
        found += wechat_candidates(norm)
    if "contact" in hints:
        found += contact_id_candidates(norm)
    if "digit" in hints or "seat" in hints or "place" in hints:
        found += address_candidates(norm, cued="place" in hints)
    long_number = False
    if ("digit" in hints or not norm.isascii()) and has_digit_run(norm):
        view = digit_view(norm)
        found += number_candidates(view, text, norm)
        long_number = re.search(r"\d{7}", view.text) is not None
    if ("尾" in norm or "四位" in norm) and MOBILE_TAIL_CUE.search(norm):
        found += mobile_tail_candidates(norm)
    found += name_candidates(norm, hints, long_number)
    return found


def _hints(norm: str) -> set[str | None]:
    found: set[str | None] = set()
    for start in _HINT_START.finditer(norm):
        if m := _HINTS.match(norm, start.start()):
            found.add(m.lastgroup)
    return found


# What a learned tagger tends to carry past an address's end (鞍山西道320号吧, 1600号附近,
# 3号楼门卫): particles and words for "near"/"at the door", never the last part of an address.
_ADDRESS_TAIL = re.compile(r"(?:吧|呢|啊|呀|哦|嘛|附近|旁边|对面|门口|门卫|楼下|这边|那边|一带)+$")


def trim_tagged(text: str, spans: Sequence[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """A tagger's address spans without a trailing particle or "near" word (see above), and
    its names without those inside a brand (杨国福, 小熊电器; `redact_names.inside_brand`)."""
    trimmed = []
    for kind, start, end in spans:
        if kind == "address" and (tail := _ADDRESS_TAIL.search(text, start, end)):
            end = tail.start()
        if kind == "person_name" and inside_brand(text, start, end):
            continue
        if kind == "address" and shop_floor(text, start, end):
            continue
        if start < end:
            trimmed.append((kind, start, end))
    return trimmed


def merge_tagged(kept: list[Candidate], tagged: Sequence[tuple[str, int, int]],
                 length: int) -> list[Candidate]:
    """Add a tagger's spans to resolved rule spans. A tagger span that overlaps a rule span of
    another kind is dropped (the rule is more precise); one that overlaps rule spans of its own
    kind widens them to cover both (a rule that stopped early, e.g. before the room number)."""
    merged = list(kept)
    for kind, start, end in sorted(tagged, key=lambda s: (s[1], -s[2])):
        if kind not in TAGGER_KINDS or not 0 <= start < end <= length:
            raise ValueError(f"tagger span {(kind, start, end)} is not a name or address "
                             f"inside a message of {length} characters")
        touching = [c for c in merged if c[1] < end and start < c[2]]
        if any(c[3] != kind for c in touching):
            continue
        ranks = [c[0] for c in touching] or [_TAGGER_RANK]
        lo = min([start, *(c[1] for c in touching)])
        hi = max([end, *(c[2] for c in touching)])
        merged = [c for c in merged if c not in touching] + [(min(ranks), lo, hi, kind)]
    return sorted(merged, key=lambda c: c[1])


def _resolve(candidates: list[Candidate]) -> list[Candidate]:
    """Keep the best-ranked, then longest, candidates that do not overlap one another."""
    kept: list[Candidate] = []
    for cand in sorted(candidates, key=lambda c: (c[0], c[1] - c[2], c[1])):
        if all(cand[2] <= k[1] or cand[1] >= k[2] for k in kept):
            kept.append(cand)
    return sorted(kept, key=lambda c: c[1])


def _apply(text: str, kept: list[Candidate]) -> Redaction:
    pieces: list[str] = []
    spans: list[RedactedSpan] = []
    cursor = 0
    for _, start, end, kind in kept:
        pieces += [text[cursor:start], PLACEHOLDERS[kind]]
        spans.append(RedactedSpan(kind, start, end, PLACEHOLDERS[kind]))
        cursor = end
    pieces.append(text[cursor:])
    return Redaction("".join(pieces), tuple(spans))
