"""TeleSign SMS callbacks (the API side is channels/telesign_api.py, which loads the SDK).

TeleSign posts inbound messages (MO, with ``user_response``) and delivery reports (with
``status``) to the one callback URL its support team configured for the customer ID, so
both arrive at the same endpoint and are told apart by content. Every callback carries
``Authorization: TSA <customer_id>:<base64(HMAC-SHA256(base64decode(api_key), raw body))>``.

A delivery report names the message only by ``reference_id``; to find the thread and the
message it belongs to, each send carries ``external_id`` = "<business>|<customer>|<our
message id>", which TeleSign echoes in the report (reports of sends made before the
message id was added carry "<business>|<customer>").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, Callable

from core.addresses import normalise_address, possible_customer
from core.errors import BadRequest, Unauthorized
from core.ids import is_message_id
from core.json_body import parse_json
from core.messages import InboundMessage, StatusUpdate
from core.records import Account
from core.webhooks import Parsed, Part, Skipped, WebhookRequest

PROVIDER = "telesign"
_ACTIONS = {"stop": "stop", "start": "start", "help": "help"}  # TeleSign's keyword actions; "generic" is none


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


def thread_reference(business: str, customer: str, message_id: str = "") -> str:
    """The ``external_id`` a send carries so its delivery reports find their thread and
    message, even when the send's answer (with TeleSign's reference id) was lost."""
    return f"{business}|{customer}|{message_id}" if message_id else f"{business}|{customer}"


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
                   text_of(response.get("action")), text_of(response.get("keyword")))

    def to_inbound(self, account: Account) -> InboundMessage:
        return InboundMessage(
            provider=PROVIDER, account_id=account.id, provider_message_id=self.reference_id,
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
        return cls(reference_id, code, text_of(status.get("description")) or "", text_of(payload.get("external_id")))

    def to_status(self, account: Account) -> StatusUpdate | None:
        """The update to apply, or None for a report we cannot place or a status that says nothing."""
        business, sep, rest = (self.external_id or "").partition("|")
        customer, _, message_id = rest.partition("|")
        status = status_of(self.code)
        if not sep or not business or not possible_customer(customer) or status is None:
            return None
        failed = status in ("failed", "undelivered")
        return StatusUpdate(
            provider=PROVIDER, account_id=account.id, provider_message_id=self.reference_id, status=status,
            business=business, customer=customer, error_code=str(self.code) if failed else None,
            error_message=(self.description or None) if failed else None,
            message_id=message_id if is_message_id(message_id) else None,
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


def _customer(raw: str) -> str:
    customer = normalise_address(raw)
    if not possible_customer(customer):
        raise BadRequest("user_response.phone_number is not a phone number")
    return customer




def text_of(value: Any) -> str | None:
    """A non-empty string from a payload, or None."""
    return value if isinstance(value, str) and value else None


class TeleSignWebhook:
    """TeleSign's one callback URL (core.webhooks.Webhook): an inbound SMS, or a delivery
    report. TeleSign retries anything but a 200, so a callback we cannot use (another kind
    of notification, a report for a message we did not send) is skipped, never refused."""

    provider = PROVIDER
    isolated = False

    def verify(self, request: WebhookRequest, account: Account) -> None:
        credentials = account.credentials
        if not signature_is_valid(request.body, request.headers.get("Authorization"), credentials["customer_id"],
                                  credentials["api_key"]):
            raise Unauthorized("the Authorization header is not TeleSign's signature of this body",
                               code="invalid_signature")

    def parse(self, request: WebhookRequest, account: Account) -> Parsed:
        callback = parse_callback(request.body)
        if isinstance(callback, TeleSignInbound):
            inbound = callback.to_inbound(account)
            return Parsed([Part(callback.reference_id, lambda: inbound)])
        if isinstance(callback, TeleSignDeliveryReport):
            return Parsed([Part(callback.reference_id, lambda: _placed(callback, account))])
        return Parsed([Part("", _skipped("a callback that is neither an SMS nor a delivery report"))])


def _placed(report: TeleSignDeliveryReport, account: Account) -> StatusUpdate:
    update = report.to_status(account)
    if update is None or not account.owns(update.business):
        raise Skipped(f"report {report.reference_id} (status {report.code}) names no message of this account, "
                      "or no news")
    return update


def _skipped(reason: str) -> Callable[[], StatusUpdate]:
    def read() -> StatusUpdate:
        raise Skipped(reason)

    return read
