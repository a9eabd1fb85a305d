"""What each provider needs from an admin: credentials and the callback URLs to give it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from conversations.errors import ValidationFailed


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    channels: tuple[str, ...]
    secret_fields: frozenset[str]
    check_credentials: Callable[[dict[str, str]], dict[str, str]]
    callbacks: Callable[[str, str], dict[str, str]]  # (base URL, account id) -> named URLs


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
    }


PROVIDERS: dict[str, ProviderSpec] = {
    "twilio": ProviderSpec(
        name="twilio",
        channels=("sms",),
        secret_fields=frozenset({"auth_token"}),
        check_credentials=_twilio_credentials,
        callbacks=_twilio_callbacks,
    ),
}
