"""Provider webhooks, as one recipe runs them all (functions/webhooks.py): find the account
the URL names, let the provider's adapter (channels/) verify the request and parse it
into parts, check that each part's business address is the account's, and hand each
message or report to ingest. A provider's function is only its route and its answer.

The routes are here, once: the edge serves them and the providers' callback URLs
(channels/providers.py) are made of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol

from core.errors import BadRequest
from core.messages import InboundMessage, StatusUpdate
from core.records import Account

TWILIO_INBOUND, TWILIO_STATUS, TELESIGN, ACS = "twilio_inbound", "twilio_status", "telesign", "acs"
# Each webhook's route (below host.json's route prefix, which is empty), by its name.
ROUTES = {
    TWILIO_INBOUND: "api/twilio/{account_id}/inbound",
    TWILIO_STATUS: "api/twilio/{account_id}/status",
    TELESIGN: "api/telesign/{account_id}/inbound",
    ACS: "api/acs/{account_id}/events",
}


# What each webhook's route takes: a provider POSTs; Event Grid also asks with OPTIONS
# (CloudEvents' handshake).
METHODS = {TWILIO_INBOUND: ("POST",), TWILIO_STATUS: ("POST",), TELESIGN: ("POST",), ACS: ("OPTIONS", "POST")}


def callback_url(base_url: str, webhook: str, account_id: str) -> str:
    """The URL a provider calls for ``webhook`` of an account."""
    return f"{base_url}/{ROUTES[webhook].format(account_id=account_id)}"


def handshake_headers(request_origin: str | None) -> dict[str, str]:
    """The answer to CloudEvents' OPTIONS abuse-protection handshake (Event Grid's)."""
    if not request_origin:
        raise BadRequest("WebHook-Request-Origin is required")
    return {"WebHook-Allowed-Origin": request_origin, "WebHook-Allowed-Rate": "*", "Allow": "POST"}


@dataclass(frozen=True)
class WebhookRequest:
    """A provider's request, as its adapter reads it: ``url`` is the public URL the provider
    called (and signed), ``params`` its query."""

    url: str
    params: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes


class Skipped(Exception):
    """A part that carries nothing for us (another kind of notification, a report that
    names no message of the account): acknowledged, logged with the reason, not stored."""


Item = InboundMessage | StatusUpdate


@dataclass(frozen=True)
class Part:
    """One thing a request carries (a batch's event, or the whole of a single webhook),
    read when its turn comes, so that a bad one stays with itself in a batch."""

    id: str  # for the logs: the event's id, or the provider's message id
    read: Callable[[], Item]  # raises Skipped for nothing to take


@dataclass(frozen=True)
class Parsed:
    parts: list[Part] = field(default_factory=list)
    answer: Any = None  # a handshake's answer, given as it is (nothing is taken then)


class Webhook(Protocol):
    """A provider's webhook adapter. ``isolated``: a part that fails (but for a storage
    outage, which the provider must retry) is counted failed and the others go on, as a
    batch needs; otherwise its error is the answer."""

    provider: str
    isolated: bool

    def verify(self, request: WebhookRequest, account: Account) -> None:
        """Raise Unauthorized or Forbidden (naming the signature or token) unless the
        request is the provider's, for this account."""

    def parse(self, request: WebhookRequest, account: Account) -> Parsed:
        """Its parts (BadRequest for a body that cannot be the provider's)."""
