"""The event handler's calls: each connection's ``connected`` and ``disconnected`` system
events, POSTed in CloudEvents binary mode as the service documents them (``ce-*`` headers,
``ce-signature: sha256=<hex HMAC-SHA256 of the connection id keyed with the access key>``,
``WebHook-Request-Origin``; the body ``{}`` or ``{"reason": ...}``).

Before the first event to a URL comes the abuse-protection handshake of the CloudEvents
webhook spec: ``OPTIONS`` with ``WebHook-Request-Origin: <host:port of the stand-in>``, to be
answered 200 with ``WebHook-Allowed-Origin`` naming that origin or ``*``. An endpoint that
refuses gets no events (logged); one that cannot be reached is asked again at the next event.

Deliveries run in tasks of their own, chained per connection so its ``connected`` always
precedes its ``disconnected``, and never on the socket's path: a slow handler delays no
message. A failed delivery is tried again a few times with a growing pause, then logged.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import uuid
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, TypeVar

import aiohttp
from aiohttp import web

from localhost.webpubsub import SUBPROTOCOL
from localhost.webpubsub.hub import Connection

log = logging.getLogger("webpubsub.events")
PAUSES = (0.5, 1.0, 2.0)  # before the second, third and fourth try
TIMEOUT = aiohttp.ClientTimeout(total=10)
T = TypeVar("T")


class EventHandler:
    """Where the events go (a URL template that may hold ``{hub}``), and their deliveries."""

    def __init__(self, url: str | None, key: str, origin: str) -> None:
        self.url = url
        self._key = key
        self._origin = origin  # host:port, as the service sends its own host name
        self._handshakes: dict[str, asyncio.Task[bool | None]] = {}
        self._pending: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    def set_url(self, url: str | None) -> None:
        """Send later events to ``url``, after a handshake of its own."""
        self.url = url
        self._handshakes.clear()

    def connected(self, connection: Connection) -> None:
        self._queue(connection, "connected", {})

    def disconnected(self, connection: Connection, reason: str) -> None:
        self._queue(connection, "disconnected", {"reason": reason})

    async def close(self) -> None:
        """Drop what is still in flight (the stand-in is stopping) and the HTTP session."""
        for task in list(self._pending):
            task.cancel()
        if self._session is not None:
            await self._session.close()

    def _queue(self, connection: Connection, event: str, body: dict[str, Any]) -> None:
        if not self.url:
            return
        url = self.url.replace("{hub}", connection.hub)
        headers = self._headers(connection, event)  # fixed now: ce-time is when it happened
        task = asyncio.create_task(self._deliver(connection.events, url, headers, body))
        connection.events = task
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _deliver(self, previous: asyncio.Task[None] | None, url: str, headers: dict[str, str],
                       body: dict[str, Any]) -> None:
        if previous is not None:
            await asyncio.wait([previous])  # its outcome is its own; this one only waits its turn
        if await self._handshake(url):
            await self._retrying(f"{headers['ce-type']} of {headers['ce-connectionId']} to {url}",
                                 lambda: self._post(url, headers, body))

    async def _post(self, url: str, headers: dict[str, str], body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        async with self._client().post(url, data=data, headers=headers, raise_for_status=True):
            pass

    async def _handshake(self, url: str) -> bool:
        """Whether ``url`` accepts events from this origin; asked once per URL, and again only
        while it could not be reached."""
        task = self._handshakes.get(url)
        if task is None or (task.done() and task.result() is None):
            task = self._handshakes[url] = asyncio.ensure_future(
                self._retrying(f"the abuse-protection handshake with {url}", lambda: self._options(url)))
        return bool(await asyncio.shield(task))

    async def _options(self, url: str) -> bool:
        headers = {"WebHook-Request-Origin": self._origin, "ce-awpsversion": "1.0"}
        async with self._client().options(url, headers=headers) as response:
            allowed = [origin.strip().lower() for value in response.headers.getall("WebHook-Allowed-Origin", [])
                       for origin in value.split(",")]
            if response.status == 200 and ("*" in allowed or self._origin.lower() in allowed):
                return True
            log.error("event handler %s refused the abuse-protection handshake (status %s, "
                      "WebHook-Allowed-Origin %s, wanted %s or *): it gets no events",
                      url, response.status, allowed or "missing", self._origin)
            return False

    async def _retrying(self, what: str, call: Callable[[], Awaitable[T]]) -> T | None:
        """``call``'s result, tried again after each pause while it fails; None if it never worked."""
        for pause in (*PAUSES, None):
            try:
                return await call()
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                failure = f"{type(exc).__name__}: {exc}"
                if pause is None:
                    log.error("gave up on %s after %d tries: %s", what, len(PAUSES) + 1, failure)
                else:
                    log.warning("%s failed (%s); trying again in %s s", what, failure, pause)
                    await asyncio.sleep(pause)
        return None

    def _headers(self, connection: Connection, event: str) -> dict[str, str]:
        signature = hmac.new(self._key.encode(), connection.id.encode(), hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "WebHook-Request-Origin": self._origin,
            "ce-specversion": "1.0",
            "ce-type": f"azure.webpubsub.sys.{event}",
            "ce-source": f"/hubs/{connection.hub}/client/{connection.id}",
            "ce-id": str(uuid.uuid4()),
            "ce-time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "ce-awpsversion": "1.0",
            "ce-hub": connection.hub,
            "ce-connectionId": connection.id,
            "ce-eventName": event,
            "ce-subprotocol": SUBPROTOCOL,
            "ce-signature": f"sha256={signature}",
        }
        if connection.user_id:
            headers["ce-userId"] = connection.user_id
        return headers

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session


EVENTS = web.AppKey("events", EventHandler)
