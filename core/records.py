"""The domain's records: accounts, workstreams, contacts, conversations and messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.bots import BOT, BotSession, BotSettings, Handoff
from core.content import REACTION, Content
from core.facts import Facts
from core.identity import Actor
from core.pricing import Cost
from core.settings import WorkstreamSettings
from core.skills import SkillNeed
from core.sla import ServiceLevel
from core.status import NOTED

OPEN, ACTIVE, WAITING, CLOSED = "open", "active", "waiting", "closed"
STATES = (OPEN, ACTIVE, WAITING, CLOSED)

INBOUND, OUTBOUND = "inbound", "outbound"
NOTE = "note"  # a message's direction: an internal note of an agent or supervisor, never sent

SMS, WHATSAPP = "sms", "whatsapp"
CHANNELS = (SMS, WHATSAPP)
CHANNEL_NAMES = {SMS: "SMS", WHATSAPP: "WhatsApp"}  # as people read them

CLOSED_BY_AGENT, CLOSED_FOR_INACTIVITY, CLOSED_BY_OVERFLOW = "agent", "inactivity", "overflow"

OPTED_IN, OPTED_OUT = "opted_in", "opted_out"
PREVIEW = 100  # characters of a customer message a list shows
SEEN_BY = 5  # agents whose unread counts a conversation keeps


def preview_of(body: str) -> str | None:
    """What a list shows of a customer message: its first non-empty line, shortened."""
    line = next((line.strip() for line in body.splitlines() if line.strip()), "")
    return (line[:PREVIEW - 1] + "…" if len(line) > PREVIEW else line) or None


@dataclass(frozen=True)
class Number:
    number: str  # E.164 with "+"
    type: str
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "type": self.type, "description": self.description}


@dataclass(frozen=True)
class ChannelRegistration:
    """A provider-side channel that stands for the business, e.g. an ACS WhatsApp channel."""

    name: str
    channel_id: str  # the provider's registration id (ACS: a UUID, lower case)
    number: str = ""  # the business phone behind it (E.164), when the admin gave it

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "channel_id": self.channel_id, "number": self.number}


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
    channels: tuple[ChannelRegistration, ...] = ()

    def owns(self, address: str) -> bool:
        """Whether ``address`` (a number, or a channel registration id in any case) is one of the account's."""
        channel_id = address.lower()
        return any(n.number == address for n in self.numbers) or any(c.channel_id == channel_id for c in self.channels)

    def addresses(self) -> tuple[str, ...]:
        return tuple(n.number for n in self.numbers) + tuple(c.channel_id for c in self.channels)


@dataclass(frozen=True)
class Template:
    """An approved message template: ``text`` holds {{1}}-style placeholders."""

    name: str
    language: str
    text: str
    content_sid: str | None = None  # Twilio Content API: the approved template's SID (HX...)

    def to_dict(self) -> dict[str, str]:
        found = {"name": self.name, "language": self.language, "text": self.text}
        return {**found, "content_sid": self.content_sid} if self.content_sid else found


@dataclass(frozen=True)
class Workstream:
    id: str
    name: str
    channel: str
    account_id: str
    number: str  # the business address served: a number, or a channel registration id
    auto_close_after_minutes: int
    created_at: datetime
    updated_at: datetime
    settings: WorkstreamSettings = field(default_factory=WorkstreamSettings)
    templates: tuple[Template, ...] = ()
    bot: BotSettings | None = None  # the bot that answers its new conversations first

    def templates_named(self, name: str) -> tuple[Template, ...]:
        return tuple(t for t in self.templates if t.name == name)


@dataclass(frozen=True)
class Contact:
    id: str
    mobile_phone: str  # E.164 with "+", unique
    name: str
    fields: dict[str, str]
    created_at: datetime
    updated_at: datetime
    other_phones: tuple[str, ...] = ()  # the same person's other numbers (WhatsApp, work), each unique too

    @property
    def phones(self) -> tuple[str, ...]:
        """Every number the contact is found by, its mobile phone first."""
        return (self.mobile_phone, *self.other_phones)


@dataclass(frozen=True)
class Media:
    """An attachment: a public ``url`` (sent by us, or a provider link), or a provider
    media id (``media_id``) that only the account's credentials can fetch."""

    url: str
    content_type: str
    media_id: str | None = None
    caption: str | None = None
    file_name: str | None = None

    def to_dict(self) -> dict[str, str]:
        optional = {"media_id": self.media_id, "caption": self.caption, "file_name": self.file_name}
        return {"url": self.url, "content_type": self.content_type, **{k: v for k, v in optional.items() if v}}


@dataclass(frozen=True)
class Consent:
    """Whether a customer accepts messages from one business number. It belongs to the
    thread, so it outlives conversations; ``source`` says what changed it last."""

    state: str = OPTED_IN
    changed_at: datetime | None = None
    source: str | None = None


@dataclass(frozen=True)
class TemplateRef:
    """An approved template to send instead of free text; ``parameters`` fill {{1}}, {{2}}, ..."""

    name: str
    language: str
    parameters: tuple[str, ...] = ()
    content_sid: str | None = None  # Twilio Content API template SID, when the workstream names one
    names: tuple[str, ...] = ()  # the parameters' names, when the template's are named, not 1, 2, ...
    category: str | None = None  # the synced catalogue's category when it was sent (what prices it)

    def to_dict(self) -> dict[str, Any]:
        found = {"name": self.name, "language": self.language, "parameters": list(self.parameters),
                 "content_sid": self.content_sid}
        found = {**found, "names": list(self.names)} if self.names else found
        return {**found, "category": self.category} if self.category else found

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> TemplateRef:
        return cls(value["name"], value["language"], tuple(value["parameters"]), value.get("content_sid"),
                   tuple(value.get("names", ())), value.get("category"))


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
    agent: Actor | None = None  # who sent it, for a person's (or application's) message
    error_code: str | None = None
    error_message: str | None = None
    keyword: str | None = None  # "stop", "start" or "help" when a customer message is one
    automated: str | None = None  # greeting, out_of_hours, closing, survey, survey_thanks, waiting or overflow
    fallback_for: str | None = None  # the automated message (or "bot") whose closed-window template it is
    media_dropped: int = 0  # customer attachments not kept because the workstream does not allow them
    attempts: int = 0  # sends tried so far, while the outbox retries it
    from_bot: bool = False  # the workstream's bot wrote it
    template: TemplateRef | None = None  # what the provider is asked to send instead of the body
    in_doubt: bool = False  # the last try's answer never came: it may have gone out
    content: Content | None = None  # a customer's message beyond text and attachments (core/content.py)
    reaction: str | None = None  # the customer's reaction to it (an emoji), latest kept
    cost: Cost | None = None  # what sending it is estimated to cost (core/pricing.py); None: unpriced

    @property
    def agent_reaction(self) -> bool:
        """An agent's reaction to a customer's message: sent as a reply is, yet no answer."""
        return self.direction == OUTBOUND and self.content is not None and self.content.kind == REACTION


@dataclass(frozen=True)
class Attempt:
    """One try to hand an outbound message to its provider, recorded before the provider
    is called, so that a try whose process died or whose answer was lost is known to be
    in doubt (conversations/messaging/attempts.py). ``chain`` and ``chain_at`` name the first try of
    the run of tries a provider that dedupes repeated requests treats as one (ACS). A
    ``void`` attempt is no try: the guard's mark that the request which stored the
    message died before trying, so that nobody tries it under that number."""

    number: int
    at: datetime
    chain: int
    chain_at: datetime
    void: bool = False


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
    agent: Actor | None  # who holds it
    created_at: datetime
    last_activity_at: datetime
    last_customer_message_at: datetime | None
    auto_close_after_minutes: int
    closed_at: datetime | None = None
    closed_reason: str | None = None
    queue: str | None = None
    skills: tuple[SkillNeed, ...] = ()  # what whoever is offered it needs (its routing rule's, core/skills.py)
    contact_id: str | None = None
    contact_name: str | None = None
    out_of_hours_period: str | None = None  # the closed period the customer was last told about
    consent: Consent = field(default=Consent())
    customer_name: str | None = None  # the customer's own display name (WhatsApp profile name), latest seen
    offer: Offer | None = None  # the agent it is offered to (push distribution), until accepted or declined
    declined: tuple[Decline, ...] = ()  # who declined it or let an offer lapse, latest last
    queued_at: datetime | None = None  # when it began to wait for an agent (its place in the queue)
    previous_agent: Actor | None = None  # who held the customer's previous conversation on this thread
    version: int = 0  # counts the conversation's commits: a change feed compares it
    stage: str | None = None  # BOT while the workstream's bot answers it (offered to nobody then)
    bot: BotSession | None = None  # its Direct Line conversation, from the bot stage on
    handoff: Handoff | None = None  # how it left the bot stage
    facts: Facts = field(default=Facts())  # what happened to it, for reports (core/facts.py)
    service_level: ServiceLevel | None = None  # its clocks against its workstream's targets (core/sla.py)
    overflowed: tuple[str, ...] = ()  # the overflow rules that acted on it, each once (core/overflow.py)
    preview: str | None = None  # the first line of the customer's latest message (PREVIEW characters at most)
    latest_customer_message: str | None = None  # the provider's id of the customer's latest message (read receipts)
    disposition: str | None = None  # what the agent who closed it recorded (its workstream's wrap_up)
    labels: tuple[str, ...] = ()  # what agents labelled it with (core/labels.py)
    seen: tuple[tuple[str, int], ...] = ()  # per agent who opened it, latest first: customer messages seen then
    messages: tuple[Message, ...] = field(default=())
    events: tuple[Event, ...] = field(default=())

    @property
    def waiting_for_agent(self) -> bool:
        """Live, held by nobody: in its queue, or offered to someone."""
        return self.state != CLOSED and self.agent is None

    @property
    def queued(self) -> bool:
        """Waiting in its queue for distribution: live, held by nobody, offered to nobody, and
        given its place there (``queued_at``: one a proactive message opened is given it
        when its customer first writes)."""
        return self.waiting_for_agent and self.offer is None and self.stage != BOT and self.queued_at is not None

    @property
    def unread(self) -> int:
        """The customer messages its holder has not seen (opened it since); 0 when nobody holds it."""
        if self.agent is None:
            return 0
        return max(0, self.facts.customer_messages - dict(self.seen).get(self.agent.id, 0))

    def declined_by(self, agent_id: str, since: datetime) -> bool:
        return any(d.agent_id == agent_id and d.at >= since for d in self.declined)


@dataclass(frozen=True)
class Offer:
    """A conversation offered to one agent (push distribution) until ``expires_at``."""

    agent: Actor
    expires_at: datetime


@dataclass(frozen=True)
class Decline:
    agent_id: str
    at: datetime


# What an event in a conversation's history records (closing is CLOSED, as the state).
ACCEPTED, PARKED = "accepted", "parked"
OFFERED, DECLINED, OFFER_EXPIRED = "offered", "declined", "offer_expired"
ASSIGNED, TRANSFERRED, UNASSIGNED = "assigned", "transferred", "unassigned"
HANDED_OFF = "handed_off"  # the bot stage ended (detail: why, core.bots)
SLA_WARNING, SLA_BREACHED = "sla_warning", "sla_breached"  # a service-level clock (detail: its target, core.sla)
OVERFLOWED = "overflowed"  # an overflow rule acted on it (detail: the rule's name, core.overflow)


@dataclass(frozen=True)
class Event:
    """One step of a conversation's history: who (None: Switchboard itself) did what, when,
    in the thread's sequence with its messages."""

    conversation_id: str
    seq: int
    at: datetime
    action: str
    actor: Actor | None
    detail: str | None = None
    subject: Actor | None = None  # whom it was offered, assigned or transferred to


MAX_NOTE = 4000  # characters of an internal note (a note of its own, or a closing's)


def internal_note(note_id: str, conversation_id: str, body: str, seq: int, at: datetime, author: Actor) -> Message:
    """An internal note (direction NOTE) of ``author``: kept in the thread, never sent."""
    return Message(note_id, conversation_id, NOTE, body, (), NOTED, None, at, seq=seq, agent=author)
