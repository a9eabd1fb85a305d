"""A small recording HTTP server that stands in for a provider's API.

It keeps every request (method, path, headers, form or JSON body) so tests assert what
Switchboard sent, and answers with what the test scripted for that path.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import requests


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    status: int | None = None  # what it was answered
    answer: Any = None

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode(), keep_blank_values=True)

    def json(self) -> Any:
        return json.loads(self.body)


Reply = tuple[int, dict[str, Any] | bytes] | tuple[int, dict[str, Any] | bytes, dict[str, str]]


@dataclass
class Recorder:
    requests: list[Recorded] = field(default_factory=list)
    routes: list[tuple[str, re.Pattern[str], Callable[[Recorded], Reply]]] = field(default_factory=list)
    base_url: str = ""

    def on(self, method: str, path_pattern: str, reply: Callable[[Recorded], Reply] | Reply) -> None:
        """Script an answer; later scripts for the same path win."""
        handler = reply if callable(reply) else (lambda _r, fixed=reply: fixed)
        self.routes.insert(0, (method, re.compile(path_pattern + r"$"), handler))

    def calls(self, method: str, path_pattern: str) -> list[Recorded]:
        pattern = re.compile(path_pattern + r"$")
        return [r for r in self.requests if r.method == method and pattern.match(r.path)]

    def answer(self, recorded: Recorded) -> Reply:
        for method, pattern, handler in self.routes:
            if method == recorded.method and pattern.match(recorded.path):
                return handler(recorded)
        return 404, {"message": "not scripted"}


def forward_to(base_url: str) -> Callable[[Recorded], Reply]:
    """A handler that passes the request on (to a Prism mock) and answers with its reply."""
    skipped = {"host", "content-length", "connection", "accept-encoding"}

    def handler(recorded: Recorded) -> Reply:
        query = urlencode(recorded.query, doseq=True)
        response = requests.request(recorded.method, f"{base_url}{recorded.path}?{query}", data=recorded.body,
                                    headers={k: v for k, v in recorded.headers.items() if k.lower() not in skipped},
                                    timeout=30)
        return response.status_code, response.content, {"Content-Type": response.headers.get("Content-Type",
                                                                                               "application/json")}

    return handler


def serve(recorder: Recorder) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if len(body) < length:  # the client died mid-request: a real API acts on no half a request
                self.close_connection = True
                return
            parts = urlsplit(self.path)
            recorded = Recorded(self.command, parts.path, parse_qs(parts.query), dict(self.headers.items()), body)
            recorder.requests.append(recorded)
            status, body, *extra = recorder.answer(recorded)
            recorded.status, recorded.answer = status, body
            headers = {"Content-Type": "application/json", **(extra[0] if extra else {})}
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_DELETE = do_PATCH = do_PUT = _handle

        def log_message(self, *_args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            if not isinstance(sys.exc_info()[1], ConnectionError):  # a client dropping keep-alive is no failure
                super().handle_error(request, client_address)

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    recorder.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


@contextmanager
def recording() -> Iterator[Recorder]:
    """A recorder served on a free loopback port for the duration of the block."""
    recorder = Recorder()
    server = serve(recorder)
    try:
        yield recorder
    finally:
        server.shutdown()
