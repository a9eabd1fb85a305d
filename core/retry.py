"""The one read-check-commit loop: read what is current, decide, commit conditionally
(an ETag), and on a lost race read again after a short random pause."""

from __future__ import annotations

import random
import time
from typing import Callable, TypeVar

from core.errors import StorageUnavailable

T = TypeVar("T")

ATTEMPTS = 40  # tries before giving up (StorageUnavailable: the caller retries)


class ConcurrencyConflict(Exception):
    """Someone else changed what was read since it was read; read again and retry."""


def until_committed(attempt: Callable[[], T], what: str, attempts: int = ATTEMPTS) -> T:
    """``attempt()`` (which reads, decides and commits, raising ConcurrencyConflict when
    the commit loses a race) until it returns; StorageUnavailable after ``attempts``."""
    for tried in range(attempts):
        try:
            return attempt()
        except ConcurrencyConflict:
            back_off(tried)
    raise StorageUnavailable(f"the conversation is too busy to {what} now, try again")


def back_off(attempt: int) -> None:
    """A short random pause before reading again, growing with each lost race."""
    time.sleep(random.uniform(0, min(0.2, 0.005 * (2 ** min(attempt, 6)))))
