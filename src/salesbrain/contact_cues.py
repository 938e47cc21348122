"""How people spell the chat apps they want to move a conversation to (微信, QQ).

One list serves two readers, so that a spelling learnt by one is known to the other:

- the compliance stage folds these spellings into 微信 / qq before its rules match
  (`stages/compliance.py`, merged into its default lists);
- the redactor treats any of them as the cue before a WeChat id or a QQ number
  (`ingest/redact_words.py`, `ingest/redact_numbers.py`).

Keys are written the way the compliance normaliser folds text: NFKC, lower case, no spaces.

>>> sorted(cue_spellings("qq"))[:3]
['qq', '丘丘', '企鹅']
"""

from __future__ import annotations

WECHAT = "微信"
QQ = "qq"

# Single characters typed in place of the real one: homophones, look-alikes, and the plus sign
# people write for 加 ("➕V", "+v").
CUE_CHARACTERS: dict[str, str] = {
    "威": "微",
    "薇": "微",
    "徽": "微",
    "伽": "加",
    "+": "加",
    "➕": "加",
}

# Whole spellings of an app name: variant -> canonical.
CUE_PHRASES: dict[str, str] = {
    "v信": WECHAT,
    "vx": WECHAT,
    "wx": WECHAT,
    "vxin": WECHAT,
    "weixin": WECHAT,
    "wechat": WECHAT,
    "维信": WECHAT,
    "卫信": WECHAT,
    "微x": WECHAT,
    "微❤": WECHAT,
    "v❤": WECHAT,
    "v心": WECHAT,
    "微心": WECHAT,
    "绿泡泡": WECHAT,
    "扣扣": QQ,
    "企鹅号": "qq号",
    "企鹅": QQ,
    "丘丘": QQ,
    "🐧": QQ,
    "q号": "qq号",
}


def cue_spellings(canonical: str) -> set[str]:
    """Every spelling of `canonical` (or of it followed by 号): the phrases and the canonical
    word with each character swapped for the characters typed in its place."""
    found = {canonical}
    found |= {variant for variant, target in CUE_PHRASES.items()
              if target in (canonical, canonical + "号")}
    for original in list(found):
        found |= set(_with_swapped_characters(original))
    return found


def _with_swapped_characters(word: str) -> list[str]:
    spellings = [""]
    for char in word:
        options = [char] + [c for c, target in CUE_CHARACTERS.items() if target == char]
        spellings = [prefix + option for prefix in spellings for option in options]
    return spellings
