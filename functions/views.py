"""How conversations and messages look in the agent API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from conversations.models import Conversation, Message


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def conversation_view(c: Conversation, with_messages: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": c.id, "state": c.state, "channel": c.channel, "provider": c.provider, "account_id": c.account_id,
        "workstream_id": c.workstream_id, "customer": c.customer, "business": c.business, "agent": c.agent,
        "created_at": _time(c.created_at), "last_activity_at": _time(c.last_activity_at),
        "last_customer_message_at": _time(c.last_customer_message_at),
        "auto_close_after_minutes": c.auto_close_after_minutes,
        "closed_at": _time(c.closed_at), "closed_reason": c.closed_reason,
        "consent": {"state": c.consent.state, "changed_at": _time(c.consent.changed_at), "source": c.consent.source},
    }
    if with_messages:
        view["messages"] = [message_view(m) for m in c.messages]
    return view


def message_view(m: Message) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": m.id, "direction": m.direction, "body": m.body, "media": [x.to_dict() for x in m.media],
        "status": m.status, "provider_message_id": m.provider_message_id, "created_at": _time(m.created_at),
        "agent": m.agent, "keyword": m.keyword,
    }
    if m.error_code or m.error_message:
        view["error"] = {"code": m.error_code, "message": m.error_message}
    return view
