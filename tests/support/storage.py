"""Request hooks (run by azure-core's CustomHookPolicy) that watch or break storage
traffic, for tests."""

from __future__ import annotations

import threading

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
