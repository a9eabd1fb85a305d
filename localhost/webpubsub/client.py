"""Client WebSockets speaking ``json.webpubsub.azure.v1``, the protocol of the browsers'
``@azure/web-pubsub-client`` (its non-reliable flavour).

A connection is admitted as the service admits it: the ``access_token`` query parameter
verified (key, expiry, audience ``<endpoint>/client/hubs/<hub>``), its ``sub`` the user, its
``webpubsub.group`` groups joined at once, and its ``role`` claim deciding what the client may
do itself: ``webpubsub.joinLeaveGroup[.<group>]`` to join or leave, ``webpubsub.sendToGroup
[.<group>]`` to publish; anything else is answered with an ``ack`` whose error is
``Forbidden``. The client's ``ping`` keep-alive gets its ``pong``.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable

from aiohttp import WSMsgType, web

from localhost.webpubsub import SUBPROTOCOL, tokens
from localhost.webpubsub.events import EVENTS
from localhost.webpubsub.hub import HUBS, Connection, Hub, deliver, group_message

log = logging.getLogger("webpubsub.client")
routes = web.RouteTableDef()
DATA_TYPES = ("json", "text", "binary")


@routes.get("/client/hubs/{hub}")
async def connect(request: web.Request) -> web.StreamResponse:
    """Admit a client, serve its frames until it goes, then tell the event handler."""
    hub = request.app[HUBS][request.match_info["hub"]]
    try:
        claims = tokens.verify(request.query.get("access_token", ""), request.app[tokens.ACCESS_KEY],
                               f"{request.scheme}://{request.host}/client/hubs/{hub.name}")
    except tokens.Refused as exc:
        return web.Response(status=401, text=str(exc))
    offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",") if p.strip()]
    if SUBPROTOCOL not in offered:
        return web.Response(status=400, text=f"the stand-in speaks only the subprotocol {SUBPROTOCOL}; "
                                             f"this client offered {offered or 'none'}")
    socket = web.WebSocketResponse(protocols=(SUBPROTOCOL,))
    await socket.prepare(request)
    connection = hub.open(socket, claims.get(tokens.USER_CLAIM), tokens.listed(claims, tokens.ROLE_CLAIM),
                          tokens.listed(claims, tokens.GROUP_CLAIM))
    log.info("connected %s (user %s, groups %s)", connection.id, connection.user_id, sorted(connection.groups))
    await connection.send({"type": "system", "event": "connected", "userId": connection.user_id,
                           "connectionId": connection.id})
    events = request.app[EVENTS]
    events.connected(connection)
    try:
        async for message in socket:
            if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                await _receive(hub, connection, message.data)
    finally:
        hub.connections.pop(connection.id, None)
        reason = connection.closing or f"The client closed the connection (code {socket.close_code})."
        log.info("disconnected %s: %s", connection.id, reason)
        events.disconnected(connection, reason)
    return socket


async def _receive(hub: Hub, connection: Connection, data: str | bytes) -> None:
    """One frame from the client: a JSON object whose ``type`` says what it asks."""
    try:
        request = json.loads(data)
        handler = _HANDLERS[request["type"]]
    except (ValueError, TypeError, KeyError):
        log.warning("ignored a frame from %s the protocol does not define: %.200r", connection.id, data)
        return
    await handler(hub, connection, request)


async def _join(hub: Hub, connection: Connection, request: dict[str, Any]) -> None:
    group = str(request.get("group", ""))
    if await _allowed(connection, request, "webpubsub.joinLeaveGroup", group):
        connection.groups.add(group)
        await _ack(connection, request)


async def _leave(hub: Hub, connection: Connection, request: dict[str, Any]) -> None:
    group = str(request.get("group", ""))
    if await _allowed(connection, request, "webpubsub.joinLeaveGroup", group):
        connection.groups.discard(group)
        await _ack(connection, request)


async def _publish(hub: Hub, connection: Connection, request: dict[str, Any]) -> None:
    group, data_type = str(request.get("group", "")), request.get("dataType", "json")
    if data_type not in DATA_TYPES:
        log.warning("ignored a sendToGroup from %s with dataType %r", connection.id, data_type)
        return
    if await _allowed(connection, request, "webpubsub.sendToGroup", group):
        members = [c for c in hub.in_group(group) if not (request.get("noEcho") and c is connection)]
        await deliver(members, group_message(group, data_type, request.get("data"), connection.user_id))
        await _ack(connection, request)


async def _event(hub: Hub, connection: Connection, request: dict[str, Any]) -> None:
    """Client events go upstream in the service; the stand-in says plainly that it drops them."""
    await _ack(connection, request, {"name": "InternalServerError",
                                     "message": "the stand-in does not forward client events to an event handler"})


async def _ping(hub: Hub, connection: Connection, request: dict[str, Any]) -> None:
    await connection.send({"type": "pong"})


async def _allowed(connection: Connection, request: dict[str, Any], role: str, group: str) -> bool:
    """Whether the connection's roles grant ``role`` for ``group``; if not, say so in an ack."""
    if role in connection.roles or f"{role}.{group}" in connection.roles:
        return True
    await _ack(connection, request, {"name": "Forbidden",
                                     "message": f"the connection has neither {role} nor {role}.{group}"})
    return False


async def _ack(connection: Connection, request: dict[str, Any], error: dict[str, str] | None = None) -> None:
    """The answer to a request that carried an ``ackId`` (one without asks for none)."""
    if "ackId" not in request:
        return
    frame: dict[str, Any] = {"type": "ack", "ackId": request["ackId"], "success": error is None}
    if error is not None:
        frame["error"] = error
    await connection.send(frame)


_HANDLERS: dict[str, Callable[[Hub, Connection, dict[str, Any]], Awaitable[None]]] = {
    "joinGroup": _join, "leaveGroup": _leave, "sendToGroup": _publish, "event": _event, "ping": _ping,
}
