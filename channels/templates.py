"""An account's templates as its provider lists them (core.ports.TemplateSource): ACS
through the messages SDK (channels/acs_templates.py), Twilio through the Content API
(channels/twilio_content.py), each loaded the first time an account of it is synced."""

from __future__ import annotations

import importlib
import re
import threading
from typing import Any

from core.errors import ValidationFailed
from core.records import Account
from core.templates import MAX_CATALOGUE, SyncedTemplate, TemplateParameter

_ADAPTERS = {"acs": ("channels.acs_templates", "AcsTemplates"), "twilio": ("channels.twilio_content", "TwilioContent")}
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


class ProviderTemplates:
    def __init__(self, twilio_content_base_url: str | None) -> None:
        self._twilio_base_url = twilio_content_base_url
        self._adapters: dict[str, Any] = {}
        self._lock = threading.Lock()

    def list_templates(self, account: Account) -> list[SyncedTemplate]:
        if account.channel != "whatsapp" or account.provider not in _ADAPTERS:
            raise ValidationFailed("account", "only WhatsApp accounts of ACS or Twilio list templates")
        found: dict[tuple[str, str], SyncedTemplate] = {}
        for template in self._adapter(account.provider).list_templates(account):
            found.setdefault(template.key, template)  # one account's channels share their templates
        return list(found.values())[:MAX_CATALOGUE]

    def _adapter(self, provider: str) -> Any:
        with self._lock:
            if provider not in self._adapters:
                module, cls = _ADAPTERS[provider]
                adapter = getattr(importlib.import_module(module), cls)
                self._adapters[provider] = adapter(self._twilio_base_url) if provider == "twilio" else adapter()
            return self._adapters[provider]


def placeholders(text: str) -> tuple[TemplateParameter, ...]:
    """The text parameters a body names, in the order they first appear: {{1}}, {{2}} or
    {{first_name}} (WhatsApp's positional and named parameters; a SyncedTemplate puts
    positional ones in number order)."""
    names = dict.fromkeys(PLACEHOLDER.findall(text))
    return tuple(TemplateParameter(name) for name in names)
