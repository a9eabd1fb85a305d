"""Twilio Programmable Messaging, SMS/MMS and WhatsApp: webhooks in, the Messages API out,
and customers' attachments fetched for agents.

Webhooks are form-encoded and signed with X-Twilio-Signature (HMAC over the public URL
and the sorted parameters, checked with the twilio package's RequestValidator). WhatsApp
addresses are ``whatsapp:+<E.164>`` on the wire; Switchboard keeps the bare E.164 number.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from typing import Iterator
from urllib.parse import parse_qs

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from channels.base import FetchedMedia, InboundMessage, OutboundMessage, SendResult, StatusUpdate, Validation
from conversations.errors import (
    BadRequest, NotFound, ProviderError, ProviderOutsideWindow, ProviderRecipientOptedOut, ProviderUnreachable,
)
from conversations.models import Account, Media
from conversations.phone import normalise_address, possible_customer
from conversations.policies import UNKNOWN_MEDIA_TYPE, media_type

# The SDK logs request headers and parameters (message bodies among them) at INFO.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)

PROVIDER = "twilio"
WHATSAPP = "whatsapp"
API_HOST = "https://api.twilio.com"  # where MediaUrl{N} points; it answers with a redirect to the file
OPTED_OUT_ERROR = 21610  # "Attempt to send to unsubscribed recipient"
OUTSIDE_WINDOW_ERROR = 63016  # a free-form WhatsApp message outside the 24-hour window
_REFUSALS: dict[int, type[ProviderError]] = {
    OPTED_OUT_ERROR: ProviderRecipientOptedOut, OUTSIDE_WINDOW_ERROR: ProviderOutsideWindow,
}
MAX_PROFILE_NAME = 256
MAX_MEDIA = 10  # Twilio delivers at most 10 attachments per message; NumMedia is not trusted beyond
MAX_MEDIA_URL = 2048
_CHUNK = 64 * 1024
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
    return RequestValidator(auth_token).validate(url, form, signature)


@dataclass(frozen=True)
class TwilioInbound:
    """The fields of Twilio's "A message comes in" webhook that Switchboard uses."""

    message_sid: str
    from_: str
    to: str
    body: str
    media: tuple[Media, ...]
    opt_out_type: str | None = None  # STOP, START or HELP when Twilio's opt-out handling read a keyword
    profile_name: str | None = None  # WhatsApp: the name on the customer's profile

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
        media = tuple(_media(form, i) for i in range(min(count, MAX_MEDIA)) if form.first(f"MediaUrl{i}"))
        return cls(sid, form.first("From"), form.first("To"), form.first("Body"), media,
                   form.first("OptOutType").strip().upper() or None,
                   form.first("ProfileName").strip()[:MAX_PROFILE_NAME] or None)

    @property
    def channel(self) -> str:
        """The channel the message came over: the address prefix (``whatsapp:+1...``), else sms."""
        prefix, colon, _ = self.to.partition(":")
        return prefix.strip().lower() if colon else "sms"

    def to_inbound(self, account_id: str) -> InboundMessage:
        return InboundMessage(
            provider=PROVIDER, account_id=account_id, provider_message_id=self.message_sid,
            business=normalise_address(self.to), customer=_customer(self.from_, "From"),
            body=self.body, media=self.media, keyword=_OPT_OUT_TYPES.get(self.opt_out_type or ""),
            customer_name=self.profile_name,
        )


def _media(form: Form, index: int) -> Media:
    """Attachment ``index`` of a webhook; an impossible URL is refused (400), an unreadable
    content type kept as application/octet-stream."""
    url = form.first(f"MediaUrl{index}")
    if len(url) > MAX_MEDIA_URL or not url.startswith(("https://", "http://")):
        raise BadRequest(f"MediaUrl{index} must be an http(s) URL of at most {MAX_MEDIA_URL} characters")
    return Media(url=url, content_type=media_type(form.first(f"MediaContentType{index}")) or UNKNOWN_MEDIA_TYPE)


def status_from_form(form: Form, account_id: str) -> StatusUpdate:
    """A status callback: the message we sent was From the business To the customer."""
    sid = form.first("MessageSid") or form.first("SmsSid")
    status = form.first("MessageStatus") or form.first("SmsStatus")
    if not sid or not status:
        raise BadRequest("MessageSid and MessageStatus are required")
    if not form.first("From") or not form.first("To"):
        raise BadRequest("From and To are required")
    return StatusUpdate(
        provider=PROVIDER, account_id=account_id, provider_message_id=sid, status=status,
        business=normalise_address(form.first("From")), customer=_customer(form.first("To"), "To"),
        error_code=form.first("ErrorCode") or None, error_message=form.first("ErrorMessage") or None,
    )


class TwilioSender:
    """Sends through the Messages API (one SDK client per account, reused across calls) and
    fetches inbound attachments with the account's credentials.

    ``base_url`` replaces ``https://api.twilio.com`` for both (tests, proxies)."""

    def __init__(self, base_url: str | None, timeout: float = 10.0) -> None:
        self._base_url = base_url
        self._timeout = timeout
        self._clients: dict[tuple[str, str], Client] = {}
        self._lock = threading.Lock()

    def _client(self, account: Account) -> Client:
        key = (account.credentials["account_sid"], account.credentials["auth_token"])
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = Client(key[0], key[1], http_client=TwilioHttpClient(timeout=self._timeout))
                if self._base_url:
                    client.api.base_url = self._base_url
                self._clients[key] = client
        return client

    def send(self, account: Account, message: OutboundMessage) -> SendResult:
        params: dict[str, object] = {"to": _address(account, message.customer),
                                     "from_": _address(account, message.business)}
        template = message.template
        if template is not None and template.content_sid:  # Content API: Twilio fills in the approved template
            params["content_sid"] = template.content_sid
            if template.parameters:
                params["content_variables"] = json.dumps({str(i): v for i, v in enumerate(template.parameters, 1)})
        else:
            if message.body:
                params["body"] = message.body
            if message.media:
                params["media_url"] = [m.url for m in message.media]
        if message.status_callback:
            params["status_callback"] = message.status_callback
        try:
            created = self._client(account).messages.create(**params)
        except TwilioRestException as exc:
            error = _REFUSALS.get(exc.code or 0, ProviderError)
            raise error(exc.msg or "Twilio refused the message", provider_code=_code(exc.code or exc.status),
                        http_status=exc.status) from exc
        except (TwilioException, OSError) as exc:
            raise ProviderUnreachable(f"Twilio could not be reached: {type(exc).__name__}") from exc
        return SendResult(provider_message_id=created.sid, status=created.status or "queued")

    def fetch_media(self, account: Account, media: Media) -> FetchedMedia:
        """GET the MediaUrl with HTTP Basic auth; Twilio redirects to its CDN, which requests
        follows without the Authorization header (another host)."""
        if not media.url.startswith(API_HOST + "/"):
            raise NotFound("this attachment is not stored at Twilio", code="media_unavailable")
        url = (self._base_url or API_HOST) + media.url[len(API_HOST):]
        credentials = (account.credentials["account_sid"], account.credentials["auth_token"])
        try:
            response = requests.get(url, auth=credentials, timeout=(5, self._timeout), stream=True)
        except requests.RequestException as exc:
            raise ProviderUnreachable(f"Twilio could not be reached: {type(exc).__name__}") from exc
        if response.status_code != 200:
            response.close()
            raise ProviderError(f"Twilio answered HTTP {response.status_code} for the attachment",
                                provider_code=str(response.status_code), http_status=response.status_code)
        content_type = (media_type(media.content_type) or media_type(response.headers.get("Content-Type"))
                        or UNKNOWN_MEDIA_TYPE)
        return FetchedMedia(content_type=content_type, chunks=_chunks(response))

    def validate(self, account: Account) -> Validation:
        """Fetch the account itself (GET /2010-04-01/Accounts/{sid}.json): free, and refused without valid keys."""
        sid = account.credentials["account_sid"]
        try:
            fetched = self._client(account).api.v2010.accounts(sid).fetch()
        except TwilioRestException as exc:
            if exc.status in (401, 403, 404):
                return Validation(False, f"Twilio refused the Account SID and Auth Token (HTTP {exc.status}, "
                                         f"code {exc.code}): {exc.msg}")
            raise ProviderError(f"Twilio failed to answer: {exc.msg}", provider_code=_code(exc.code or exc.status),
                                http_status=exc.status) from exc
        except (TwilioException, OSError) as exc:
            raise ProviderUnreachable(f"Twilio could not be reached: {type(exc).__name__}") from exc
        if fetched.status != "active":
            return Validation(False, f"Twilio accepted the credentials, but account {fetched.sid} is {fetched.status}")
        return Validation(True, f"Twilio accepted the credentials of account {fetched.sid} ({fetched.status})")


def _customer(raw: str, field: str) -> str:
    """The customer's number; 400 for one no phone can have (Twilio does not retry a 4xx)."""
    customer = normalise_address(raw)
    if not possible_customer(customer):
        raise BadRequest(f"{field} is not a phone number")
    return customer


def _address(account: Account, number: str) -> str:
    """A number as Twilio's Messages API takes it on the account's channel."""
    return f"{WHATSAPP}:{number}" if account.channel == WHATSAPP else number


def _chunks(response: requests.Response) -> Iterator[bytes]:
    try:
        yield from response.iter_content(_CHUNK)
    except requests.RequestException as exc:
        raise ProviderUnreachable(f"Twilio's media download broke off: {type(exc).__name__}") from exc
    finally:
        response.close()


def _code(value: object) -> str | None:
    return None if value is None else str(value)

