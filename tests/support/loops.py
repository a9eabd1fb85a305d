"""Coroutines run from a test, on a thread and loop of their own: the test's thread may run
a loop already (Playwright's sync API leaves one running in a worker once a browser test
ran there), and asyncio.run refuses to start inside one."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Coroutine, TypeVar

T = TypeVar("T")


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
