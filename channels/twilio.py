"""Twilio Programmable Messaging webhooks, SMS/MMS and WhatsApp (the API side is
channels/twilio_api.py, which loads the SDK).

Webhooks are form-encoded and signed with X-Twilio-Signature (HMAC over the public URL
and the sorted parameters, checked with the twilio package's RequestValidator). WhatsApp
addresses are ``whatsapp:+<E.164>`` on the wire; Switchboard keeps the bare E.164 number.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import parse_qs

from core.addresses import normalise_address, possible_customer
from core.content import (CHOICE, CONTACTS, LOCATION, MAX_ID, MEDIA, STICKER, TEXT, UNSUPPORTED, VCARD_TYPES, Choice,
                          Content, Location, bounded, readable)
from core.errors import BadRequest, Forbidden, NotFound
from core.ids import is_message_id
from core.media import UNKNOWN_MEDIA_TYPE, media_type
from core.messages import InboundMessage, StatusUpdate
from core.records import Account, Media
from core.webhooks import Parsed, Part, WebhookRequest

PROVIDER = "twilio"
WHATSAPP = "whatsapp"
API_HOST = "https://api.twilio.com"  # where MediaUrl{N} points; it answers with a redirect to the file
MAX_PROFILE_NAME = 256
MAX_MEDIA = 10  # Twilio delivers at most 10 attachments per message; NumMedia is not trusted beyond
MAX_MEDIA_URL = 2048
MAX_TYPE = 64
# Twilio's Advanced Opt-Out reading of a message (the OptOutType parameter) as our keywords.
_OPT_OUT_TYPES = {"STOP": "stop", "START": "start", "HELP": "help"}


class Form(dict):
    """Form fields as lists of values, as RequestValidator expects for repeated names."""

    @classmethod
    def parse(cls, body: bytes) -> "Form":
        try:
            return cls(parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
        except UnicodeDecodeError as exc:
            raise BadRequest("the form body is not UTF-8") from exc

    def getall(self, name: str) -> list[str]:
        return self[name]

    def first(self, name: str) -> str:
        values = self.get(name) or [""]
        return values[0]


def signature_is_valid(url: str, form: Form, signature: str | None, auth_token: str) -> bool:
    if not signature:
        return False
    from twilio.request_validator import (
        RequestValidator,  # the SDK loads on first use (cold starts)
    )

    return RequestValidator(auth_token).validate(url, form, signature)


@dataclass(frozen=True)
class TwilioInbound:
    """The fields of Twilio's "A message comes in" webhook that Switchboard uses."""

    message_sid: str
    from_: str
    to: str
    body: str
    media: tuple[Media, ...]
    media_unusable: int = 0  # MediaUrlN that is no http(s) URL or too long to keep: counted, not stored
    opt_out_type: str | None = None  # STOP, START or HELP when Twilio's opt-out handling read a keyword
    profile_name: str | None = None  # WhatsApp: the name on the customer's profile
    content: Content = Content()

    @classmethod
    def from_form(cls, form: Form) -> "TwilioInbound":
        sid = form.first("MessageSid") or form.first("SmsMessageSid")
        if not sid:
            raise BadRequest("MessageSid is missing")
        if not form.first("From") or not form.first("To"):
            raise BadRequest("From and To are required")
        try:
            count = int(form.first("NumMedia") or 0)
        except ValueError as exc:
            raise BadRequest("NumMedia must be a number") from exc
        named = [_media(form, i) for i in range(min(count, MAX_MEDIA)) if form.first(f"MediaUrl{i}")]
        media = tuple(m for m in named if m is not None)
        content = _content(form, bool(named))
        return cls(sid, form.first("From"), form.first("To"), readable(content, form.first("Body")), media,
                   len(named) - len(media), form.first("OptOutType").strip().upper() or None,
                   form.first("ProfileName").strip()[:MAX_PROFILE_NAME] or None, content)

    @property
    def channel(self) -> str:
        """The channel the message came over: the address prefix (``whatsapp:+1...``), else sms."""
        prefix, colon, _ = self.to.partition(":")
        return prefix.strip().lower() if colon else "sms"

    def to_inbound(self, account: Account) -> InboundMessage:
        if self.channel != account.channel:  # e.g. the WhatsApp sandbox pointed at an SMS account's URL
            raise NotFound(f"this account takes {account.channel} messages; this one came over {self.channel}")
        return InboundMessage(
            provider=PROVIDER, account_id=account.id, provider_message_id=self.message_sid,
            business=normalise_address(self.to), customer=_customer(self.from_, "From"),
            body=self.body, media=self.media, media_unusable=self.media_unusable, keyword=_OPT_OUT_TYPES.get(self.opt_out_type or ""),
            customer_name=self.profile_name, content=self.content,
        )


def _content(form: Form, has_media: bool) -> Content:
    """What a WhatsApp message is, from the parameters Twilio adds for it: a location
    (``Latitude``, ``Longitude``, ``Label``, ``Address``), a quick-reply button
    (``ButtonPayload``, ``ButtonText``) or list row (``ListId``, ``ListTitle``) chosen, the
    message it replies to (``OriginalRepliedMessageSid``), a sticker (``MessageType``), a
    contact card (a vCard attachment, its cards read when the conversation is first read);
    anything else without text or media kept as unsupported, its ``MessageType`` named."""
    kind = form.first("MessageType").strip().lower()
    answers = form.first("OriginalRepliedMessageSid").strip()[:MAX_ID] or None
    if form.first("Latitude") or form.first("Longitude"):
        location = Location.read(form.first("Latitude"), form.first("Longitude"), form.first("Label"),
                                 form.first("Address"))
        if location is not None:
            return Content(LOCATION, location=location, answers=answers)
        return Content(UNSUPPORTED, answers=answers, type_name="location")
    option = (form.first("ButtonPayload") or form.first("ListId")).strip()[:MAX_ID]
    title = bounded(form.first("ButtonText") or form.first("ListTitle"))
    if option or title:
        return Content(CHOICE, choice=Choice(option or title, title or option), answers=answers)
    if has_media:
        vcard = any(form.first(f"MediaContentType{i}").lower() in VCARD_TYPES for i in range(MAX_MEDIA))
        return Content(CONTACTS if vcard else STICKER if kind == "sticker" else MEDIA, answers=answers)
    if form.first("Body") or kind in ("", "text"):
        return Content(TEXT, answers=answers)
    return Content(UNSUPPORTED, answers=answers, type_name=kind[:MAX_TYPE])


def _media(form: Form, index: int) -> Media | None:
    """Attachment ``index`` of a webhook; None for a URL no one could fetch or store (the
    message is kept, noting the attachment it lost), an unreadable content type kept as
    application/octet-stream."""
    url = form.first(f"MediaUrl{index}")
    if len(url) > MAX_MEDIA_URL or not url.startswith(("https://", "http://")):
        return None
    return Media(url=url, content_type=media_type(form.first(f"MediaContentType{index}")) or UNKNOWN_MEDIA_TYPE)


def status_from_form(form: Form, account: Account) -> StatusUpdate:
    """A status callback: the message we sent was From the business To the customer."""
    sid = form.first("MessageSid") or form.first("SmsSid")
    status = form.first("MessageStatus") or form.first("SmsStatus")
    if not sid or not status:
        raise BadRequest("MessageSid and MessageStatus are required")
    if not form.first("From") or not form.first("To"):
        raise BadRequest("From and To are required")
    return StatusUpdate(
        provider=PROVIDER, account_id=account.id, provider_message_id=sid, status=status,
        business=normalise_address(form.first("From")), customer=_customer(form.first("To"), "To"),
        error_code=form.first("ErrorCode") or None, error_message=form.first("ErrorMessage") or None,
    )


def _customer(raw: str, field: str) -> str:
    """The customer's number; 400 for one no phone can have (Twilio does not retry a 4xx)."""
    customer = normalise_address(raw)
    if not possible_customer(customer):
        raise BadRequest(f"{field} is not a phone number")
    return customer


class TwilioWebhook:
    """Twilio's webhooks (core.webhooks.Webhook): "A message comes in", and, with
    ``status``, the status callback, whose URL names our message (``m``), so a report finds
    a message whose Twilio id was never recorded (conversations/messaging/delivery.py)."""

    provider = PROVIDER
    isolated = False

    def __init__(self, status: bool = False) -> None:
        self._status = status

    def verify(self, request: WebhookRequest, account: Account) -> None:
        if not signature_is_valid(request.url, Form.parse(request.body), request.headers.get("X-Twilio-Signature"),
                                  account.credentials["auth_token"]):
            raise Forbidden("the X-Twilio-Signature does not match this request", code="invalid_signature")

    def parse(self, request: WebhookRequest, account: Account) -> Parsed:
        form = Form.parse(request.body)
        if not self._status:
            inbound = TwilioInbound.from_form(form).to_inbound(account)
            return Parsed([Part(inbound.provider_message_id, lambda: inbound)])
        ours = request.params.get("m") or ""
        update = status_from_form(form, account)
        update = replace(update, message_id=ours) if is_message_id(ours) else update
        return Parsed([Part(update.provider_message_id, lambda: update)])
