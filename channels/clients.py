"""One pool for provider SDK clients: a client per set of credentials, built on first use
and reused across calls (each holds its own connection pool)."""

from __future__ import annotations

import math
import threading
from typing import Callable, Generic, Hashable, TypeVar

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

C = TypeVar("C")


class ClientPool(Generic[C]):
    def __init__(self, build: Callable[..., C]) -> None:
        self._build = build
        self._clients: dict[Hashable, C] = {}
        self._lock = threading.Lock()

    def get(self, *key: Hashable) -> C:
        """The client for ``key`` (the credentials, and whatever else tells clients apart),
        built with ``build(*key)`` the first time."""
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = self._build(*key)
        return client


def retry_after_seconds(value: object) -> float | None:
    """A Retry-After header's seconds (a whole number; an HTTP date is not used by the
    providers here), bounded to a day; None when absent or unreadable."""
    if value is None:
        return None
    try:
        seconds = float(str(value).strip())
    except ValueError:
        return None
    return min(max(seconds, 0.0), 86_400.0) if math.isfinite(seconds) else None


def may_have_reached(exc: BaseException) -> bool:
    """Whether a call to a provider that failed with ``exc`` (requests') may have reached it:
    not when no connection was made (refused, no route, the connect timed out); otherwise
    (the answer timed out, the connection broke after the request went) it may have."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    if isinstance(exc, requests.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return not isinstance(reason, (NewConnectionError, ConnectTimeoutError))
    return isinstance(exc, requests.RequestException)
