"""Everything Switchboard knows per provider: its channels, the credentials an admin
gives, the callback URLs (and where to paste them), and the adapter that sends through
it and validates those credentials.

Adding a provider (ACS, for one) is one more ProviderSpec here: its ``sender`` factory
builds an object with ``send`` and ``validate`` (channels.base.Sender), which the engine
uses to send and ``POST /api/admin/accounts/{id}/validate`` uses to check credentials.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Callable

from channels.base import Sender
from channels.telesign import TeleSignSender
from channels.twilio import TwilioSender
from config import Settings
from conversations.errors import ValidationFailed


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    channels: tuple[str, ...]
    secret_fields: frozenset[str]
    check_credentials: Callable[[dict[str, str]], dict[str, str]]
    callbacks: Callable[[str, str], dict[str, str]]  # (base URL, account id) -> named URLs and set-up hint
    sender: Callable[[Settings], Sender]  # the provider's adapter, built once per process


def _twilio_credentials(credentials: dict[str, str]) -> dict[str, str]:
    sid = credentials.get("account_sid")
    if not isinstance(sid, str) or not re.fullmatch(r"AC[0-9a-fA-F]{32}", sid):
        raise ValidationFailed("credentials.account_sid", "must be a Twilio Account SID: AC and 32 hex characters")
    token = credentials.get("auth_token")
    if not isinstance(token, str) or not re.fullmatch(r"[0-9A-Za-z]{16,64}", token):
        raise ValidationFailed("credentials.auth_token", "must be the account's Auth Token (letters and digits)")
    return {"account_sid": sid, "auth_token": token}


def _twilio_callbacks(base_url: str, account_id: str) -> dict[str, str]:
    return {
        "inbound_url": f"{base_url}/api/twilio/{account_id}/inbound",
        "status_url": f"{base_url}/api/twilio/{account_id}/status",
        "setup": "Twilio console: Phone Numbers > Active numbers > (the number) > Messaging > "
                 "'A message comes in': Webhook, HTTP POST, inbound_url (for the WhatsApp sandbox: "
                 "'When a message comes in'). status_url goes with every reply; nothing to paste.",
    }


def _telesign_credentials(credentials: dict[str, str]) -> dict[str, str]:
    customer_id = credentials.get("customer_id")
    if not isinstance(customer_id, str) or not re.fullmatch(r"[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}",
                                                            customer_id):
        raise ValidationFailed("credentials.customer_id",
                               "must be the TeleSign Customer ID, e.g. FFFFFFFF-EEEE-DDDD-1234-AB1234567890")
    api_key = credentials.get("api_key")
    try:
        key_bytes = base64.b64decode(api_key, validate=True) if isinstance(api_key, str) else b""
    except (binascii.Error, ValueError):
        key_bytes = b""
    if len(key_bytes) < 16:
        raise ValidationFailed("credentials.api_key", "must be the TeleSign API key as the portal shows it (base64)")
    return {"customer_id": customer_id, "api_key": api_key}


def _telesign_callbacks(base_url: str, account_id: str) -> dict[str, str]:
    url = f"{base_url}/api/telesign/{account_id}/inbound"
    return {
        "inbound_url": url,
        "status_url": url,
        "setup": "Send this URL to TeleSign support (support@telesign.com) as the callback URL of your "
                 "Customer ID for inbound SMS (MO) and delivery reports; both arrive at this one URL.",
    }


PROVIDERS: dict[str, ProviderSpec] = {
    "twilio": ProviderSpec(
        name="twilio",
        channels=("sms",),
        secret_fields=frozenset({"auth_token"}),
        check_credentials=_twilio_credentials,
        callbacks=_twilio_callbacks,
        sender=lambda settings: TwilioSender(settings.twilio_api_base_url),
    ),
    "telesign": ProviderSpec(
        name="telesign",
        channels=("sms",),
        secret_fields=frozenset({"api_key"}),
        check_credentials=_telesign_credentials,
        callbacks=_telesign_callbacks,
        sender=lambda settings: TeleSignSender(settings.telesign_api_base_url),
    ),
}
