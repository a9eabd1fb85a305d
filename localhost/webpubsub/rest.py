"""The data-plane REST API, as the SDK (azure-messaging-webpubsubservice 1.3.0) calls it: the
paths and methods of the published contract, the status codes the SDK expects of each (202
for a send, 204 for a close or a removal, 200 for an addition or a token, 200 or 404 for an
existence check), and errors as ``{"error": {"code", "message"}}`` with ``x-ms-error-code``.

A send's body reaches the clients as the service forwards it: ``application/json`` as
``dataType: json`` (the parsed value), ``text/plain`` as ``text``, ``application/octet-stream``
as ``binary`` (base64).
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any, Awaitable, Callable

from aiohttp import web

from localhost.webpubsub import tokens
from localhost.webpubsub.hub import HUBS, Connection, Hub, deliver, group_message, server_message

HEALTH = "/api/health"
routes = web.RouteTableDef()


class Failure(Exception):
    """A request the service would refuse with ``status``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


def error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status,
                             headers={"x-ms-error-code": code})


@web.middleware
async def authenticate(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                       ) -> web.StreamResponse:
    """Every ``/api/hubs/`` call needs the key's JWT, its audience this very URL (query included)."""
    if not request.path.startswith("/api/hubs/"):
        return await handler(request)
    try:
        token = tokens.bearer(request.headers.get("Authorization"))
        tokens.verify(token, request.app[tokens.ACCESS_KEY], f"{request.scheme}://{request.host}{request.raw_path}")
        return await handler(request)
    except tokens.Refused as exc:
        return error(401, "Unauthorized", str(exc))
    except Failure as exc:
        return error(exc.status, exc.code, str(exc))


@routes.get(HEALTH)
async def health(_request: web.Request) -> web.Response:
    return web.Response(status=200)


@routes.post("/api/hubs/{hub}/:send")
async def send_to_all(request: web.Request) -> web.Response:
    hub, frame = _hub(request), server_message(*await _payload(request))
    await deliver(_excluding(request, list(hub.connections.values())), frame)
    return web.Response(status=202)


@routes.post("/api/hubs/{hub}/users/{user}/:send")
async def send_to_user(request: web.Request) -> web.Response:
    hub, frame = _hub(request), server_message(*await _payload(request))
    await deliver(hub.of_user(request.match_info["user"]), frame)
    return web.Response(status=202)


@routes.post("/api/hubs/{hub}/connections/{connection}/:send")
async def send_to_connection(request: web.Request) -> web.Response:
    frame = server_message(*await _payload(request))
    await deliver([_connection(request)], frame)
    return web.Response(status=202)


@routes.post("/api/hubs/{hub}/groups/{group}/:send")
async def send_to_group(request: web.Request) -> web.Response:
    hub, group = _hub(request), request.match_info["group"]
    frame = group_message(group, *await _payload(request))
    await deliver(_excluding(request, hub.in_group(group)), frame)
    return web.Response(status=202)


@routes.put("/api/hubs/{hub}/users/{user}/groups/{group}")
async def add_user_to_group(request: web.Request) -> web.Response:
    _hub(request).add_user_to_group(request.match_info["user"], request.match_info["group"])
    return web.Response(status=200)


@routes.delete("/api/hubs/{hub}/users/{user}/groups/{group}")
async def remove_user_from_group(request: web.Request) -> web.Response:
    _hub(request).remove_user_from_group(request.match_info["user"], request.match_info["group"])
    return web.Response(status=204)


@routes.delete("/api/hubs/{hub}/users/{user}/groups")
async def remove_user_from_all_groups(request: web.Request) -> web.Response:
    _hub(request).remove_user_from_all_groups(request.match_info["user"])
    return web.Response(status=204)


@routes.put("/api/hubs/{hub}/groups/{group}/connections/{connection}")
async def add_connection_to_group(request: web.Request) -> web.Response:
    _connection(request).groups.add(request.match_info["group"])
    return web.Response(status=200)


@routes.delete("/api/hubs/{hub}/groups/{group}/connections/{connection}")
async def remove_connection_from_group(request: web.Request) -> web.Response:
    _connection(request).groups.discard(request.match_info["group"])
    return web.Response(status=204)


@routes.delete("/api/hubs/{hub}/connections/{connection}/groups")
async def remove_connection_from_all_groups(request: web.Request) -> web.Response:
    _connection(request).groups.clear()
    return web.Response(status=204)


@routes.head("/api/hubs/{hub}/users/{user}")
async def user_exists(request: web.Request) -> web.Response:
    return web.Response(status=200 if _hub(request).of_user(request.match_info["user"]) else 404)


@routes.head("/api/hubs/{hub}/connections/{connection}")
async def connection_exists(request: web.Request) -> web.Response:
    return web.Response(status=200 if request.match_info["connection"] in _hub(request).connections else 404)


@routes.head("/api/hubs/{hub}/groups/{group}")
async def group_exists(request: web.Request) -> web.Response:
    return web.Response(status=200 if _hub(request).in_group(request.match_info["group"]) else 404)


@routes.delete("/api/hubs/{hub}/connections/{connection}")
async def close_connection(request: web.Request) -> web.Response:
    hub = _hub(request)
    connection = hub.connections.get(request.match_info["connection"])
    await _close(request, [connection] if connection else [])
    return web.Response(status=204)


@routes.post("/api/hubs/{hub}/users/{user}/:closeConnections")
async def close_user_connections(request: web.Request) -> web.Response:
    await _close(request, _excluding(request, _hub(request).of_user(request.match_info["user"])))
    return web.Response(status=204)


@routes.post("/api/hubs/{hub}/groups/{group}/:closeConnections")
async def close_group_connections(request: web.Request) -> web.Response:
    await _close(request, _excluding(request, _hub(request).in_group(request.match_info["group"])))
    return web.Response(status=204)


@routes.post("/api/hubs/{hub}/:closeConnections")
async def close_all_connections(request: web.Request) -> web.Response:
    await _close(request, _excluding(request, list(_hub(request).connections.values())))
    return web.Response(status=204)


@routes.post("/api/hubs/{hub}/:generateToken")
async def generate_token(request: web.Request) -> web.Response:
    """What the SDK asks for when it holds no key (a managed identity); here, as everywhere on
    this API, the caller still proves the key, since no Entra tenant vouches for it locally."""
    query, hub = request.query, request.match_info["hub"]
    if query.get("clientType", "Default").lower() != "default":
        raise Failure(400, "NotSupported", "the stand-in serves only the Default client type")
    minutes = _integer(query.get("minutesToExpire", "60"), "minutesToExpire")
    token = tokens.client_token(request.app[tokens.ACCESS_KEY], f"{request.scheme}://{request.host}/client/hubs/{hub}",
                                query.get("userId"), query.getall("role", []), query.getall("group", []), minutes)
    return web.json_response({"token": token})


def _hub(request: web.Request) -> Hub:
    return request.app[HUBS][request.match_info["hub"]]


def _connection(request: web.Request) -> Connection:
    connection = _hub(request).connections.get(request.match_info["connection"])
    if connection is None:
        raise Failure(404, "NotFound", f"no connection {request.match_info['connection']!r}")
    return connection


def _excluding(request: web.Request, connections: list[Connection]) -> list[Connection]:
    excluded = set(request.query.getall("excluded", []))
    return [c for c in connections if c.id not in excluded]


async def _close(request: web.Request, connections: list[Connection]) -> None:
    reason = request.query.get("reason") or "The connection was closed by the server."
    await asyncio.gather(*(connection.close(reason) for connection in connections))


async def _payload(request: web.Request) -> tuple[str, Any]:
    """The send's body as a client frame's ``dataType`` and ``data``."""
    if "filter" in request.query:
        raise Failure(400, "NotSupported", "the stand-in does not evaluate OData filters")
    body, kind = await request.read(), request.content_type
    try:
        if kind == "application/json":
            return "json", json.loads(body)
        if kind == "text/plain":
            return "text", body.decode("utf-8")
    except ValueError as exc:  # UnicodeDecodeError is one
        raise Failure(400, "InvalidRequest", f"the body is not valid {kind}: {exc}") from None
    if kind == "application/octet-stream":
        return "binary", base64.b64encode(body).decode("ascii")
    raise Failure(415, "UnsupportedMediaType",
                  f"Content-Type {kind!r} is none of application/json, text/plain, application/octet-stream")


def _integer(value: str, name: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise Failure(400, "InvalidRequest", f"{name} must be a whole number of 1 or more, not {value!r}")
    return int(value)
