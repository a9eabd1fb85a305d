"""Who is connected to which hub, in which groups, and how a message reaches them.

A hub keeps its connections and its user-group mappings. A mapping outlives the connections:
adding a user to a group puts the user's current connections in it and every connection the
user opens later, as the service does; removing it takes them all out again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(eq=False)
class Connection:
    """One client WebSocket. ``closing`` is the reason given when the server closed it."""

    id: str
    hub: str
    user_id: str | None
    roles: frozenset[str]
    groups: set[str]
    socket: web.WebSocketResponse
    closing: str | None = None
    events: asyncio.Task[None] | None = None  # the last event-handler delivery queued for it
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, frame: dict[str, Any]) -> None:
        """Send one JSON frame; frames from concurrent requests never interleave, and a socket
        that closed meanwhile is no error (the sender cannot know)."""
        async with self._lock:
            if self.socket.closed:
                return
            with contextlib.suppress(ConnectionResetError):
                await self.socket.send_str(json.dumps(frame))

    async def close(self, reason: str) -> None:
        """Close it as the service does: the ``disconnected`` frame first, then the socket."""
        self.closing = reason
        await self.send({"type": "system", "event": "disconnected", "message": reason})
        await self.socket.close(message=reason.encode()[:120])  # a close frame's reason is short

    def describe(self) -> dict[str, Any]:
        return {"hub": self.hub, "connectionId": self.id, "userId": self.user_id, "groups": sorted(self.groups)}


@dataclass
class Hub:
    name: str
    connections: dict[str, Connection] = field(default_factory=dict)
    user_groups: dict[str, set[str]] = field(default_factory=dict)

    def open(self, socket: web.WebSocketResponse, user_id: str | None, roles: list[str],
             groups: list[str]) -> Connection:
        """Register a new connection in its token's groups and its user's mapped groups."""
        mapped = self.user_groups.get(user_id, set()) if user_id else set()
        connection = Connection(secrets.token_urlsafe(16), self.name, user_id, frozenset(roles),
                                set(groups) | mapped, socket)
        self.connections[connection.id] = connection
        return connection

    def of_user(self, user_id: str) -> list[Connection]:
        return [c for c in self.connections.values() if c.user_id == user_id]

    def in_group(self, group: str) -> list[Connection]:
        return [c for c in self.connections.values() if group in c.groups]

    def add_user_to_group(self, user_id: str, group: str) -> None:
        self.user_groups.setdefault(user_id, set()).add(group)
        for connection in self.of_user(user_id):
            connection.groups.add(group)

    def remove_user_from_group(self, user_id: str, group: str) -> None:
        self.user_groups.get(user_id, set()).discard(group)
        for connection in self.of_user(user_id):
            connection.groups.discard(group)

    def remove_user_from_all_groups(self, user_id: str) -> None:
        self.user_groups.pop(user_id, None)
        for connection in self.of_user(user_id):
            connection.groups.clear()


class Hubs(dict[str, Hub]):
    """Every hub, made on first mention as the service's are (a hub needs no creating)."""

    def __missing__(self, name: str) -> Hub:
        hub = self[name] = Hub(name)
        return hub

    def describe(self) -> list[dict[str, Any]]:
        return [c.describe() for hub in self.values() for c in hub.connections.values()]


HUBS = web.AppKey("hubs", Hubs)


def server_message(data_type: str, data: Any) -> dict[str, Any]:
    return {"type": "message", "from": "server", "dataType": data_type, "data": data}


def group_message(group: str, data_type: str, data: Any, from_user: str | None = None) -> dict[str, Any]:
    """A group's message; ``fromUserId`` only when a client published it (not the REST API)."""
    frame = {"type": "message", "from": "group", "group": group, "dataType": data_type, "data": data}
    if from_user is not None:
        frame["fromUserId"] = from_user
    return frame


async def deliver(connections: list[Connection], frame: dict[str, Any]) -> None:
    """One frame to many connections at once, so one slow client delays no other."""
    await asyncio.gather(*(c.send(frame) for c in connections))
