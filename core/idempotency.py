"""Idempotency keys, as Stripe's API defines them: the same key with the same request
answers the first answer again; with another request it is refused; while the first is
still running it is in flight."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # the JSON answer


@dataclass(frozen=True)
class Claim:
    """The key is this request's (until it finishes or releases it)."""

    partition: str
    etag: str


@dataclass(frozen=True)
class Found:
    """The key was used before: by which request, its answer when done."""

    fingerprint: str
    answer: Answer | None
    lease_until: datetime | None
    etag: str
