"""Delivery statuses and their order: callbacks arrive out of order, status never regresses."""

from __future__ import annotations

# Rank of each status a provider reports; a higher rank may replace a lower one.
# Terminal outcomes share a rank so one never replaces another, except "read",
# which can only follow a delivery.
_RANK = {
    "sending": 0,  # ours: stored, provider call in flight
    "retrying": 0,  # ours: a transient failure; the outbox queue tries again
    "accepted": 1,
    "scheduled": 1,
    "queued": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "canceled": 4,
    "expired": 4,
    "read": 5,
}

SENDING, RETRYING, FAILED = "sending", "retrying", "failed"
_FAILURES = frozenset({"undelivered", FAILED, "canceled", "expired"})
NOTED = "noted"  # an internal note's: kept, never sent
NOT_SENT = "not_sent"  # ours: held back (an automated message the rules refused, a request that failed first)
PENDING = frozenset({SENDING, RETRYING})  # ours, before the provider took it: the outbox still owes an outcome

MAX_STATUS = 40  # far above any provider's status name; a longer one is cut, not stored whole


def normalise(status: str) -> str:
    return status.strip().lower()[:MAX_STATUS]


def supersedes(new: str, current: str | None) -> bool:
    """True when ``new`` may replace ``current``."""
    if current is None:
        return True
    new_rank = _RANK.get(normalise(new))
    if new_rank is None:  # a status we do not know never overwrites a known one
        return normalise(current) not in _RANK
    if normalise(new) == "read" and normalise(current) in _FAILURES:
        return False  # "read" follows a delivery: a failure the provider reported stays
    return new_rank > _RANK.get(normalise(current), -1)
