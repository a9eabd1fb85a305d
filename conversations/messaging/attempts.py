"""What a message's send needs next, decided from the message and its tries (pure rules;
conversations/messaging/delivery.py acts on them).

Every try is recorded (core.ports.Attempts) before its provider is called, and closed by
what the provider answered: the provider's id (sent), ``failed``, or ``retrying`` with the
try counted in ``Message.attempts`` (``in_doubt`` when no answer came). A try that is
recorded and not closed, or closed in doubt, may have reached the provider: it is never
simply tried again. Until ``lease`` has passed since it began, its process may still be
waiting for the answer; after that the provider is asked first (Delivery.settle).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core import status as statuses
from core.records import Attempt, Message

# A provider that dedupes repeated requests (ACS) remembers one for 5 minutes; tries that
# begin within this of their chain's first are sent as repeats of it, later ones start anew.
CHAIN_WINDOW = timedelta(minutes=4)


@dataclass(frozen=True)
class Done:
    """Nothing is owed: the message went out, failed for good, or was never to be sent."""


@dataclass(frozen=True)
class Void:
    """Nobody tried it: the request that stored it died first (or was answered an error)."""


@dataclass(frozen=True)
class Wait:
    """A try began less than a lease ago; its process may still be at it."""

    until: datetime


@dataclass(frozen=True)
class Try:
    """Make try ``attempt``; when ``doubt`` is set, find out first whether that earlier
    try reached the provider."""

    attempt: Attempt
    doubt: Attempt | None = None


Step = Done | Void | Wait | Try


def owed(message: Message) -> bool:
    """Whether the outbox still owes the message an outcome."""
    return message.status in statuses.PENDING and not message.provider_message_id


def in_doubt(message: Message, latest: Attempt | None) -> bool:
    """Whether the latest try may have reached the provider without its answer recorded."""
    if latest is None or latest.void or not owed(message):
        return False
    return latest.number > message.attempts or (message.in_doubt and latest.number == message.attempts)


def next_step(message: Message, tries: list[Attempt], now: datetime, lease: timedelta) -> Step:
    if not owed(message):
        return Done()
    latest = tries[-1] if tries else None
    if latest is None:
        return Void()
    if latest.void:
        return Done()  # a reopened message is claimed in the same write: this one is not_sent
    doubt = latest if in_doubt(message, latest) else None
    if doubt is not None and now < doubt.at + lease:
        return Wait(doubt.at + lease)
    return Try(following(latest, now), doubt)


def first(now: datetime) -> Attempt:
    return Attempt(1, now, 1, now)


def following(latest: Attempt | None, now: datetime) -> Attempt:
    """The try after ``latest``: in its chain while the chain is young, else a new one."""
    if latest is None:
        return first(now)
    number = latest.number + 1
    if latest.void or now - latest.chain_at >= CHAIN_WINDOW:
        return Attempt(number, now, number, now)
    return Attempt(number, now, latest.chain, latest.chain_at)
