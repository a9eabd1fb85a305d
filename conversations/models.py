"""The domain's records: accounts, workstreams, conversations and messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

OPEN, ACTIVE, WAITING, CLOSED = "open", "active", "waiting", "closed"
LIVE_STATES = (OPEN, ACTIVE, WAITING)
STATES = (OPEN, ACTIVE, WAITING, CLOSED)

INBOUND, OUTBOUND = "inbound", "outbound"

CLOSED_BY_AGENT, CLOSED_FOR_INACTIVITY = "agent", "inactivity"

OPTED_IN, OPTED_OUT = "opted_in", "opted_out"


@dataclass(frozen=True)
class Number:
    number: str  # E.164 with "+"
    type: str
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "type": self.type, "description": self.description}


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    channel: str
    provider: str
    credentials: dict[str, str]  # unsealed; never leaves the process through the API
    numbers: tuple[Number, ...]
    created_at: datetime
    updated_at: datetime

    def owns(self, number: str) -> bool:
        return any(n.number == number for n in self.numbers)


@dataclass(frozen=True)
class Workstream:
    id: str
    name: str
    channel: str
    account_id: str
    number: str
    auto_close_after_minutes: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Media:
    url: str
    content_type: str

    def to_dict(self) -> dict[str, str]:
        return {"url": self.url, "content_type": self.content_type}


@dataclass(frozen=True)
class Consent:
    """Whether a customer accepts messages from one business number. It belongs to the
    thread, so it outlives conversations; ``source`` says what changed it last."""

    state: str = OPTED_IN
    changed_at: datetime | None = None
    source: str | None = None


@dataclass(frozen=True)
class Message:
    id: str
    conversation_id: str
    direction: str
    body: str
    media: tuple[Media, ...]
    status: str
    provider_message_id: str | None
    created_at: datetime
    seq: int = 0  # order inside the conversation's thread
    agent: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    keyword: str | None = None  # "stop", "start" or "help" when a customer message is one


@dataclass(frozen=True)
class Conversation:
    id: str
    state: str
    channel: str
    provider: str
    account_id: str
    workstream_id: str | None
    customer: str
    business: str
    agent: str | None
    created_at: datetime
    last_activity_at: datetime
    last_customer_message_at: datetime | None
    auto_close_after_minutes: int
    closed_at: datetime | None = None
    closed_reason: str | None = None
    consent: Consent = field(default=Consent())
    messages: tuple[Message, ...] = field(default=())
