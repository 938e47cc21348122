"""Suggestions in tiers: champions' replies first, the brand's scripts when the ranker is unsure.

Tier 1 is the suggest stage's ranked bank (冠军回复, or 生成 for generated replies); it abstains
when unsure. Tier 2 is the tenant's active scripts (话术库) for the intent of the last customer
message, ranked for the conversation by character-bigram overlap and by how often champions
used them. When neither has anything, tier 3 is the ranker's best replies below its
confidence cut (still the brand's own champion replies, marked `confident=False`).

Nothing is shown only when the turn needs no reply (the guide spoke last, the customer sent
only media, or thanked/closed after the guide's reply) or every candidate fails the filters:
a bare placeholder, another platform's formula, a closing formula while the customer's
question is open, a slot the conversation cannot fill, a compliance hit.

>>> from salesbrain.db.scripts import Script
>>> from salesbrain.schema import Role, Turn
>>> turns = (Turn(Role.CUSTOMER, "这件外套有M码吗"),)
>>> scripts = [Script("sc_1", "size_fit", "{商品}{尺码}码有货的，要帮您留一件吗")]
>>> [(s.source, s.text) for s in tiered_suggestions(turns, "size_fit", [], scripts, k=3)]
[('script', '外套M码有货的，要帮您留一件吗')]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from salesbrain.db.scripts import Script
from salesbrain.schema import Role, Turn
from salesbrain.suggest.bank import MEDIA_PLACEHOLDER
from salesbrain.suggest.intent_cues import answers_other_intent, cue_intents
from salesbrain.suggest.lexical import bigram_set, jaccard
from salesbrain.suggest.scripts import is_closing, showable
from salesbrain.suggest.slots import extract_slots, fill_slots
from salesbrain.suggest.types import Suggestion, last_customer_text

SOURCE_LABELS: dict[str, str] = {"champion": "冠军回复", "script": "话术库", "generated": "生成"}
CLOSING_INTENT = "thanks_closing"
# A script with a product slot still reads well with the shop's word for "this item".
SCRIPT_FALLBACKS: dict[str, str] = {"product": "宝贝"}
_THANKS = re.compile(r"谢谢|多谢|感谢|谢啦|拜拜|再见|好的|好滴|收到|知道了|明白了|辛苦了|^ok|^嗯+$",
                     re.IGNORECASE)
_ASKING = re.compile(r"[?？吗呢么]")
_SHORT = 12  # a thank-you is short; a longer message after "谢谢" usually asks something more


@dataclass(frozen=True, slots=True)
class TieredSuggestion:
    text: str
    score: float
    source: str  # champion | script | generated
    intent: str | None
    bank_reply_id: str | None = None
    script_id: str | None = None
    confident: bool = True  # False: the ranker's best guess below its abstention cut

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]


def needs_reply(turns: Sequence[Turn], intent: str | None) -> bool:
    """Whether the last turn asks the guide for a reply."""
    said = [t for t in turns if t.text.strip() and t.role is not Role.SYSTEM]
    if not said or said[-1].role is Role.GUIDE:
        return False
    last = said[-1].text
    if not MEDIA_PLACEHOLDER.sub("", last).strip(" \t\n，。,.!！?？~"):
        return False
    guide_spoke = any(t.role is Role.GUIDE for t in said)
    closing = intent == CLOSING_INTENT or _thanks(last)
    return not (closing and guide_spoke)


def _thanks(text: str) -> bool:
    return (len(text) <= _SHORT and _THANKS.search(text) is not None
            and _ASKING.search(text) is None)


def question_open(intent: str | None) -> bool:
    return intent != CLOSING_INTENT


def tiered_suggestions(turns: Sequence[Turn], intent: str | None,
                       champion: Sequence[Suggestion], scripts: Sequence[Script], k: int,
                       allowed: Callable[[str], bool] | None = None,
                       unsure: Callable[[], Sequence[Suggestion]] | None = None
                       ) -> list[TieredSuggestion]:
    """Up to `k` suggestions: the ranker's (filtered, mismatched intents last), then scripts,
    and only when both have nothing, `unsure()`: the ranker's replies without abstention."""
    if k <= 0 or not needs_reply(turns, intent):
        return []
    keep = allowed or (lambda _: True)
    first = [s for s in _champion_tier(champion, intent) if keep(s.text)]
    shown = {s.text for s in first}
    second = [s for s in script_tier(turns, intent, scripts)
              if s.text not in shown and keep(s.text)]
    if not first and not second and unsure is not None:
        return [s for s in _champion_tier(unsure(), intent, confident=False)
                if keep(s.text)][:k]
    return (first + second)[:k]


def _champion_tier(suggestions: Sequence[Suggestion], intent: str | None,
                   confident: bool = True) -> list[TieredSuggestion]:
    fitting: list[TieredSuggestion] = []
    mismatched: list[TieredSuggestion] = []
    for s in suggestions:
        if not showable(s.text) or (question_open(intent) and is_closing(s.text)):
            continue
        source = "generated" if s.source == "generated" else "champion"
        item = TieredSuggestion(s.text, float(s.score), source, intent, s.bank_reply_id,
                                confident=confident)
        (mismatched if answers_other_intent(s.text, intent) else fitting).append(item)
    return fitting + mismatched


def script_tier(turns: Sequence[Turn], intent: str | None,
                scripts: Sequence[Script]) -> list[TieredSuggestion]:
    """Active scripts for the intent (all active scripts when none is known), best first."""
    active = [s for s in scripts if s.status == "active"]
    asked = " ".join(t.text for t in turns if t.role is Role.CUSTOMER)[-120:]
    if intent in (None, "other"):
        # no clear intent: the one the last message's words point to, else any script that
        # shares words with what the customer said
        cues = cue_intents(last_customer_text(turns))
        intent = next(iter(cues)) if len(cues) == 1 else intent
    own = [s for s in active if s.intent == intent]
    unclear = not own and intent in (None, "other")
    if unclear:
        own = active
    query = bigram_set(asked)
    slots = {**SCRIPT_FALLBACKS, **extract_slots(turns)}
    shown = []
    for script in own:
        text = fill_slots(script.text, slots)
        if text is None or not showable(text) or (question_open(intent) and is_closing(text)):
            continue
        if unclear and jaccard(query, bigram_set(text)) == 0.0:
            continue
        shown.append(TieredSuggestion(text, round(_script_score(script, text, query), 6),
                                      "script", script.intent, script_id=script.script_id))
    return sorted(shown, key=lambda s: -s.score)


def _script_score(script: Script, text: str, query: frozenset[str]) -> float:
    # overlap with what the customer said decides; how often champions used it breaks ties
    overlap = jaccard(query, bigram_set(text + "".join(script.tags)))
    return overlap + 0.01 * min(script.uses, 100) / 100
