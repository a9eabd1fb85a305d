"""The HTTP side of the local host: routing, keys, invocation, access log.

A `ThreadingHTTPServer` speaking HTTP/1.1 with keep-alive: one thread per
connection is plenty for local development and the tests' concurrency checks,
and needs nothing beyond the standard library.

Deliberate difference from Azure: a path that matches a route (other than a
catch-all of every path, which any typo matches) but not its methods gets 405
with an `Allow` header (Azure answers 404), because that tells a developer what
is wrong instead of suggesting a typo in the path.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import azure.functions as func

from localhost.auth import is_authorized
from localhost.conversion import RawResponse, build_request, error_response, from_function_result, json_response
from localhost.entra import PATH_PREFIX as ENTRA_PREFIX
from localhost import signin
from localhost.easyauth import PREFIX as SIGN_IN_PREFIX
from localhost.easyauth import EasyAuth
from localhost.entra import LocalTenant
from localhost.functions import AppLoadError, HttpFunction
from localhost.invoke import Invoker, Out
from localhost.routes import Route, RouteTable, RouteTemplate, RouteTemplateError, route_order

log = logging.getLogger("localhost.http")

STATUS_PATH = "/admin/host/status"
READY_LOG = "host running at"  # logged once serving; services.LocalHost waits for it
IDLE_TIMEOUT = 120.0  # seconds a keep-alive connection may sit idle before its thread is freed
UNAUTHORIZED = "missing or wrong function key (x-functions-key header or ?code=)"


MAX_BODY = 100 * 1024 * 1024  # Azure Functions refuses HTTP request bodies over 100 MB


class BadRequest(Exception):
    """The request is malformed; answered with 400 (or ``status``)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _too_large() -> BadRequest:
    return BadRequest(f"the request body is larger than {MAX_BODY} bytes", status=413)


@dataclass
class HostConfig:
    """Everything a request handler needs; shared read-only by all threads."""

    routes: RouteTable
    route_prefix: str
    key: str
    invoker: Invoker
    tenant: LocalTenant  # the development Entra tenant served under ENTRA_PREFIX

    @property
    def easy_auth(self) -> EasyAuth:
        """The emulation of App Service Authentication, signing with the tenant's key."""
        return EasyAuth(self.tenant)


class FunctionsServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default of 5 refuses bursts of concurrent clients

    def __init__(self, address: tuple[str, int], config: HostConfig) -> None:
        self.config = config
        super().__init__(address, RequestHandler)

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """Clients hanging up mid-response are routine; anything else is a host bug worth a traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            log.debug("connection from %s dropped", client_address[0], exc_info=True)
        else:
            log.exception("error while serving %s", client_address[0])


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    # Headers and body leave in separate writes: with Nagle's algorithm on, the body waits
    # for the client's delayed ACK of the headers (40 ms on Linux) on a kept-alive connection.
    disable_nagle_algorithm = True
    server: FunctionsServer

    def _dispatch(self) -> None:
        started = time.monotonic()
        target = self.path if self.path.startswith("/") else urlsplit(self.path)._replace(scheme="", netloc="").geturl()
        path, _, query = target.partition("?")
        function_name = "-"
        try:
            body = self._read_body()
            response, function_name = self._respond_to(path, query, body)
        except BadRequest as exc:
            code = "payload_too_large" if exc.status == 413 else "bad_request"
            response = error_response(exc.status, code, str(exc))
            self.close_connection = True
        self._write(response)
        elapsed = (time.monotonic() - started) * 1000
        log.info("%s %s %s %d %.1fms", self.command, path, function_name, response.status, elapsed)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def _respond_to(self, path: str, query: str, body: bytes) -> tuple[RawResponse, str]:
        config = self.server.config
        if path.rstrip("/").lower() == STATUS_PATH:
            return json_response(200, {"state": "Running"}), "-"
        if path.startswith(ENTRA_PREFIX + "/") and self.command in ("GET", "HEAD"):
            status, answer = config.tenant.answer(path[len(ENTRA_PREFIX):], self._origin())
            return json_response(status, answer), "-"
        if path.startswith(SIGN_IN_PREFIX + "/"):
            headers = {k.lower(): v for k, v in self.headers.items()}
            return signin.answer(config.easy_auth, self.command, path, query, headers, body), "-"
        relative = _strip_prefix(path, config.route_prefix)
        match = config.routes.lookup(self.command, relative) if relative is not None else None
        if match is None:
            return error_response(404, "not_found", f"no function is mapped to {path}"), "-"
        if match.route is None:
            allow = ", ".join(sorted(match.allowed))
            message = f"{self.command} is not allowed on {path}; allowed: {allow}"
            return error_response(405, "method_not_allowed", message, [("Allow", allow)]), "-"
        function: HttpFunction = match.route.target  # type: ignore[assignment]
        headers = forwarded(config.easy_auth.request_headers(self.headers.items()), self.client_address)
        request = build_request(self.command, self._url(path, query), headers, query, dict(match.route_params), body)
        if not is_authorized(function.auth_level, request.headers, request.params, config.key):
            return error_response(401, "unauthorized", UNAUTHORIZED), function.name
        return self._call(function, request), function.name

    def _call(self, function: HttpFunction, request: func.HttpRequest) -> RawResponse:
        out: Out[object] | None = None if function.output_arg == "$return" else Out()
        try:
            extra = {function.output_arg: out} if out is not None else None
            result = self.server.config.invoker.invoke(function, request, extra)
            return from_function_result(out.get() if out is not None else result)
        except Exception:
            log.exception("function %s failed", function.name)
            return error_response(500, "internal_error", "internal error")

    def _origin(self) -> str:
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        return f"http://{host}"

    def _url(self, path: str, query: str) -> str:
        return self._origin() + path + (f"?{query}" if query else "")

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return b""
        if not re.fullmatch(r"[0-9]{1,20}", length_header):
            raise BadRequest("invalid Content-Length")
        length = int(length_header)
        if length > MAX_BODY:
            raise _too_large()
        body = self.rfile.read(length)
        if len(body) != length:
            raise BadRequest("request body shorter than Content-Length")
        return body

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        received = 0
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            if not re.fullmatch(rb"[0-9a-fA-F]+", size_line):
                raise BadRequest("invalid chunk size")
            size = int(size_line, 16)
            received += size
            if received > MAX_BODY:
                raise _too_large()
            if size == 0:
                while self.rfile.readline(8192).strip():  # trailers
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(8)  # CRLF after the chunk

    def _write(self, response: RawResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        bodiless_status = response.status in (204, 304)
        if not bodiless_status:
            # For HEAD too: the length a GET would have returned.
            self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and not bodiless_status:
            self.wfile.write(response.body)

    def version_string(self) -> str:
        return "switchboard-localhost"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Silenced: `_dispatch` logs its own line, without the query string."""

    def log_message(self, format: str, *args: object) -> None:
        # Only protocol errors reach here; their text may quote the request line.
        log.warning("%s: %s", self.address_string(), re.sub(r"\?\S*", "?...", format % args))


def route_table(functions: list[HttpFunction]) -> RouteTable:
    """The route table of the app's HTTP functions, in Azure's order; AppLoadError names a bad template."""
    routes = []
    for function in sorted(functions, key=lambda f: route_order(f.name)):
        try:
            template = RouteTemplate(function.route)
        except RouteTemplateError as exc:
            raise AppLoadError(f"function {function.name}: {exc}") from exc
        routes.append(Route(template, function.methods, function))
    return RouteTable(routes)


def _strip_prefix(path: str, prefix: str) -> str | None:
    """The path below the route prefix (matched case-insensitively), or None if outside it."""
    if not prefix:
        return path
    head = f"/{prefix}"
    if path.lower() == head.lower():
        return ""
    if path[: len(head) + 1].lower() == f"{head}/".lower():
        return path[len(head) :]
    return None


def forwarded(headers: list[tuple[str, str]], peer: tuple[str, int]) -> list[tuple[str, str]]:
    """The headers with the caller's address appended to X-Forwarded-For (``ip:port``), as
    App Service's front end does: the app reads the last hop as the client's address."""
    hop = f"{peer[0]}:{peer[1]}" if ":" not in peer[0] else f"[{peer[0]}]:{peer[1]}"
    sent = [v for k, v in headers if k.lower() == "x-forwarded-for"]
    kept = [(k, v) for k, v in headers if k.lower() != "x-forwarded-for"]
    return kept + [("X-Forwarded-For", ", ".join([*sent, hop]))]
