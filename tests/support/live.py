"""A workspace's live connection as the tests hold it: a WebSocket to Web PubSub (the
stand-in) with the subprotocol browsers use, on its own event loop in a thread, keeping
every frame it receives with the time it arrived."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any, Callable

import aiohttp

SUBPROTOCOL = "json.webpubsub.azure.v1"


class LiveClient:
    def __init__(self, url: str) -> None:
        self.frames: list[tuple[float, dict[str, Any]]] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._session: aiohttp.ClientSession | None = None
        self._run(self._connect(url))
        self.connection_id = self.wait_for(lambda f: f.get("event") == "connected")["connectionId"]

    def _run(self, coroutine: Any, timeout: float = 10) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _connect(self, url: str) -> None:
        self._session = aiohttp.ClientSession()
        self._ws = await self._session.ws_connect(url, protocols=(SUBPROTOCOL,))
        self._loop.create_task(self._read())

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                self.frames.append((time.monotonic(), json.loads(message.data)))

    @property
    def closed(self) -> bool:
        return self._ws is None or self._ws.closed

    def notices(self) -> list[dict[str, Any]]:
        """The data of every message the app published that reached this connection."""
        return [f["data"] for _, f in self.frames if f.get("type") == "message"]

    def wait_for(self, found: Callable[[dict[str, Any]], bool], timeout: float = 10, after: float = 0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, frame in list(self.frames):
                if at >= after and found(frame):
                    return frame
            time.sleep(0.01)
        raise AssertionError(f"no such frame within {timeout} s; received {[f for _, f in self.frames]}")

    def send(self, frame: dict[str, Any]) -> None:
        assert self._ws is not None
        self._run(self._ws.send_str(json.dumps(frame)))

    def close(self) -> None:
        async def closing() -> None:
            if self._ws is not None:
                await self._ws.close()
            if self._session is not None:
                await self._session.close()

        self._run(closing())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
