"""Quick replies: canned answers an admin defines per workstream, which agents pick in the
composer. Their placeholders ({{customer_name}}, {{contact.name}}, {{agent_name}}) are
filled in by the workspace before the agent sends; the API keeps the text as written. One
may offer reply buttons or a list (``interactive``, within WhatsApp's limits), which the
composer opens in its builder."""

from __future__ import annotations

from typing import Any

from conversations.admin.validation import objects, text
from core.errors import ValidationFailed
from core.interactive import read_setting
from core.settings import QuickReply

MAX_QUICK_REPLIES = 50  # with MAX_TEXT each, they stay well inside one table entity
MAX_NAME, MAX_TEXT = 100, 1600


def parse_quick_replies(value: Any) -> tuple[QuickReply, ...]:
    """Quick replies as an admin enters them: a list of {"name", "text"}, names unique."""
    replies: list[QuickReply] = []
    for prefix, item in objects(value, "quick_replies", ("name", "text", "interactive"), at_most=MAX_QUICK_REPLIES,
                                allow_empty=True):
        name = text(item, "name", max_length=MAX_NAME, prefix=prefix)
        body = text(item, "text", max_length=MAX_TEXT, prefix=prefix)
        if any(r.name == name for r in replies):
            raise ValidationFailed(prefix + "name", "is listed twice")
        replies.append(QuickReply(name=name, text=body, interactive=read_setting(item, body, prefix)))
    return tuple(replies)
