"""Domain types shared by ingestion, models, scoring and the service.

Plain frozen dataclasses: cheap to build by the million during ingestion and free of any
storage or transport concern (the store maps them to tables, the service to API schemas).
Timestamps are timezone-aware UTC datetimes; money is in yuan as float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """Who wrote a message."""

    GUIDE = "guide"
    CUSTOMER = "customer"
    SYSTEM = "system"


class MessageType(StrEnum):
    """What a message carries; media are stored as typed placeholders, never as text."""

    TEXT = "text"
    LINK = "link"
    WEAPP = "weapp"
    IMAGE = "image"
    VOICE = "voice"
    VIDEO = "video"
    FILE = "file"
    EMOTION = "emotion"
    REDPACKET = "redpacket"
    CARD = "card"
    LOCATION = "location"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Guide:
    guide_id: str
    name: str = ""
    store_id: str = ""
    region: str = ""


@dataclass(frozen=True, slots=True)
class Order:
    order_id: str
    customer_id: str
    ts: datetime
    amount: float
    channel: str = ""


@dataclass(frozen=True, slots=True)
class OutreachTask:
    task_id: str
    guide_id: str
    customer_id: str
    kind: str
    assigned_ts: datetime
    due_ts: datetime


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message after parsing and redaction.

    `text` is already redacted; `redactions` lists the kinds of personal data removed.
    `text` is empty when the customer refused archiving consent (metadata only).
    """

    msgid: str
    guide_id: str
    customer_id: str
    role: Role
    ts: datetime
    type: MessageType = MessageType.TEXT
    text: str = ""
    room_id: str = ""
    recalled: bool = False
    redactions: tuple[str, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Conversation:
    """A guide-customer session: messages in time order, split by an inactivity gap."""

    conversation_id: str
    guide_id: str
    customer_id: str
    messages: tuple[Message, ...]
    room_id: str = ""
    source: str = ""

    @property
    def started_at(self) -> datetime:
        return self.messages[0].ts

    @property
    def ended_at(self) -> datetime:
        return self.messages[-1].ts

    def customer_messages(self) -> list[Message]:
        return [m for m in self.messages if m.role is Role.CUSTOMER]

    def guide_messages(self) -> list[Message]:
        return [m for m in self.messages if m.role is Role.GUIDE]


@dataclass(frozen=True, slots=True)
class Turn:
    """A message as the models see it: who spoke and the redacted text."""

    role: Role
    text: str


def turns_of(conversation: Conversation) -> list[Turn]:
    """The conversation's textual turns, recalled messages dropped, as the models read them."""
    return [
        Turn(m.role, m.text)
        for m in conversation.messages
        if m.text and not m.recalled and m.role is not Role.SYSTEM
    ]
