"""Sessionisation: split each guide-customer stream into conversations by an inactivity gap.

A message joins its pair's latest conversation when it falls within `gap` of it, otherwise it
opens a new one whose id is derived from the pair and its first timestamp, so re-running an
ingest reproduces the same ids. Sources that carry their own sessions (JDDC, STC-3, plain files
with `conversation_id`) keep them. Messages are expected roughly in time order per pair, as WeCom
archives deliver them; a message older than its pair's latest conversation by more than the gap
opens a conversation of its own.
"""

from __future__ import annotations

import hashlib
from typing import Any

from salesbrain.db.database import ConversationState, Database, PairKey
from salesbrain.ingest.records import IncomingMessage

DEFAULT_GAP_S = 6 * 3600


def conversation_id_for(pair: PairKey, first_ts_ms: int) -> str:
    guide, customer, room = pair
    digest = hashlib.sha1(f"{guide}\x00{customer}\x00{room}\x00{first_ts_ms}".encode())
    return "cv_" + digest.hexdigest()[:20]


class Sessionizer:
    """Assigns conversation ids and keeps the running state of every touched conversation."""

    def __init__(self, store: Database, gap_s: int = DEFAULT_GAP_S, source: str = "") -> None:
        if gap_s <= 0:
            raise ValueError("the session gap must be positive")
        self.store = store
        self.gap_ms = gap_s * 1000
        self.source = source
        self._latest: dict[PairKey, str] = {}
        self._states: dict[str, ConversationState] = {}
        self._heads: dict[str, dict[str, Any]] = {}
        self._dirty: set[str] = set()

    def prefetch(self, messages: list[IncomingMessage]) -> None:
        """Load the stored state of the pairs and conversations this batch touches."""
        pairs = {_pair(m) for m in messages if not m.conversation_id} - self._latest.keys()
        for pair, state in self.store.latest_conversations(pairs).items():
            self._remember(pair, state)
        explicit = {m.conversation_id for m in messages if m.conversation_id} - self._states.keys()
        for pair, state in self.store.conversation_states(sorted(explicit)):
            self._remember(pair, state)

    def assign(self, message: IncomingMessage) -> str:
        pair = _pair(message)
        cid = message.conversation_id or self._join_or_open(pair, message.ts_ms)
        state = self._states.get(cid)
        if state is None:
            state = ConversationState(cid, message.ts_ms, message.ts_ms, 0)
            self._remember(pair, state)
        state.started_ms = min(state.started_ms, message.ts_ms)
        state.ended_ms = max(state.ended_ms, message.ts_ms)
        state.n_messages += 1
        self._dirty.add(cid)
        return cid

    def _join_or_open(self, pair: PairKey, ts_ms: int) -> str:
        latest = self._latest.get(pair)
        if latest is not None:
            state = self._states[latest]
            if state.started_ms - self.gap_ms <= ts_ms <= state.ended_ms + self.gap_ms:
                return latest
        return conversation_id_for(pair, ts_ms)

    def _remember(self, pair: PairKey, state: ConversationState) -> None:
        self._states[state.conversation_id] = state
        current = self._latest.get(pair)
        if current is None or self._states[current].ended_ms <= state.ended_ms:
            self._latest[pair] = state.conversation_id
        guide, customer, room = pair
        self._heads[state.conversation_id] = {
            "guide_id": guide, "customer_id": customer, "room_id": room, "source": self.source,
        }

    def dirty_rows(self) -> list[dict[str, Any]]:
        """Rows for the conversations changed since the last call (for the store's upsert)."""
        rows = []
        for cid in sorted(self._dirty):
            state = self._states[cid]
            rows.append({
                "conversation_id": cid, **self._heads[cid], "started_ms": state.started_ms,
                "ended_ms": state.ended_ms, "n_messages": state.n_messages,
            })
        self._dirty.clear()
        self._forget_closed()
        return rows

    def _forget_closed(self) -> None:
        """Drop conversations that ended more than a gap before the newest message seen.

        They can no longer grow from time-ordered input; if an old pair speaks again its state
        is read back from the store. This keeps memory flat however long the archive is.
        """
        if not self._states:
            return
        horizon = max(state.ended_ms for state in self._states.values()) - 2 * self.gap_ms
        closed = [cid for cid, state in self._states.items() if state.ended_ms < horizon]
        for cid in closed:
            del self._states[cid]
            head = self._heads.pop(cid)
            pair = (head["guide_id"], head["customer_id"], head["room_id"])
            if self._latest.get(pair) == cid:
                del self._latest[pair]


def _pair(message: IncomingMessage) -> PairKey:
    # A group chat is one stream per room, whoever of its customers speaks.
    if message.room_id:
        return message.guide_id, f"room:{message.room_id}", message.room_id
    return message.guide_id, message.customer_id, message.room_id
