"""A browser's way in to live updates: a client URL for its user, joined to the groups its
scope allows (conversations/live/groups.py), for a few minutes; without the service,
the long poll."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from conversations.access import Scope
from conversations.live.groups import groups_of
from core.ports import Realtime

TOKEN_MINUTES = 5  # a connection outlives its token; a reconnect negotiates a new one
WEBSOCKET, LONG_POLL = "websocket", "long_poll"


@dataclass(frozen=True)
class ClientAccess:
    transport: str
    url: str | None = None
    expires_at: datetime | None = None


def client_access(realtime: Realtime | None, scope: Scope, now: datetime) -> ClientAccess:
    if realtime is None:
        return ClientAccess(LONG_POLL)
    url = realtime.client_url(scope.principal.id, groups_of(scope), TOKEN_MINUTES)
    return ClientAccess(WEBSOCKET, url, now + timedelta(minutes=TOKEN_MINUTES))
