"""Closed-window fallback: an automated message (closing, survey, waiting, overflow) or a
bot's reply that the WhatsApp 24-hour window refuses is sent as the approved template its
workstream names for it (core/settings.py ``WindowFallback``), under the message id it
would have had, so it is stored and sent once however many timers ask for it. Without a
fallback, or when anything but the window refuses it (an opt-out), it stays not sent."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Callable

from conversations.messaging import policies
from core.errors import SwitchboardError
from core.records import Conversation, Media, TemplateRef
from core.settings import WindowFallback, WorkstreamSettings

# The placeholders a fallback's parameters may hold, as the automated texts' own.
PLACEHOLDER = re.compile(r"\{\{\s*(customer_name|link)\s*\}\}")
UNNAMED = "customer"  # {{customer_name}} of a customer whose name nobody knows
Sent = tuple[str, tuple[Media, ...], TemplateRef | None]
TemplateCompose = Callable[[str, str | None, object], Callable[[Conversation, datetime], Sent]]


def chosen(settings: WorkstreamSettings | None, kind: str, refusal: SwitchboardError | None) -> WindowFallback | None:
    """The template to send instead of a ``kind`` message the rules refused: only when the
    closed window refused it, and the workstream names one."""
    if settings is None or refusal is None or refusal.code != policies.WINDOW_CLOSED:
        return None
    return settings.window_fallbacks.get(kind)


def parameters(fallback: WindowFallback, conversation: Conversation,
               settings: WorkstreamSettings) -> list[str] | dict[str, str]:
    """The fallback's parameters with their placeholders filled for ``conversation``."""
    values = {"customer_name": conversation.contact_name or conversation.customer_name or UNNAMED,
              "link": settings.survey.url}

    def filled(value: str) -> str:
        return PLACEHOLDER.sub(lambda m: values[m.group(1)], value)

    if isinstance(fallback.parameters, dict):
        return {k: filled(v) for k, v in fallback.parameters.items()}
    return [filled(v) for v in fallback.parameters]


def sent(fallback: WindowFallback, conversation: Conversation, now: datetime, settings: WorkstreamSettings,
         template_compose: TemplateCompose) -> Sent:
    """What the fallback sends in ``conversation``: the template as any template is sent
    (approved in the account's synced catalogue, when it has one; refused otherwise)."""
    compose = template_compose(fallback.name, fallback.language, parameters(fallback, conversation, settings))
    return compose(conversation, now)
