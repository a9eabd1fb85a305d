"""An ACS account's WhatsApp templates: each channel registration's, listed with
azure-communication-messages (``MessageTemplateClient.list_templates``, Messages API
2024-08-30: ``GET /messages/channels/{channelId}/templates``). ACS hands on WhatsApp's
own template content (its components), which names no category in this version."""

from __future__ import annotations

from typing import Any

from azure.communication.messages import MessageTemplateClient
from azure.core.credentials import AzureKeyCredential

from channels.acs import acs_endpoint
from channels.acs_send import _calling as calling  # the one mapping of ACS SDK failures
from channels.clients import ClientPool
from channels.templates import placeholders
from core.errors import ConfigurationError, ProviderError
from core.records import Account
from core.templates import CATEGORIES, MAX_CATALOGUE, STATUSES, UNKNOWN, SyncedTemplate, TemplateParameter

PAGE = 100
_MEDIA_HEADERS = {"IMAGE": "image", "VIDEO": "video", "DOCUMENT": "document"}


class AcsTemplates:
    def __init__(self) -> None:
        self._clients: ClientPool[MessageTemplateClient] = ClientPool(
            lambda endpoint, key: MessageTemplateClient(endpoint, AzureKeyCredential(key), connection_timeout=5,
                                                        read_timeout=30))

    def list_templates(self, account: Account) -> list[SyncedTemplate]:
        found = acs_endpoint(account.credentials.get("connection_string", ""))
        if found is None:
            raise ConfigurationError(f"account {account.id} has no usable ACS connection string")
        client = self._clients.get(*found)
        listed: list[SyncedTemplate] = []
        for registration in account.channels:
            items = calling(lambda: list(_first(client.list_templates(registration.channel_id,
                                                                      maxpagesize=PAGE), MAX_CATALOGUE + 1)))
            listed.extend(_readable(item.as_dict()) for item in items)
        return listed  # it may hold more than is kept: the sync then knows the listing was cut


def _readable(item: dict[str, Any]) -> SyncedTemplate:
    try:
        return template(item)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ProviderError("ACS listed a template Switchboard cannot read") from exc


def _first(items: Any, limit: int) -> Any:
    for n, item in enumerate(items):
        if n == limit:
            return
        yield item


def template(item: dict[str, Any]) -> SyncedTemplate:
    """A listed template: WhatsApp's components give the body and the parameters (the
    body's placeholders, and a media header's file); ``content`` may also be the whole
    WhatsApp template, with its category."""
    content = item.get("content")
    components = content.get("components", []) if isinstance(content, dict) else content or []
    category = str(content.get("category", "")).lower() if isinstance(content, dict) else ""
    body = next((c.get("text", "") for c in components if isinstance(c, dict) and c.get("type") == "BODY"), "")
    header = next((c for c in components if isinstance(c, dict) and c.get("type") == "HEADER"), {})
    media = _MEDIA_HEADERS.get(str(header.get("format", "")).upper())
    status = str(item.get("status", "")).lower()
    return SyncedTemplate(
        name=item["name"], language=item["language"], status=status if status in STATUSES else UNKNOWN,
        category=category if category in CATEGORIES else None, body=body,
        parameters=((TemplateParameter("header", media),) if media else ()) + placeholders(body))
