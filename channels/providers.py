"""What each provider needs from an admin: credentials and the callback URLs to give it."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

from conversations.errors import ValidationFailed


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    channels: tuple[str, ...]
    secret_fields: frozenset[str]
    check_credentials: Callable[[dict[str, str]], dict[str, str]]
    callbacks: Callable[[str, str], dict[str, str]]  # (base URL, account id) -> named URLs
    # Channels whose business address is a provider channel registration, not a number.
    registered_channels: tuple[str, ...] = ()


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


def _acs_credentials(credentials: dict[str, str]) -> dict[str, str]:
    credentials = {k: v for k, v in credentials.items() if v is not None}
    unknown = sorted(set(credentials) - set(ACS_CREDENTIALS))
    if unknown:
        raise ValidationFailed(f"credentials.{unknown[0]}", "is not a known field")
    resource = credentials.get("resource_name")
    if not isinstance(resource, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,62}", resource):
        raise ValidationFailed("credentials.resource_name", "must be the Communication Services resource's name")
    connection = credentials.get("connection_string")
    if not isinstance(connection, str) or acs_endpoint(connection) is None:
        raise ValidationFailed("credentials.connection_string", "must be the resource's connection string: "
                                                                "endpoint=https://<resource>.communication.azure.com/;"
                                                                "accesskey=<key>")
    checked = {"resource_name": resource, "connection_string": connection}
    app_id, tenant_id = credentials.get("eventgrid_app_id"), credentials.get("eventgrid_tenant_id")
    if (app_id is None) != (tenant_id is None):
        raise ValidationFailed("credentials.eventgrid_app_id" if app_id is None else "credentials.eventgrid_tenant_id",
                               "Entra delivery auth needs both eventgrid_app_id and eventgrid_tenant_id")
    if app_id is not None:
        if not isinstance(app_id, str) or not (_is_uuid(app_id) or re.fullmatch(r"(api|https)://\S{1,200}", app_id)):
            raise ValidationFailed("credentials.eventgrid_app_id", "must be the Entra application's ID (a UUID) or "
                                                                   "Application ID URI, as set on the subscription")
        if not isinstance(tenant_id, str) or not _is_uuid(tenant_id):
            raise ValidationFailed("credentials.eventgrid_tenant_id", "must be the Entra tenant ID (a UUID)")
        checked.update(eventgrid_app_id=app_id, eventgrid_tenant_id=tenant_id.lower())
    return checked


def acs_endpoint(connection_string: str) -> tuple[str, str] | None:
    """(endpoint, access key) of an ACS connection string, or None when it is not one."""
    parts = {}
    for element in connection_string.split(";"):
        key, _, value = element.strip().partition("=")
        parts[key.lower()] = value
    endpoint, key = parts.get("endpoint", "").rstrip("/"), parts.get("accesskey", "")
    split = urlsplit(endpoint)
    if split.scheme not in ("http", "https") or not split.netloc or not key:
        return None
    return endpoint, key


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def _acs_callbacks(base_url: str, account_id: str) -> dict[str, str]:
    return {"events_url": f"{base_url}/api/acs/{account_id}/events"}


ACS_CREDENTIALS = ("resource_name", "connection_string", "eventgrid_app_id", "eventgrid_tenant_id")

PROVIDERS: dict[str, ProviderSpec] = {
    "twilio": ProviderSpec(
        name="twilio",
        channels=("sms",),
        secret_fields=frozenset({"auth_token"}),
        check_credentials=_twilio_credentials,
        callbacks=_twilio_callbacks,
    ),
    "acs": ProviderSpec(
        name="acs",
        channels=("whatsapp", "sms"),
        secret_fields=frozenset({"connection_string"}),
        check_credentials=_acs_credentials,
        callbacks=_acs_callbacks,
        registered_channels=("whatsapp",),
    ),
}
