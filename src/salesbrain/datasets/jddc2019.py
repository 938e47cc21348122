"""JDDC 2019 sample (`jddc2019/chat_sample.tsv`): JD.com customer-service sessions.

Tab-separated `session_id, user_id, is_agent (0 customer, 1 agent), is_transfer, is_repeat,
sku ("nan" if none), content`; the lines of one session are one conversation in file order.
A conversation's id is its session id; a turn is one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from salesbrain.schema import Role, Turn

FILE = "jddc2019/chat_sample.tsv"


@dataclass(frozen=True, slots=True)
class JddcMessage:
    session_id: str
    user_id: str
    role: Role
    is_transfer: str
    is_repeat: str
    sku: str
    content: str


def parse_line(text: str) -> JddcMessage:
    """One line without its line break; a malformed line raises ValueError with the reason."""
    fields = text.split("\t", 6)
    if len(fields) != 7 or fields[2] not in ("0", "1"):
        raise ValueError("expected 7 tab-separated fields with is_agent 0 or 1")
    session_id, user_id, is_agent, is_transfer, is_repeat, sku, content = fields
    role = Role.GUIDE if is_agent == "1" else Role.CUSTOMER
    return JddcMessage(session_id, user_id, role, is_transfer, is_repeat, sku, content)


def read_messages(path: Path) -> Iterator[JddcMessage]:
    """Every line in file order; a malformed line fails naming the file and line."""
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                yield parse_line(line.rstrip("\n"))
            except ValueError as error:
                raise ValueError(f"{path}:{number}: {error}") from error


def read_conversations(path: Path) -> dict[str, tuple[Turn, ...]]:
    """Sessions as turns (one per line), keyed by session id, in file order."""
    sessions: dict[str, list[Turn]] = {}
    for message in read_messages(path):
        sessions.setdefault(message.session_id, []).append(Turn(message.role, message.content))
    return {session: tuple(turns) for session, turns in sessions.items()}
