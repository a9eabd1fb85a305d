"""Overflow and the waiting message: what a workstream does for conversations waiting in a
queue when the queue is swamped or nobody is there, and what it tells a customer who has
waited a while.

An overflow rule names a queue (None: the conversations no queue took), one condition
and one action:

  waiting_over N      N or more others wait in the queue (by the timer: each one after
                      the N oldest)
  wait_over S         the queue's longest wait is over S seconds (by the timer: each one
                      that has waited that long)
  nobody_available    no agent of the queue is available
  out_of_hours        the workstream's operating hours say closed

  move                to ``to_queue``, another queue of the workstream (keeping its place)
  message             send ``text`` to the customer
  close               send ``text``, then close the conversation

A conversation overflows at most once per rule (its ``overflowed`` names the rules that
acted on it). Texts may say ``{{position}}`` (its place in the queue) and
``{{expected_wait}}`` (from the queue's recent waits); a message (the waiting message, a
rule's that messages or closes) may offer reply buttons or a list with its text
(``interactive``), sent as a workstream's automated messages are: on WhatsApp only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from core.content import Interactive, offer_in, with_offer

WAITING_OVER, WAIT_OVER, NOBODY_AVAILABLE, OUT_OF_HOURS = "waiting_over", "wait_over", "nobody_available", "out_of_hours"
CONDITIONS = (WAITING_OVER, WAIT_OVER, NOBODY_AVAILABLE, OUT_OF_HOURS)
THRESHOLDS = (WAITING_OVER, WAIT_OVER)  # the conditions that take a threshold
MOVE, MESSAGE, CLOSE = "move", "message", "close"
ACTIONS = (MOVE, MESSAGE, CLOSE)
POSITION, EXPECTED_WAIT = "{{position}}", "{{expected_wait}}"


@dataclass(frozen=True)
class QueueNow:
    """A queue as one of its conversations sees it: how many wait ahead of it, the longest
    wait there, whether an agent of the queue is available, whether the workstream is open."""

    ahead: int
    longest_wait: timedelta
    anyone_available: bool
    open: bool


@dataclass(frozen=True)
class OverflowRule:
    name: str
    queue: str | None
    when: str
    action: str
    threshold: int | None = None
    to_queue: str | None = None
    text: str = ""
    interactive: Interactive | None = None  # offered with the text (message and close only)

    def holds(self, q: QueueNow) -> bool:
        if self.when == WAITING_OVER:
            return q.ahead >= (self.threshold or 0)
        if self.when == WAIT_OVER:
            return q.longest_wait > timedelta(seconds=self.threshold or 0)
        if self.when == NOBODY_AVAILABLE:
            return not q.anyone_available
        return not q.open

    def to_dict(self) -> dict[str, Any]:
        return with_offer({"name": self.name, "queue": self.queue, "when": self.when, "threshold": self.threshold,
                           "action": self.action, "to_queue": self.to_queue, "text": self.text}, self.interactive)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> OverflowRule:
        return cls(d["name"], d.get("queue"), d["when"], d["action"], d.get("threshold"), d.get("to_queue"),
                   d.get("text", ""), offer_in(d))


@dataclass(frozen=True)
class WaitingMessage:
    """Sent once to a customer still waiting for an agent ``after_seconds`` after it began
    to wait (its place and the expected wait filled in)."""

    after_seconds: int
    text: str
    interactive: Interactive | None = None  # offered with the text

    def to_dict(self) -> dict[str, Any]:
        return with_offer({"after_seconds": self.after_seconds, "text": self.text}, self.interactive)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> WaitingMessage:
        return cls(d["after_seconds"], d["text"], offer_in(d))


def filled(text: str, position: int | None, expected: timedelta | None) -> str:
    """``text`` with its place in the queue and the expected wait written out."""
    return text.replace(POSITION, str(position) if position else "?").replace(EXPECTED_WAIT, spoken(expected))


def spoken(wait: timedelta | None) -> str:
    if wait is None:
        return "a few minutes"
    minutes = round(wait.total_seconds() / 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 90:
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    return f"{round(minutes / 60)} hours"  # "about 2 hours", not "about 120 minutes"
