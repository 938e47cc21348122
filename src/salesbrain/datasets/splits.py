"""The one split policy: what every model trains on, is tuned on and is scored on.

Every split is by conversation (for reviews, by review text), decided by a rule that belongs to
a purpose. A hash rule places a key by a salted hash alone, so a key keeps its split while a
data set grows; the shuffle rule deals a seeded shuffle of one source's sorted keys, so there a
key's split depends on the other keys of its source. `docs/datasets.md` has the same table
with the data behind each purpose.

    purpose              key                   train    validation  test    rule
    intent               set, conversation     < 0.7    0.7 - 0.8   >= 0.8  H("{seed}:{dataset}:")
    outcome              set, conversation     < 0.7    -           >= 0.7  intent's draw
    quality              STC-3 dialogue        < 0.8    -           >= 0.8  intent's draw (stc3)
    sentiment            review text, stripped >= 0.02  -           < 0.02  H("heldout:")
    dialogues            source, conversation  80 %     10 %        10 %    shuffle, 20240611
    suggest-validation   a pair's conversation >= 0.15  < 0.15      -       h("validation\x1f")
    suggest-calibration  a pair's conversation >= 0.5   < 0.5       -       h("calibration\x1f")
    tenant               a pair's conversation >= 0.2   < 0.2       -       h("tenant-held-out\x1f")

H(salt): the first 8 bytes of sha256(salt + key) over 2^64 (intent's seed is 0); h(salt): the
first byte of sha1(salt + key) over 256. The shuffle: per source, conversation ids sorted, then
`random.Random(f"{seed}:{source}").shuffle`; the first round(n * 0.8) train, the next
round(n * 0.1) validation, the rest test. Targeted intent annotations (`*_extra`) train only
when their conversation is a train one. suggest-calibration splits suggest-validation's
validation part: its train part fits the fusion weights, its validation part the abstention.
eprstmt keeps its own files: train trains, dev tests (its texts leave every training set).

>>> split_of("quality", "3781")  # doctest: +SKIP
'train'
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

TRAIN, VALIDATION, TEST = "train", "validation", "test"


@dataclass(frozen=True, slots=True)
class HashRule:
    """A key's split from a salted hash of it, read as a position in [0, 1): the splits take
    consecutive shares of that range in the order given (a split may appear twice).

    `salt` is a `str.format` template over `seed` and `dataset`; the hash reads salt + key.
    """

    salt: str
    fractions: tuple[tuple[str, float], ...]  # (split, share), in hash order
    seed: int = 0
    digest: str = "sha256"
    width: int = 8  # leading digest bytes read as the position

    def position(self, key: str, dataset: str = "", seed: int | None = None) -> float:
        salt = self.salt.format(seed=self.seed if seed is None else seed, dataset=dataset)
        digest = hashlib.new(self.digest, (salt + key).encode("utf-8")).digest()
        return int.from_bytes(digest[: self.width], "big") / 2 ** (8 * self.width)

    def split_of(self, key: str, dataset: str = "", seed: int | None = None) -> str:
        position, cumulative = self.position(key, dataset, seed), 0.0
        for split, fraction in self.fractions:
            cumulative += fraction
            if position < cumulative:
                return split
        return self.fractions[-1][0]


@dataclass(frozen=True, slots=True)
class ShuffleRule:
    """Splits dealt from a seeded shuffle of one group's sorted keys (counts rounded)."""

    fractions: tuple[tuple[str, float], ...]
    seed: int

    def assign(self, group: str, keys: Iterable[str], seed: int | None = None) -> dict[str, str]:
        order = sorted(keys)
        random.Random(f"{self.seed if seed is None else seed}:{group}").shuffle(order)
        assigned: dict[str, str] = {}
        start = 0
        for split, fraction in self.fractions[:-1]:
            count = round(len(order) * fraction)
            assigned.update((key, split) for key in order[start : start + count])
            start += count
        assigned.update((key, self.fractions[-1][0]) for key in order[start:])
        return assigned


_CONVERSATION_HASH = "{seed}:{dataset}:"
_SEVENTY_TEN_TWENTY = ((TRAIN, 0.7), (VALIDATION, 0.1), (TEST, 0.2))
HASH_RULES: dict[str, HashRule] = {
    "intent": HashRule(_CONVERSATION_HASH, _SEVENTY_TEN_TWENTY),
    # outcome and quality share intent's hash: outcome scores on its validation and test,
    # quality trains on its train and validation (ridge penalties by leave-one-out)
    "outcome": HashRule(_CONVERSATION_HASH, ((TRAIN, 0.7), (TEST, 0.1), (TEST, 0.2))),
    "quality": HashRule("{seed}:stc3:", ((TRAIN, 0.7), (TRAIN, 0.1), (TEST, 0.2))),
    "sentiment": HashRule("heldout:", ((TEST, 0.02), (TRAIN, 0.98))),
    "suggest-validation": HashRule("validation\x1f", ((VALIDATION, 0.15), (TRAIN, 0.85)),
                                   digest="sha1", width=1),
    "suggest-calibration": HashRule("calibration\x1f", ((VALIDATION, 0.5), (TRAIN, 0.5)),
                                    digest="sha1", width=1),
    "tenant": HashRule("tenant-held-out\x1f", ((VALIDATION, 0.2), (TRAIN, 0.8)),
                       digest="sha1", width=1),
}
SHUFFLE_RULES: dict[str, ShuffleRule] = {
    "dialogues": ShuffleRule(((TRAIN, 0.8), (VALIDATION, 0.1), (TEST, 0.1)), seed=20240611),
}
class _InConversation(Protocol):
    @property
    def conversation_id(self) -> str: ...


Pair = TypeVar("Pair", bound=_InConversation)
# the key a review is placed by: its text without surrounding blanks
REVIEW_KEY: Callable[[str], str] = str.strip


def _rule(purpose: str) -> HashRule:
    if purpose not in HASH_RULES:
        raise ValueError(f"unknown split purpose {purpose!r}; known: {sorted(HASH_RULES)}")
    return HASH_RULES[purpose]


def fractions(purpose: str) -> dict[str, float]:
    """Each split's share of a purpose's keys (in expectation for a hash rule)."""
    rule = HASH_RULES.get(purpose) or SHUFFLE_RULES.get(purpose)
    if rule is None:
        raise ValueError(f"unknown split purpose {purpose!r}")
    shares: dict[str, float] = {}
    for split, share in rule.fractions:
        shares[split] = shares[split] + share if split in shares else share
    return shares


def split_of(purpose: str, key: str, dataset: str = "", seed: int | None = None) -> str:
    """The split ("train", "validation" or "test") of one conversation (or review) for a purpose."""
    return _rule(purpose).split_of(str(key), dataset, seed)


def is_held_out(purpose: str, key: str, dataset: str = "") -> bool:
    """Whether a model of this purpose must never train on the key."""
    return split_of(purpose, key, dataset) != TRAIN


def is_heldout_review(sentence: str) -> bool:
    """Whether a review text is in the sentiment test slice (never trained on)."""
    return is_held_out("sentiment", REVIEW_KEY(sentence))


def hold_out(items: Sequence[Pair], purpose: str) -> tuple[list[Pair], list[Pair]]:
    """Reply pairs split into (train, held out) by their conversation, under a purpose's rule."""
    held = [is_held_out(purpose, item.conversation_id) for item in items]
    return ([item for item, out in zip(items, held, strict=True) if not out],
            [item for item, out in zip(items, held, strict=True) if out])


def deal(purpose: str, group: str, keys: Iterable[str], seed: int | None = None
         ) -> dict[str, str]:
    """Each key of one group (a source) mapped to its split under a shuffle rule."""
    if purpose not in SHUFFLE_RULES:
        raise ValueError(f"unknown shuffle purpose {purpose!r}; known: {sorted(SHUFFLE_RULES)}")
    return SHUFFLE_RULES[purpose].assign(group, keys, seed)
