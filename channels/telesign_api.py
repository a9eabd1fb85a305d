"""TeleSign's Messaging API (the ``telesign`` package): sending SMS and validating
credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import requests
from telesign.messaging import MessagingClient

from channels.clients import ClientPool, may_have_reached, retry_after_seconds
from channels.telesign import status_of, text_of, thread_reference
from core.errors import ProviderError, ProviderUnreachable
from core.messages import OutboundMessage, SendResult, Validation
from core.records import Account

DEFAULT_API_BASE_URL = "https://rest-api.telesign.com"
MESSAGE_TYPE = "ARN"  # alerts, reminders, notifications: conversational traffic
# A reference id nobody has: the status lookup for it is free and still needs valid credentials.
_PROBE_REFERENCE_ID = "0" * 32
# Error codes TeleSign answers when the customer ID, API key or signature is wrong.
_AUTH_ERRORS = frozenset({
    -30000, -30001, -30002, -30004, -30005, -30006, 10008, 10009, 10010, 10015, 10022, 10028,
})


class TeleSignSender:
    """Sends through the Messaging API; one SDK client per credentials (ClientPool)."""

    def __init__(self, base_url: str | None, timeout: float = 10.0) -> None:
        self._base_url = base_url or DEFAULT_API_BASE_URL
        self._timeout = timeout
        self._clients: ClientPool[MessagingClient] = ClientPool(
            lambda customer_id, api_key: MessagingClient(customer_id, api_key, rest_endpoint=self._base_url,
                                                         timeout=self._timeout))

    def _client(self, account: Account) -> MessagingClient:
        return self._clients.get(account.credentials["customer_id"], account.credentials["api_key"])

    def send(self, account: Account, message: OutboundMessage) -> SendResult:
        try:
            response = self._client(account).message(
                message.customer.lstrip("+"), message.body, MESSAGE_TYPE,
                sender_id=message.business.lstrip("+"),
                external_id=thread_reference(message.business, message.customer, message.message_id),
            )
        except requests.RequestException as exc:
            raise ProviderUnreachable(f"TeleSign could not be reached: {type(exc).__name__}",
                                      sent=may_have_reached(exc)) from exc
        body = response.json if isinstance(response.json, dict) else {}
        if not response.ok or not body.get("reference_id"):
            code, description = _first_error(body)
            raise ProviderError(description or f"TeleSign refused the message (HTTP {response.status_code})",
                                provider_code=code or str(response.status_code), http_status=response.status_code,
                                retry_after=retry_after_seconds((response.headers or {}).get("Retry-After")))
        status = body.get("status") if isinstance(body.get("status"), dict) else {}
        code = status.get("code")
        return SendResult(provider_message_id=body["reference_id"],
                          status=(status_of(code) if isinstance(code, int) else None) or "queued")

    def find_sent(self, account: Account, message: OutboundMessage, since: datetime) -> list[SendResult]:
        """TeleSign can be asked about a message only by the reference id its answer would
        have carried: a try whose answer was lost is known to have gone out only by its
        delivery report (which names our message id), and is sent again otherwise."""
        return []

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




def _first_error(body: dict[str, Any]) -> tuple[str | None, str | None]:
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        code = errors[0].get("code")
        return (str(code) if isinstance(code, int) else None), text_of(errors[0].get("description"))
    return None, None
