"""Waiting in a test for what another process does: a condition polled until it holds."""

from __future__ import annotations

import time
from typing import Callable


def until(condition: Callable[[], object], timeout: float = 15.0, every: float = 0.1) -> None:
    """Return once ``condition()`` is true; fail the test when it is not within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s"
        time.sleep(every)
