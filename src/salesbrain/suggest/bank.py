"""The reply bank: champions' replies, redacted, de-duplicated and reviewed by managers.

Every reply has a status: `candidate` (mined, not yet reviewed), `approved` or `banned`.
Banned replies are never suggested, and neither are replies of origin `public` (the public
dialogue sets): they stay in the bank for benchmarks that rank against them, but a brand's
guides are only ever shown the brand's own replies. Managers can also add their own replies
(approved at once). The bank persists as `bank.json` (texts, statuses) plus `bank.safetensors` (one
L2-normalised embedding row per reply) inside the stage directory.

>>> bank = ReplyBank.build(["亲，这款有货哦", "亲，这款有货哦~", "发货后三天到"])
>>> len(bank)
2
>>> bank.ban(bank.entries[0].reply_id).entries[0].status
'banned'
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
from scipy import sparse

from salesbrain.artifacts import read_json, write_json
from salesbrain.suggest.lexical import count_matrix
from salesbrain.suggest.slots import to_slot_template

ReplyStatus = Literal["candidate", "approved", "banned"]
PUBLIC_ORIGIN = "public"
STATUSES: tuple[str, ...] = ("candidate", "approved", "banned")
_DEDUP_BUCKETS = 1 << 20
_BLOCK = 512


@dataclass(frozen=True, slots=True)
class BankReply:
    reply_id: str
    text: str
    status: ReplyStatus = "candidate"
    origin: str = "champion"  # champion | manager | simulated | real | public
    uses: int = 1  # how many near-duplicate replies this one stands for


def reply_id_of(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


# Placeholders that stand for media or cards in stored messages (see salesbrain.ingest.wecom):
# a guide cannot send them as text, so a reply holding one is never suggested.
MEDIA_PLACEHOLDER = re.compile(
    r"\[(?:图片|语音|视频|文件|表情|名片|位置|聊天记录|图文|语音通话|文档|日程|待办|投票|视频号|链接"
    r"|小程序|红包)\]")


def sendable(text: str) -> bool:
    """Whether a reply is text a guide can send: not empty and no media placeholder."""
    return bool(text.strip()) and MEDIA_PLACEHOLDER.search(text) is None


def clean_reply(text: str, redactor: Callable[[str], str] | None) -> str:
    text = " ".join(text.split())
    if redactor is not None:
        text = redactor(text)
    return to_slot_template(text)


def near_duplicate_clusters(texts: Sequence[str], threshold: float) -> list[int]:
    """Leader clustering on character-bigram Jaccard; texts should come most-used first.

    Returns, for each text, the index of the text that leads its cluster.
    """
    binary = count_matrix(texts, _DEDUP_BUCKETS)
    binary.data = np.ones_like(binary.data)
    sizes = np.asarray(binary.sum(axis=1)).ravel()
    leader = np.full(len(texts), -1)
    for start in range(0, len(texts), _BLOCK):
        block = binary[start : start + _BLOCK]
        overlap = (block @ binary[: start + block.shape[0]].T).tocoo()
        union = sizes[overlap.row + start] + sizes[overlap.col] - overlap.data
        similar = overlap.data > threshold * np.maximum(union, 1)
        neighbours = sparse.csr_matrix(
            (np.ones(similar.sum()), (overlap.row[similar], overlap.col[similar])),
            shape=(block.shape[0], start + block.shape[0]),
        )
        for offset in range(block.shape[0]):
            i = start + offset
            row = neighbours.indices[neighbours.indptr[offset] : neighbours.indptr[offset + 1]]
            leaders = [leader[j] for j in sorted(row) if j < i and leader[j] == j]
            leader[i] = leaders[0] if leaders else i
    return leader.tolist()


class ReplyBank:
    """Reviewed replies plus their embeddings; rows of `embeddings` follow `entries`."""

    def __init__(self, entries: Sequence[BankReply] = (), embeddings: np.ndarray | None = None):
        self.entries: list[BankReply] = list(entries)
        dim = 0 if embeddings is None else embeddings.shape[1]
        self.embeddings = (np.zeros((len(self.entries), dim), dtype=np.float32)
                           if embeddings is None else embeddings.astype(np.float32))
        self._index = {e.reply_id: i for i, e in enumerate(self.entries)}
        self._usable: dict[tuple[bool, bool], np.ndarray] = {}  # masks until the next change

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def build(
        cls,
        replies: Sequence[str],
        origin: str = "champion",
        dedup_threshold: float = 0.5,
        redactor: Callable[[str], str] | None = None,
        keep: Callable[[str], bool] | None = None,
    ) -> ReplyBank:
        """Redact, drop media placeholders and replies that `keep` rejects (compliance),
        cluster near-duplicates."""
        counts = Counter(clean_reply(r, redactor) for r in replies)
        texts = [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))
                 if sendable(t) and (keep is None or keep(t))]
        leaders = near_duplicate_clusters(texts, dedup_threshold) if texts else []
        uses: Counter[int] = Counter()
        for i, lead in enumerate(leaders):
            uses[lead] += counts[texts[i]]
        entries = [BankReply(reply_id_of(texts[i]), texts[i], "candidate", origin, uses[i])
                   for i in sorted(uses)]
        return cls(entries)

    def merge(self, other: ReplyBank) -> ReplyBank:
        """This bank plus the replies of `other` it does not already hold (by id)."""
        extra = [i for i, e in enumerate(other.entries) if e.reply_id not in self._index]
        embeddings = (np.vstack([self.embeddings, other.embeddings[extra]])
                      if self.embeddings.shape[1] == other.embeddings.shape[1] else None)
        return ReplyBank(self.entries + [other.entries[i] for i in extra], embeddings)

    def with_embeddings(self, embeddings: np.ndarray) -> ReplyBank:
        if embeddings.shape[0] != len(self.entries):
            raise ValueError(f"{embeddings.shape[0]} embeddings for {len(self.entries)} replies")
        return ReplyBank(self.entries, embeddings)

    def position(self, reply_id: str) -> int:
        if reply_id not in self._index:
            raise KeyError(f"no reply {reply_id!r} in the bank")
        return self._index[reply_id]

    def set_status(self, reply_id: str, status: ReplyStatus) -> ReplyBank:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {status!r}")
        i = self.position(reply_id)
        self.entries[i] = replace(self.entries[i], status=status)
        self._usable.clear()
        return self

    def approve(self, reply_id: str) -> ReplyBank:
        return self.set_status(reply_id, "approved")

    def ban(self, reply_id: str) -> ReplyBank:
        return self.set_status(reply_id, "banned")

    def add(self, text: str, embedding: np.ndarray, origin: str = "manager") -> BankReply:
        """A manager's own reply, approved at once; an existing text is re-approved instead."""
        text = clean_reply(text, None)
        reply_id = reply_id_of(text)
        if reply_id in self._index:
            self.approve(reply_id)
            return self.entries[self._index[reply_id]]
        entry = BankReply(reply_id, text, "approved", origin, 1)
        vector = np.asarray(embedding, dtype=np.float32).reshape(1, -1)
        if self.embeddings.shape[1] not in (0, vector.shape[1]) and len(self.entries):
            raise ValueError(f"embedding has {vector.shape[1]} dims, bank has "
                             f"{self.embeddings.shape[1]}")
        base = self.embeddings if len(self.entries) else np.zeros((0, vector.shape[1]), np.float32)
        self.embeddings = np.vstack([base, vector])
        self.entries.append(entry)
        self._index[reply_id] = len(self.entries) - 1
        self._usable.clear()
        return entry

    def usable(self, require_approved: bool = False, include_public: bool = False) -> np.ndarray:
        """Boolean mask of replies that may be suggested (to a brand: its own replies only;
        `include_public` is for benchmarks that rank against the public sets' replies)."""
        key = (require_approved, include_public)
        found = self._usable.get(key)
        if found is None or len(found) != len(self.entries):  # entries changed behind our back
            allowed = ("approved",) if require_approved else ("approved", "candidate")
            found = self._usable[key] = np.asarray(
                [e.status in allowed and (include_public or e.origin != PUBLIC_ORIGIN)
                 for e in self.entries], dtype=bool)
        return found.copy()  # callers may narrow their copy

    def save_pretrained(self, directory: Path) -> None:
        from safetensors.numpy import save_file

        directory.mkdir(parents=True, exist_ok=True)
        write_json(directory / "bank.json", {"replies": [asdict(e) for e in self.entries]})
        path = directory / "bank.safetensors"
        save_file({"embeddings": np.ascontiguousarray(self.embeddings)}, str(path))
        path.chmod(0o644)  # safetensors writes owner-only files; artifacts are shared read-only

    @classmethod
    def from_pretrained(cls, directory: Path) -> ReplyBank:
        from safetensors.numpy import load_file

        entries = [BankReply(**row) for row in read_json(directory / "bank.json")["replies"]]
        path = directory / "bank.safetensors"
        if not path.is_file():
            raise FileNotFoundError(f"missing artifact file: {path}")
        return cls(entries, load_file(str(path))["embeddings"])
