"""Provider-neutral messages that provider adapters produce and consume.

Adapters turn provider payloads into these frozen records at the edge; the domain
services only ever see them, never a provider SDK or an HTTP request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterator

from core.content import Content
from core.records import Media, TemplateRef

MAX_NAMED_ID = 1024  # a provider's message id longer than this is named by no read receipt (stored cut)


@dataclass(frozen=True)
class InboundMessage:
    """A customer's message as a provider delivered it."""

    provider: str
    account_id: str
    provider_message_id: str
    business: str  # E.164 with "+", or a channel registration id (ACS WhatsApp)
    customer: str  # E.164 with "+", or a provider's user id where the number is hidden (WhatsApp BSUID)
    body: str
    media: tuple[Media, ...] = ()
    keyword: str | None = None  # "stop", "start" or "help" when the provider read the message as one
    customer_name: str | None = None  # the name the customer shows, where the channel tells it (WhatsApp)
    received_at: datetime | None = None  # when the provider received it, where the payload says (ACS)
    media_unusable: int = 0  # attachments the provider named in a form no one could fetch (not kept)
    content: Content = Content()  # what it is beyond text and attachments (core/content.py)


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery report for a message we sent."""

    provider: str
    account_id: str
    provider_message_id: str
    status: str
    business: str
    customer: str
    error_code: str | None = None
    error_message: str | None = None
    message_id: str | None = None  # ours, where the provider hands it back (Twilio: the callback URL's m)


@dataclass(frozen=True)
class OutboundMessage:
    business: str
    customer: str
    body: str  # the text the customer sees (a template's filled-in text, a media caption)
    status_callback: str | None = None
    media: tuple[Media, ...] = field(default=())
    template: TemplateRef | None = None
    message_id: str = ""  # Switchboard's id, for providers that echo a tag back
    # This try's identity for a provider that dedupes repeated requests (ACS): the same id
    # and first-sent time for each try of one chain (core.records.Attempt).
    attempt_id: str = ""
    first_sent: datetime | None = None
    content: Content | None = None  # what it is beyond text: an agent's reaction (core/content.py)


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    status: str


@dataclass(frozen=True)
class Validation:
    """What the provider said of an account's credentials."""

    valid: bool
    detail: str


@dataclass(frozen=True)
class FetchedMedia:
    content_type: str
    chunks: Iterator[bytes]
