"""The providers Switchboard speaks to: their channels, the credentials an admin gives,
and the callback URLs (and where to paste them). Adding a provider is one more
ProviderSpec here and its adapter in channels/senders.py."""

from __future__ import annotations

import base64
import binascii
import re
import uuid

from channels.acs import acs_endpoint
from core.errors import ValidationFailed
from core.providers import ProviderSpec
from core.webhooks import ACS, TELESIGN, TWILIO_INBOUND, TWILIO_STATUS, callback_url


def _known(credentials: dict[str, str], fields: tuple[str, ...]) -> dict[str, str]:
    """The credentials given a value, once none is a field the provider does not have (a
    misspelt one would otherwise be dropped, and the old value kept, with no word)."""
    credentials = {k: v for k, v in credentials.items() if v is not None}
    unknown = sorted(set(credentials) - set(fields))
    if unknown:
        raise ValidationFailed(f"credentials.{unknown[0]}", "is not a known field")
    return credentials


def _twilio_credentials(credentials: dict[str, str]) -> dict[str, str]:
    credentials = _known(credentials, ("account_sid", "auth_token"))
    sid = credentials.get("account_sid")
    if not isinstance(sid, str) or not re.fullmatch(r"AC[0-9a-fA-F]{32}", sid):
        raise ValidationFailed("credentials.account_sid", "must be a Twilio Account SID: AC and 32 hex characters")
    token = credentials.get("auth_token")
    if not isinstance(token, str) or not re.fullmatch(r"[0-9A-Za-z]{16,64}", token):
        raise ValidationFailed("credentials.auth_token", "must be the account's Auth Token: 16 to 64 letters and digits")
    return {"account_sid": sid, "auth_token": token}


def _twilio_callbacks(base_url: str, account_id: str) -> dict[str, str]:
    return {
        "inbound_url": callback_url(base_url, TWILIO_INBOUND, account_id),
        "status_url": callback_url(base_url, TWILIO_STATUS, account_id),
        "setup": "Twilio console: Phone Numbers > Active numbers > (the number) > Messaging > "
                 "'A message comes in': Webhook, HTTP POST, inbound_url. WhatsApp: the sender's webhook URL for "
                 "incoming messages (sandbox: Sandbox settings > 'When a message comes in'). "
                 "status_url goes with every reply; nothing to paste.",
    }


def _telesign_credentials(credentials: dict[str, str]) -> dict[str, str]:
    credentials = _known(credentials, ("customer_id", "api_key"))
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
    url = callback_url(base_url, TELESIGN, account_id)
    return {
        "inbound_url": url,
        "status_url": url,
        "setup": "Send this URL to TeleSign support (support@telesign.com) as the callback URL of your "
                 "Customer ID for inbound SMS (MO) and delivery reports; both arrive at this one URL.",
    }


def _acs_credentials(credentials: dict[str, str]) -> dict[str, str]:
    credentials = _known(credentials, ACS_CREDENTIALS)
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


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def _acs_callbacks(base_url: str, account_id: str) -> dict[str, str]:
    return {"events_url": callback_url(base_url, ACS, account_id)}


ACS_CREDENTIALS = ("resource_name", "connection_string", "eventgrid_app_id", "eventgrid_tenant_id")

PROVIDERS: dict[str, ProviderSpec] = {
    "twilio": ProviderSpec(
        name="twilio",
        channels=("sms", "whatsapp"),
        secret_fields=frozenset({"auth_token"}),
        check_credentials=_twilio_credentials,
        callbacks=_twilio_callbacks,
        fetches_media=True,
        callback_per_message=True,
    ),
    "telesign": ProviderSpec(
        name="telesign",
        channels=("sms",),
        secret_fields=frozenset({"api_key"}),
        check_credentials=_telesign_credentials,
        callbacks=_telesign_callbacks,
    ),
    "acs": ProviderSpec(
        name="acs",
        channels=("whatsapp", "sms"),
        secret_fields=frozenset({"connection_string"}),
        check_credentials=_acs_credentials,
        callbacks=_acs_callbacks,
        registered_channels=("whatsapp",),
        fetches_media=True,
        marks_read=True,
    ),
}
