"""The test controls, under ``/_standin/``: not part of the service, and never needed to use
the stand-in as the service; tests and ``make run`` use them to look and to break things.

- ``GET /_standin/calls``: every data-plane call so far (health probes aside), oldest first,
  each ``{"method", "path" (as sent, still percent-encoded), "query" ({name: [values]}),
  "headers" (content-type and authorization, when sent), "body" (UTF-8 text), "status"}``;
  ``DELETE /_standin/calls`` forgets them.
- ``GET /_standin/connections``: ``[{"hub", "connectionId", "userId", "groups"}]``.
- ``PUT /_standin/event-handler`` with ``{"url": "<template>" | null}``: where later events go.
- ``PUT /_standin/outage`` with ``{"status": 503}``: every ``/api/`` call is answered with that
  status (and recorded) until ``DELETE /_standin/outage``, so a test can show that a failed
  publish never fails the app's own request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from aiohttp import web

from localhost.webpubsub.events import EVENTS
from localhost.webpubsub.hub import HUBS
from localhost.webpubsub.rest import HEALTH, error

RECORDED_HEADERS = ("content-type", "authorization")
routes = web.RouteTableDef()


@dataclass
class Record:
    calls: list[dict[str, Any]] = field(default_factory=list)
    outage: int | None = None


RECORD = web.AppKey("record", Record)


@web.middleware
async def front(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                ) -> web.StreamResponse:
    """Record each data-plane call with the status it got; answer the outage's while one lasts."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    record = request.app[RECORD]
    call = None if request.path == HEALTH else await _describe(request)
    if call is not None:
        record.calls.append(call)
    status = 500
    try:
        response = await handler(request) if record.outage is None else _outage(record.outage)
        status = response.status
        return response
    except web.HTTPException as exc:  # aiohttp's own answers: no such route, method not allowed
        status = exc.status
        raise
    finally:
        if call is not None:
            call["status"] = status


@routes.get("/_standin/calls")
async def calls(request: web.Request) -> web.Response:
    return web.json_response(request.app[RECORD].calls)


@routes.delete("/_standin/calls")
async def forget_calls(request: web.Request) -> web.Response:
    request.app[RECORD].calls.clear()
    return web.Response(status=204)


@routes.get("/_standin/connections")
async def connections(request: web.Request) -> web.Response:
    return web.json_response(request.app[HUBS].describe())


@routes.put("/_standin/event-handler")
async def event_handler(request: web.Request) -> web.Response:
    url = (await request.json()).get("url")
    if url is not None and not isinstance(url, str):
        return web.Response(status=400, text='expected {"url": "<url template>" | null}')
    request.app[EVENTS].set_url(url)
    return web.Response(status=204)


@routes.put("/_standin/outage")
async def start_outage(request: web.Request) -> web.Response:
    status = (await request.json()).get("status")
    if not isinstance(status, int) or not 400 <= status <= 599:
        return web.Response(status=400, text='expected {"status": <an error status, 400 to 599>}')
    request.app[RECORD].outage = status
    return web.Response(status=204)


@routes.delete("/_standin/outage")
async def end_outage(request: web.Request) -> web.Response:
    request.app[RECORD].outage = None
    return web.Response(status=204)


async def _describe(request: web.Request) -> dict[str, Any]:
    query = request.query
    return {
        "method": request.method,
        "path": request.raw_path.partition("?")[0],
        "query": {name: query.getall(name) for name in dict.fromkeys(query.keys())},
        "headers": {name: request.headers[name] for name in RECORDED_HEADERS if name in request.headers},
        "body": (await request.read()).decode("utf-8", errors="replace"),
    }


def _outage(status: int) -> web.Response:
    return error(status, "ServiceUnavailable" if status == 503 else "Outage",
                 "a simulated outage (PUT /_standin/outage)")
