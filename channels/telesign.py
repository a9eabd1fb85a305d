"""TeleSign SMS: JSON callbacks in, the Messaging API (``telesign`` package) out.

TeleSign posts inbound messages (MO, with ``user_response``) and delivery reports (with
``status``) to the one callback URL its support team configured for the customer ID, so
both arrive at the same endpoint and are told apart by content. Every callback carries
``Authorization: TSA <customer_id>:<base64(HMAC-SHA256(base64decode(api_key), raw body))>``.

A delivery report names the message only by ``reference_id``; to find the thread it
belongs to, each send carries ``external_id`` = "<business>|<customer>", which TeleSign
echoes in the report.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading
from dataclasses import dataclass
from typing import Any

import requests
from telesign.messaging import MessagingClient

from channels.base import InboundMessage, OutboundMessage, SendResult, StatusUpdate, Validation
from conversations.errors import BadRequest, ProviderError, ProviderUnreachable
from conversations.models import Account
from conversations.phone import normalise_address, possible_customer
from conversations.validation import parse_json

PROVIDER = "telesign"
DEFAULT_API_BASE_URL = "https://rest-api.telesign.com"
MESSAGE_TYPE = "ARN"  # alerts, reminders, notifications: conversational traffic
_ACTIONS = {"stop": "stop", "start": "start", "help": "help"}  # TeleSign's keyword actions; "generic" is none
# A reference id nobody has: the status lookup for it is free and still needs valid credentials.
_PROBE_REFERENCE_ID = "0" * 32
# Error codes TeleSign answers when the customer ID, API key or signature is wrong.
_AUTH_ERRORS = frozenset({
    -30000, -30001, -30002, -30004, -30005, -30006, 10008, 10009, 10010, 10015, 10022, 10028,
})


def signature_is_valid(raw_body: bytes, authorization: str | None, customer_id: str, api_key: str) -> bool:
    """Whether ``authorization`` is TeleSign's signature of ``raw_body`` for this customer."""
    if not authorization:
        return False
    scheme, _, credentials = authorization.strip().partition(" ")
    signer, _, signature = credentials.strip().partition(":")
    if scheme != "TSA" or not signature or signer.lower() != customer_id.lower():
        return False
    try:
        key = base64.b64decode(api_key, validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = base64.b64encode(hmac.new(key, raw_body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected.encode(), signature.encode())


def thread_reference(business: str, customer: str) -> str:
    """The ``external_id`` a send carries so its delivery reports find their thread."""
    return f"{business}|{customer}"


@dataclass(frozen=True)
class TeleSignInbound:
    """An inbound SMS callback (``sub_resource`` "mo_sms"): the ``user_response`` fields we use."""

    reference_id: str
    phone_number: str  # the customer
    sender_id: str  # the business number the customer wrote to
    mo_message: str
    action: str | None
    keyword: str | None

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> "TeleSignInbound":
        response = payload.get("user_response")
        if not isinstance(response, dict):
            raise BadRequest("user_response must be an object")
        reference_id, phone, sender = payload.get("reference_id"), response.get("phone_number"), response.get("sender_id")
        if not all(isinstance(v, str) and v.strip() for v in (reference_id, phone, sender)):
            raise BadRequest("reference_id, user_response.phone_number and user_response.sender_id are required")
        body = response.get("mo_message")
        return cls(reference_id, phone, sender, body if isinstance(body, str) else "",
                   _text(response.get("action")), _text(response.get("keyword")))

    def to_inbound(self, account_id: str) -> InboundMessage:
        return InboundMessage(
            provider=PROVIDER, account_id=account_id, provider_message_id=self.reference_id,
            business=normalise_address(self.sender_id), customer=_customer(self.phone_number),
            body=self.mo_message, keyword=_ACTIONS.get((self.action or "").lower()),
        )


@dataclass(frozen=True)
class TeleSignDeliveryReport:
    """A delivery report for a message we sent (``reference_id`` is the send's)."""

    reference_id: str
    code: int
    description: str
    external_id: str | None

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> "TeleSignDeliveryReport":
        status = payload.get("status")
        reference_id = payload.get("reference_id")
        if not isinstance(status, dict) or not isinstance(reference_id, str) or not reference_id:
            raise BadRequest("reference_id and status are required")
        code = status.get("code")
        if isinstance(code, bool) or not isinstance(code, int):
            raise BadRequest("status.code must be a number")
        return cls(reference_id, code, _text(status.get("description")) or "", _text(payload.get("external_id")))

    def to_status(self, account_id: str) -> StatusUpdate | None:
        """The update to apply, or None for a report we cannot place or a status that says nothing."""
        business, sep, customer = (self.external_id or "").partition("|")
        status = status_of(self.code)
        if not sep or not business or not possible_customer(customer) or status is None:
            return None
        failed = status in ("failed", "undelivered")
        return StatusUpdate(
            provider=PROVIDER, account_id=account_id, provider_message_id=self.reference_id, status=status,
            business=business, customer=customer, error_code=str(self.code) if failed else None,
            error_message=(self.description or None) if failed else None,
        )


def parse_callback(raw_body: bytes) -> TeleSignInbound | TeleSignDeliveryReport | None:
    """An MO message, a delivery report, or None for another kind of notification."""
    payload = parse_json(raw_body, "the callback body", lone_surrogates="replace")
    if not isinstance(payload, dict):
        raise BadRequest("the callback body must be a JSON object")
    if "user_response" in payload:
        return TeleSignInbound.from_json(payload)
    if "status" in payload:
        return TeleSignDeliveryReport.from_json(payload)
    return None


def status_of(code: int) -> str | None:
    """TeleSign's SMS status code as ours; None for codes that say nothing new (delayed, unavailable)."""
    if code in (200, 201):
        return "delivered"
    if code in (203, 250, 251, 292):  # at the gateway or beyond; the handset never confirmed
        return "sent"
    if code == 290:
        return "queued"
    if code in (295, 599):
        return None
    if 204 <= code < 290:  # the handset or network refused it
        return "undelivered"
    if 500 <= code < 600 or code >= 10000:  # TeleSign or the carrier did not send it
        return "failed"
    return None


class TeleSignSender:
    """Sends through the Messaging API; one SDK client per credentials, reused across calls."""

    def __init__(self, base_url: str | None, timeout: float = 10.0) -> None:
        self._base_url = base_url or DEFAULT_API_BASE_URL
        self._timeout = timeout
        self._clients: dict[tuple[str, str], MessagingClient] = {}
        self._lock = threading.Lock()

    def _client(self, account: Account) -> MessagingClient:
        key = (account.credentials["customer_id"], account.credentials["api_key"])
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = MessagingClient(key[0], key[1], rest_endpoint=self._base_url, timeout=self._timeout)
                self._clients[key] = client
        return client

    def send(self, account: Account, message: OutboundMessage) -> SendResult:
        try:
            response = self._client(account).message(
                message.customer.lstrip("+"), message.body, MESSAGE_TYPE,
                sender_id=message.business.lstrip("+"),
                external_id=thread_reference(message.business, message.customer),
            )
        except requests.RequestException as exc:
            raise ProviderUnreachable(f"TeleSign could not be reached: {type(exc).__name__}") from exc
        body = response.json if isinstance(response.json, dict) else {}
        if not response.ok or not body.get("reference_id"):
            code, description = _first_error(body)
            raise ProviderError(description or f"TeleSign refused the message (HTTP {response.status_code})",
                                provider_code=code or str(response.status_code), http_status=response.status_code)
        status = body.get("status") if isinstance(body.get("status"), dict) else {}
        code = status.get("code")
        return SendResult(provider_message_id=body["reference_id"],
                          status=(status_of(code) if isinstance(code, int) else None) or "queued")

    def validate(self, account: Account) -> Validation:
        """A signed status lookup of a reference id nobody has: refused only for bad credentials."""
        try:
            response = self._client(account).status(_PROBE_REFERENCE_ID)
        except requests.RequestException as exc:
            raise ProviderUnreachable(f"TeleSign could not be reached: {type(exc).__name__}") from exc
        body = response.json if isinstance(response.json, dict) else {}
        code, description = _first_error(body)
        if response.status_code in (401, 403) or (code is not None and int(code) in _AUTH_ERRORS):
            return Validation(False, f"TeleSign refused the customer ID and API key (HTTP {response.status_code}, "
                                     f"code {code}): {description or 'no description'}")
        if response.status_code >= 500:
            raise ProviderError(f"TeleSign failed to answer (HTTP {response.status_code})",
                                provider_code=code or str(response.status_code), http_status=response.status_code)
        return Validation(True, "TeleSign accepted a request signed with the customer ID and API key")


def _customer(raw: str) -> str:
    customer = normalise_address(raw)
    if not possible_customer(customer):
        raise BadRequest("user_response.phone_number is not a phone number")
    return customer


def _first_error(body: dict[str, Any]) -> tuple[str | None, str | None]:
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        code = errors[0].get("code")
        return (str(code) if isinstance(code, int) else None), _text(errors[0].get("description"))
    return None, None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
