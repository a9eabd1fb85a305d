"""Azure Communication Services events (through Event Grid) as Switchboard's records.

WhatsApp (Advanced Messaging): ``AdvancedMessageReceived`` has ``from`` = the customer's
number without "+" (or, since 2026, empty with ``fromBSUID``) and ``to`` = the channel
registration id; ``AdvancedMessageDeliveryStatusUpdated`` has them the other way round.
The business address of an ACS WhatsApp conversation is the channel registration id.
SMS: ``SMSReceived`` / ``SMSDeliveryReportReceived`` carry numbers with or without "+".
"""

from __future__ import annotations

import base64
import binascii
import functools
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Protocol
from urllib.parse import urlsplit

from channels.eventgrid import Data, Event, Malformed, parse_events, validation_code
from core.addresses import normalise_address, possible_customer
from core.content import (CHOICE, MAX_ID, MEDIA, REACTION, STICKER, TEXT, UNSUPPORTED, Choice, Content,
                          bounded, readable)
from core.ids import is_message_id
from core.media import UNKNOWN_MEDIA_TYPE, media_type
from core.messages import InboundMessage, StatusUpdate
from core.records import Account, Media
from core.webhooks import Parsed, Part, Skipped, WebhookRequest

PROVIDER = "acs"

MESSAGE_RECEIVED = "Microsoft.Communication.AdvancedMessageReceived"
MESSAGE_STATUS = "Microsoft.Communication.AdvancedMessageDeliveryStatusUpdated"
SMS_RECEIVED = "Microsoft.Communication.SMSReceived"
SMS_REPORT = "Microsoft.Communication.SMSDeliveryReportReceived"
EVENTS_BY_CHANNEL = {"whatsapp": (MESSAGE_RECEIVED, MESSAGE_STATUS), "sms": (SMS_RECEIVED, SMS_REPORT)}

MAX_CAPTION, MAX_FILE_NAME, MAX_MEDIA_ID = 1024, 255, 255  # WhatsApp's own limits are lower
EARLIEST_RECEIVED = 2000  # a receivedTimestamp before this year is read as none
MAX_EMOJI, MAX_TYPE = 32, 64


class SkippedEvent(Skipped):
    """An event this account cannot take (no possible sender, a channel it does not hold):
    logged and acknowledged, since a retry would not change the answer."""


def whatsapp_user(data: Data, side: str) -> str:
    """The customer as ACS names them: the number (E.164) when given, else the BSUID."""
    number = data.text(side)
    return normalise_address(number) if number else data.text(f"{side}BSUID")


def business_channel(account: Account, address: str) -> str:
    """The account's channel registration id for the ``to``/``from`` of a WhatsApp event.

    Documented payloads name the channel registration id; a payload that names the
    business phone instead is matched to the channel registered with that number, or to
    the account's only channel.
    """
    wanted = address.strip().lower()
    for channel in account.channels:
        if channel.channel_id == wanted:
            return channel.channel_id
    number = normalise_address(address) if address else ""
    for channel in account.channels:
        if channel.number and channel.number == number:
            return channel.channel_id
    if len(account.channels) == 1 and not _looks_like_uuid(wanted):
        return account.channels[0].channel_id
    raise SkippedEvent("the event names a channel this account does not hold")


def acs_endpoint(connection_string: str) -> tuple[str, str] | None:
    """(endpoint, access key) of an ACS connection string, or None when it is not one: the
    endpoint an http(s) URL with a host, the key base64 (the HMAC signature decodes it)."""
    parts = {}
    for element in connection_string.split(";"):
        key, _, value = element.strip().partition("=")
        parts[key.lower()] = value
    endpoint, key = parts.get("endpoint", "").rstrip("/"), parts.get("accesskey", "")
    try:
        split = urlsplit(endpoint)
        split.port  # noqa: B018 - raises ValueError for a port that is not a number
        decoded = base64.b64decode(key, validate=True)
    except (ValueError, binascii.Error):
        return None
    if split.scheme not in ("http", "https") or not split.hostname or not decoded:
        return None
    return endpoint, key


def received_timestamp(data: Data) -> datetime | None:
    """The event's ``receivedTimestamp`` (ISO 8601) in UTC, or None when absent or unreadable."""
    try:
        found = datetime.fromisoformat(data.text("receivedTimestamp"))
        found = found.astimezone(timezone.utc) if found.tzinfo else found.replace(tzinfo=timezone.utc)
    except (ValueError, OverflowError):  # unreadable, or out of range once in UTC (year 1 or 9999)
        return None
    return found if found.year >= EARLIEST_RECEIVED else None  # no time ACS received anything (nor storage keeps)


def _looks_like_uuid(value: str) -> bool:
    return len(value) == 36 and value.count("-") == 4


@dataclass(frozen=True)
class AdvancedMessageReceived:
    """A customer's WhatsApp message, as what it is (core/content.py): text, media, a
    sticker, a reaction, a button or list answer, a reply in context (``context.id``);
    any other type (ACS publishes no shape for locations or contacts) kept as unsupported."""

    message_id: str
    from_: str
    to: str
    body: str
    media: tuple[Media, ...]
    received_at: datetime | None = None
    content: Content = Content()

    @classmethod
    def from_event(cls, event: Event) -> "AdvancedMessageReceived":
        data = event.data
        kind = data.text("messageType").lower()
        media: tuple[Media, ...] = ()
        body = data.text("content")
        section = data.section("media")
        if section.text("id"):
            media = (Media(url="", content_type=media_type(section.text("mimeType")) or UNKNOWN_MEDIA_TYPE,
                           media_id=section.text("id")[:MAX_MEDIA_ID], caption=section.text("caption")[:MAX_CAPTION] or None,
                           file_name=section.text("fileName")[:MAX_FILE_NAME] or None),)
            body = body or section.text("caption")
        content = _content(kind, data, bool(media), body)
        # ACS names every received message; older payloads lack messageId, the event id is as unique.
        return cls(data.text("messageId") or event.id, whatsapp_user(data, "from"), data.text("to"),
                   readable(content, body), media, received_timestamp(data), content)

    def to_inbound(self, account: Account) -> InboundMessage:
        if not possible_customer(self.from_, user_ids=True):
            raise SkippedEvent("the message names no possible sender (in from or fromBSUID)")
        return InboundMessage(
            provider=PROVIDER, account_id=account.id, provider_message_id=self.message_id,
            business=business_channel(account, self.to), customer=self.from_, body=self.body, media=self.media,
            received_at=self.received_at, content=self.content,
        )


def _content(kind: str, data: Data, has_media: bool, body: str) -> Content:
    answers = data.section("context").text("id")[:MAX_ID] or None
    if kind == "reaction":
        reaction = data.section("reaction")
        return Content(REACTION, reacts_to=reaction.text("messageId")[:MAX_ID] or None,
                       emoji=reaction.text("emoji")[:MAX_EMOJI])
    choice = _choice(kind, data)
    if choice is not None:
        return Content(CHOICE, choice=choice, answers=answers)
    if has_media:
        return Content(STICKER if kind == "sticker" else MEDIA, answers=answers)
    if body or kind == "text":
        return Content(TEXT, answers=answers)
    return Content(UNSUPPORTED, answers=answers, type_name=kind[:MAX_TYPE] or "unknown")


def _choice(kind: str, data: Data) -> Choice | None:
    """A template's quick-reply button (``button``: its text and payload) or an interactive
    message's reply button or list row (``interactive``: its id and title)."""
    if kind == "button":
        button = data.section("button")
        text, payload = bounded(button.text("text")), button.text("payload")[:MAX_ID]
        return Choice(payload or text, text or payload) if text or payload else None
    if kind == "interactive":
        interactive = data.section("interactive")
        reply = interactive.section("buttonReply") or interactive.section("listReply")
        title, option = bounded(reply.text("title")), reply.text("id")[:MAX_ID]
        return Choice(option or title, title or option, bounded(reply.text("description")) or None) \
            if title or option else None
    return None


def whatsapp_status(event: Event, account: Account) -> StatusUpdate:
    data = event.data
    error = data.section("error")
    if not data.text("messageId") or not data.text("status"):
        raise SkippedEvent("the status update names no messageId or status")
    if not possible_customer(whatsapp_user(data, "to"), user_ids=True):
        raise SkippedEvent("the status update names no possible recipient")
    return StatusUpdate(
        provider=PROVIDER, account_id=account.id, provider_message_id=data.text("messageId"),
        status=data.text("status").lower(), business=business_channel(account, data.text("from")),
        customer=whatsapp_user(data, "to"),
        error_code=error.text("channelCode") or None, error_message=error.text("channelMessage") or None,
    )


@dataclass(frozen=True)
class SmsReceived:
    message_id: str
    from_: str
    to: str
    message: str
    received_at: datetime | None = None

    @classmethod
    def from_event(cls, event: Event) -> "SmsReceived":
        data = event.data
        return cls(data.text("messageId") or event.id, normalise_address(data.text("from")),
                   normalise_address(data.text("to")), data.text("message"), received_timestamp(data))

    def to_inbound(self, account: Account) -> InboundMessage:
        if not possible_customer(self.from_):
            raise SkippedEvent("the SMS names no possible sender")
        return InboundMessage(provider=PROVIDER, account_id=account.id, provider_message_id=self.message_id,
                              business=self.to, customer=self.from_, body=self.message, received_at=self.received_at)


def sms_report(event: Event, account: Account) -> StatusUpdate:
    """A delivery report for an SMS we sent: ``from`` is the business, ``to`` the customer."""
    data = event.data
    business = normalise_address(data.text("from"))
    status = data.text("deliveryStatus").lower()
    if not data.text("messageId") or not status:
        raise SkippedEvent("the delivery report names no messageId or deliveryStatus")
    if not possible_customer(normalise_address(data.text("to"))):
        raise SkippedEvent("the delivery report names no possible recipient")
    failed = status != "delivered"
    return StatusUpdate(
        provider=PROVIDER, account_id=account.id, provider_message_id=data.text("messageId"), status=status,
        business=business, customer=normalise_address(data.text("to")),
        error_code=status if failed else None,
        error_message=(data.text("deliveryStatusDetails") or None) if failed else None,
        message_id=data.text("tag") if is_message_id(data.text("tag")) else None,  # each send tags it with ours
    )


class AcsWebhook:
    """The events of an ACS resource's Event Grid subscription (core.webhooks.Webhook): a
    batch, each event on its own; the subscription's validation handshake answered. When
    the account names an Entra application, each delivery carries Event Grid's token,
    checked by ``verifier`` (built on first use: it loads PyJWT)."""

    provider = PROVIDER
    isolated = True

    def __init__(self, verifier: Callable[[], TokenVerifier]) -> None:
        self._verifier = verifier

    def verify(self, request: WebhookRequest, account: Account) -> None:
        tenant, audience = account.credentials.get("eventgrid_tenant_id"), account.credentials.get("eventgrid_app_id")
        if tenant and audience:
            self._verifier().verify(request.headers.get("Authorization"), tenant, audience)

    def parse(self, request: WebhookRequest, account: Account) -> Parsed:
        events = parse_events(request.body)
        code = validation_code(events)
        if code is not None:
            return Parsed(answer={"validationResponse": code})
        return Parsed([Part(event.id, functools.partial(_item, account, event)) if isinstance(event, Event)
                       else Part("", functools.partial(_malformed, event)) for event in events])


class TokenVerifier(Protocol):
    def verify(self, authorization: str | None, tenant_id: str, audience: str) -> object: ...


def _malformed(item: Malformed) -> InboundMessage | StatusUpdate:
    raise Skipped(f"an item that is no event ({item.reason})")


def _item(account: Account, event: Event) -> InboundMessage | StatusUpdate:
    """What one event carries for this account; Skipped for an event of another type or
    that names another business address."""
    if not any(event.is_type(kind) for kind in EVENTS_BY_CHANNEL[account.channel]):
        raise Skipped(f"an event of type {event.type}")
    if event.is_type(MESSAGE_RECEIVED) or event.is_type(SMS_RECEIVED):
        parsed = AdvancedMessageReceived if event.is_type(MESSAGE_RECEIVED) else SmsReceived
        item: InboundMessage | StatusUpdate = parsed.from_event(event).to_inbound(account)
    else:
        item = (whatsapp_status if event.is_type(MESSAGE_STATUS) else sms_report)(event, account)
    if not account.owns(item.business):
        raise Skipped("its business address is not one of this account's")  # logged: no number in it
    return item
