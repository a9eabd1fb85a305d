"""Request hooks (run by azure-core's CustomHookPolicy) that watch or break storage
traffic, for tests."""

from __future__ import annotations

import re
import threading
from typing import Callable

import requests
from azure.core.exceptions import ServiceRequestError
from azure.core.pipeline import PipelineRequest


class RoundTrips:
    """Counts the requests that leave for storage (retries included)."""

    def __init__(self) -> None:
        self.count = 0
        self.paths: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, request: PipelineRequest) -> None:
        with self._lock:
            self.count += 1
            self.paths.append(f"{request.http_request.method} {request.http_request.url.split('?')[0]}")

    def reset(self) -> None:
        with self._lock:
            self.count = 0
            self.paths.clear()


class Outage:
    """Fails every storage request whose URL contains ``match`` while switched on."""

    def __init__(self, match: str = "") -> None:
        self.match = match
        self.on = False

    def __call__(self, request: PipelineRequest) -> None:
        if self.on and self.match in request.http_request.url:
            raise ServiceRequestError("storage unreachable (test outage)")


class InboxOutage(Outage):
    """Fails every write to the inbox index (one operation names its table in the URL, a
    batch in the request lines of its body)."""

    def __call__(self, request) -> None:
        http, body = request.http_request, request.http_request.body
        alone = http.method != "GET" and re.search(r"Inbox(\(|\?|$)", http.url)
        if self.on and (alone or isinstance(body, bytes) and re.search(rb"Inbox(\(| HTTP)", body)):
            raise ServiceRequestError("storage unreachable (test outage)")


class BodyOutage(Outage):
    """Fails every storage request whose body holds ``needle`` while switched on (a batch
    names its table and entities in its body, not its URL). A batch's body is bytes; with
    ``text``, a single entity's, which the SDK hands over as text, is looked into too."""

    def __init__(self, needle: bytes, text: bool = False) -> None:
        super().__init__()
        self.needle = needle
        self.text = text

    def holds(self, request: PipelineRequest) -> bool:
        body = request.http_request.body
        if self.text and isinstance(body, str):
            body = body.encode()
        return self.on and isinstance(body, bytes) and self.needle in body

    def __call__(self, request: PipelineRequest) -> None:
        if self.holds(request):
            raise ServiceRequestError("storage unreachable (test outage)")


class LostAnswer(BodyOutage):
    """The next request whose body holds ``needle`` reaches storage, but its answer is lost:
    the hook sends it itself, then fails it and the next ``failures - 1`` of its retries."""

    def __init__(self, needle: bytes, failures: int = 1) -> None:
        super().__init__(needle)
        self.failures = failures
        self.landed = 0

    def __call__(self, request: PipelineRequest) -> None:
        body = request.http_request.body
        if not (self.failures and self.holds(request)):
            return
        if not self.landed:
            http = request.http_request
            requests.request(http.method, http.url, data=body, headers=dict(http.headers), timeout=30)
            self.landed += 1
        self.failures -= 1
        raise ServiceRequestError("the answer was lost (test)")


class Killed(BaseException):
    """The process dies here: nothing after this point of the call runs (a BaseException,
    so no ``except Exception`` on the way out handles it)."""


class KilledAt(BodyOutage):
    """The process dies at the next request whose body holds ``needle``: before it leaves,
    or, with ``landed``, once storage has taken it (the hook sends it itself)."""

    def __init__(self, needle: bytes, landed: bool = False) -> None:
        super().__init__(needle)
        self.landed = landed

    def __call__(self, request: PipelineRequest) -> None:
        body = request.http_request.body
        if not self.holds(request):
            return
        self.on = False
        if self.landed:
            http = request.http_request
            requests.request(http.method, http.url, data=body, headers=dict(http.headers), timeout=30)
        raise Killed(f"killed at a request holding {self.needle!r}")


class HeldAt:
    """Once ``armed``, holds the first write to ``table`` (a batch; with ``single``, one
    operation too: say a committer's placing right after its commit, or a commit right
    after its reservation) until ``go`` is set: what happens meanwhile comes between."""

    def __init__(self, table: str, single: bool = False) -> None:
        self.table = table.encode()
        self.single = re.compile(rf"{table}(\(|\?|$)") if single else None
        self.armed, self.reached, self.go = threading.Event(), threading.Event(), threading.Event()
        self._lock = threading.Lock()

    def __call__(self, request: PipelineRequest) -> None:
        http, body = request.http_request, request.http_request.body
        alone = self.single is not None and http.method != "GET" and self.single.search(http.url)
        if not (self.armed.is_set() and (alone or isinstance(body, bytes) and self.table in body)):
            return
        with self._lock:
            first = not self.reached.is_set()
            self.reached.set()
        if first:
            assert self.go.wait(30)

    def meanwhile(self, step: Callable[[], object], then: Callable[[], object]) -> None:
        """``step`` in a thread of its own until the held batch, ``then``, and ``step`` on
        (what it raised, raised here)."""
        failed: list[BaseException] = []

        def run() -> None:
            try:
                step()
            except BaseException as exc:  # noqa: BLE001 - handed to the test
                failed.append(exc)

        self.armed.set()
        thread = threading.Thread(target=run)
        thread.start()
        try:
            assert self.reached.wait(30)
            then()
        finally:
            self.go.set()
            thread.join(30)
        assert not thread.is_alive()
        if failed:
            raise failed[0]
