"""A workstream's bot (Azure Bot Service through Direct Line), a conversation's time with
it, and the handoff that ends that time. Checked where admins set them
(conversations/bots/settings.py); read back from storage as they were written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

BOT = "bot"  # a conversation's stage while its workstream's bot answers it
MASKED, FULL, HIDDEN = "masked", "full", "none"  # how the bot sees the customer's number
NUMBER_SHOWN = (MASKED, FULL, HIDDEN)
# Why a conversation left its bot
BY_BOT, BY_TIMEOUT, BY_KEYWORD, BY_SUPERVISOR, BOT_REMOVED = "bot", "timeout", "keyword", "supervisor", "bot_removed"
HANDOFF_EVENT = "handoff.initiate"


@dataclass(frozen=True)
class BotContext:
    """What the bot is told of the customer when its conversation starts."""

    channel: bool = True
    customer_number: str = MASKED
    contact_fields: tuple[str, ...] = ()
    language: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "customer_number": self.customer_number,
                "contact_fields": list(self.contact_fields), "language": self.language}

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> BotContext:
        return cls(value.get("channel", True), value.get("customer_number", MASKED),
                   tuple(value.get("contact_fields", ())), value.get("language", True))


@dataclass(frozen=True)
class BotSettings:
    """``secret``: the Direct Line secret, unsealed (sealed at rest, masked in the API)."""

    secret: str
    name: str = "Bot"
    greeting_event: str | None = None  # an event activity sent when a conversation starts
    answer_timeout_seconds: int = 60
    context: BotContext = BotContext()
    handoff_keywords: tuple[str, ...] = ("agent", "human")

    def public_dict(self) -> dict[str, Any]:
        """Everything but the secret."""
        return {"name": self.name, "greeting_event": self.greeting_event,
                "answer_timeout_seconds": self.answer_timeout_seconds, "context": self.context.to_dict(),
                "handoff_keywords": list(self.handoff_keywords)}

    @classmethod
    def from_dict(cls, value: Mapping[str, Any], secret: str) -> BotSettings:
        return cls(secret, value.get("name", "Bot"), value.get("greeting_event"),
                   int(value.get("answer_timeout_seconds", 60)), BotContext.from_dict(value.get("context", {})),
                   tuple(value.get("handoff_keywords", ())))


@dataclass(frozen=True)
class BotSession:
    """A conversation's Direct Line conversation: its id, the watermark read up to, and
    since when a customer message waits for the bot's answer (None: none waits)."""

    conversation_id: str | None = None
    watermark: str | None = None
    waiting_since: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"conversation_id": self.conversation_id, "watermark": self.watermark,
                "waiting_since": self.waiting_since.isoformat() if self.waiting_since else None}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> BotSession:
        since = d.get("waiting_since")
        return cls(d.get("conversation_id"), d.get("watermark"), datetime.fromisoformat(since) if since else None)


@dataclass(frozen=True)
class Handoff:
    """Why and when the bot passed the conversation on, with what it said of it."""

    reason: str
    at: datetime
    summary: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    transcript: tuple[Mapping[str, str], ...] = ()  # {"from": "bot"|"customer", "text": ...}, oldest first

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "at": self.at.isoformat(), "summary": self.summary,
                "context": dict(self.context), "transcript": [dict(t) for t in self.transcript]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Handoff:
        return cls(d["reason"], datetime.fromisoformat(d["at"]), d.get("summary"), d.get("context", {}),
                   tuple(d.get("transcript", ())))


@dataclass(frozen=True)
class Activity:
    """A Direct Line activity as Switchboard reads it."""

    id: str
    type: str
    from_id: str
    text: str = ""
    name: str | None = None  # an event's name
    value: Any = None
    attachments: tuple[Mapping[str, Any], ...] = ()
    suggested: tuple[Mapping[str, Any], ...] = ()  # its suggestedActions' actions
