"""The stand-in as a child process, started and stopped like Azurite (localhost/services.py):
its own process group, its output in a log file, stopped at exit if nobody did.

The connection string names the port apart (``Endpoint=http://127.0.0.1;Port=P;...``), as
the service's local tools write it: the SDK appends ``:<Port>`` to the endpoint, so an
endpoint that already carried the port would become ``http://127.0.0.1:P:P``.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import sys
import urllib.request
from typing import Any

from localhost.processes import Process, Service, free_port, new_log
from localhost.services import START_TIMEOUT, http_ok
from localhost.state import REPO_ROOT
from localhost.webpubsub import READY


class StandIn(Service):
    """A running stand-in: ``endpoint``, ``connection_string``, ``key`` and ``hub`` to hand the
    app, and the test controls (``/_standin/``) as methods."""

    def __init__(self, process: Process, port: int, key: str, hub: str) -> None:
        self._process = process
        self.port = port
        self.key = key
        self.hub = hub
        self.endpoint = f"http://127.0.0.1:{port}"
        self.connection_string = f"Endpoint=http://127.0.0.1;Port={port};AccessKey={key};Version=1.0;"

    @classmethod
    def start(cls, event_handler: str | None = None, port: int | None = None, key: str | None = None,
              hub: str = "switchboard") -> StandIn:
        """Start it and wait until it serves; a key is made up when none is given (the shape
        of the service's: 32 random bytes in base64)."""
        port = port or free_port()
        key = key or base64.b64encode(secrets.token_bytes(32)).decode()
        argv = [sys.executable, "-m", "localhost.webpubsub", "--port", str(port), "--key", key]
        if event_handler:
            argv += ["--event-handler", event_handler]
        env = {**os.environ, "PYTHONUNBUFFERED": "1",
               "PYTHONPATH": os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p)}
        process = Process(f"Web PubSub stand-in (port {port})", argv, new_log(f"webpubsub-{port}-"),
                          env=env, cwd=REPO_ROOT)
        endpoint = f"http://127.0.0.1:{port}"
        # The line proves it is our process that answers, not another one holding the port.
        process.wait_until(lambda: f"{READY} {endpoint}" in process.output() and http_ok(f"{endpoint}/api/health"),
                           "serving", START_TIMEOUT)
        return cls(process, port, key, hub)

    def calls(self) -> list[dict[str, Any]]:
        """The data-plane calls recorded so far (see localhost/webpubsub/controls.py)."""
        calls: list[dict[str, Any]] = self._control("GET", "calls")
        return calls

    def reset_calls(self) -> None:
        self._control("DELETE", "calls")

    def connections(self) -> list[dict[str, Any]]:
        """The live connections: hub, connectionId, userId, groups."""
        connections: list[dict[str, Any]] = self._control("GET", "connections")
        return connections

    def set_event_handler(self, url: str | None) -> None:
        """Send later events to ``url`` (a template that may hold ``{hub}``), or nowhere."""
        self._control("PUT", "event-handler", {"url": url})

    def set_outage(self, status: int | None) -> None:
        """Answer every REST call with ``status`` from now on; None ends the outage."""
        if status is None:
            self._control("DELETE", "outage")
        else:
            self._control("PUT", "outage", {"status": status})

    def _control(self, method: str, name: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.endpoint}/_standin/{name}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            payload = response.read()
        return json.loads(payload) if payload else None
