"""A small per-instance cache with a time limit, for rows that change rarely (accounts,
workstreams). Admin writes in this instance invalidate at once; other instances see a
change within the time limit."""

from __future__ import annotations

import threading
import time
from typing import Callable, Generic, Hashable, TypeVar

T = TypeVar("T")


class TtlCache(Generic[T]):
    """At most ``size`` entries: when full, expired entries go first, then the oldest."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic, size: int = 10_000) -> None:
        self._seconds = seconds
        self._clock = clock
        self._size = size
        self._items: dict[Hashable, tuple[float, T]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        now = self._clock()
        with self._lock:
            hit = self._items.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        with self._lock:
            if len(self._items) >= self._size and key not in self._items:
                self._evict(now)
            self._items[key] = (now + self._seconds, value)
        return value

    def _evict(self, now: float) -> None:
        live = {k: v for k, v in self._items.items() if v[0] > now}
        if len(live) >= self._size:  # dicts keep insertion order: drop the older half
            live = dict(list(live.items())[len(live) // 2:])
        self._items = live

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
