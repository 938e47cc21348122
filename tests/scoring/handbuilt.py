"""Hand-built conversations for scoring tests: a tiny brand whose every number is known."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from salesbrain.schema import Conversation, Message, Role

T0 = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)  # Monday 10:00 in Asia/Shanghai


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def conversation(
    cid: str, guide: str, customer: str, script: Sequence[tuple[str, float]],
    room: str = "", recalled: Sequence[int] = (),
) -> Conversation:
    """`script`: (role, seconds after T0) per message; "c" customer, "g" guide, "s" system."""
    roles = {"c": Role.CUSTOMER, "g": Role.GUIDE, "s": Role.SYSTEM}
    messages = tuple(
        Message(f"{cid}-{i}", guide, customer, roles[role], at(seconds), text=f"m{i}",
                room_id=room, recalled=i in recalled)
        for i, (role, seconds) in enumerate(script))
    return Conversation(cid, guide, customer, messages, room_id=room)
