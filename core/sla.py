"""Service levels: the answer times a workstream promises (its ``ServiceTargets``) and each
conversation's clocks against them (its ``ServiceLevel``), carried forward by every commit
of its head (conversations/messaging/writer.py), as its facts are.

- ``first_response``: from when the conversation reached the agents' side (its opening,
  or its bot's handoff) to the first message an agent wrote;
- ``next_response``: from a customer message that no running clock covers, once an agent
  answered, to the agent's next message;
- ``resolution``: from when it reached the agents' side to its closing.

Each clock is due ``minutes`` after it started, counted in calendar time or within the
workstream's operating hours (hours and closures, as they were when it opened), and warns
at ``warn_at_percent`` of that. A clock that ends in time is *met*; one that runs past its
due time is *breached* (recorded once, by the service-level timer or when it ends late).
A clock still running when the conversation closes stops without a result, unless it was
late already. A conversation keeps the targets and hours of its opening.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Iterable

from core.hours import OperatingHours

if TYPE_CHECKING:
    from core.records import Conversation, Message

FIRST_RESPONSE, NEXT_RESPONSE, RESOLUTION = "first_response", "next_response", "resolution"
TARGETS = (FIRST_RESPONSE, NEXT_RESPONSE, RESOLUTION)
CALENDAR, OPERATING_HOURS = "calendar", "operating_hours"
COUNTED = (CALENDAR, OPERATING_HOURS)
WARNING, BREACHED = "warning", "breached"  # what the timer records of a running clock


@dataclass(frozen=True)
class ServiceTargets:
    """A workstream's targets, in minutes (None: no such target)."""

    first_response_minutes: int | None = None
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    counted: str = CALENDAR
    warn_at_percent: int = 80

    @property
    def any(self) -> bool:
        return any(self.minutes(t) for t in TARGETS)

    def minutes(self, target: str) -> int | None:
        return getattr(self, f"{target}_minutes")

    def to_dict(self) -> dict[str, Any]:
        return {"first_response_minutes": self.first_response_minutes,
                "next_response_minutes": self.next_response_minutes,
                "resolution_minutes": self.resolution_minutes, "counted": self.counted,
                "warn_at_percent": self.warn_at_percent}

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> ServiceTargets:
        return cls(**{k: v for k, v in value.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Clock:
    """One running target: when it started, when it warns and is due, what was recorded."""

    target: str
    started_at: datetime
    warn_at: datetime
    due_at: datetime
    warned: bool = False
    breached: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "started_at": self.started_at.isoformat(), "warn_at": self.warn_at.isoformat(),
                "due_at": self.due_at.isoformat(), "warned": self.warned, "breached": self.breached}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Clock:
        return cls(d["target"], datetime.fromisoformat(d["started_at"]), datetime.fromisoformat(d["warn_at"]),
                   datetime.fromisoformat(d["due_at"]), d.get("warned", False), d.get("breached", False))


@dataclass(frozen=True)
class Result:
    """How one clock ended: met in time, or breached."""

    target: str
    met: bool


@dataclass(frozen=True)
class ServiceLevel:
    """A conversation's clocks. ``scheduled_at`` is when the service-level timer's row for
    it falls due (written before the commit that needed it, so never missing)."""

    targets: ServiceTargets
    hours: OperatingHours | None = None  # when counted in operating hours
    started: bool = False
    answered: bool = False  # an agent wrote: later customer messages start next-response clocks
    running: tuple[Clock, ...] = ()
    results: tuple[Result, ...] = ()
    scheduled_at: datetime | None = None
    asked: bool = True  # the customer wrote: until then (the business wrote first) nothing is answered

    @classmethod
    def opening(cls, targets: ServiceTargets, hours: OperatingHours | None) -> ServiceLevel | None:
        """The clocks of a conversation opened now: None when the workstream sets no target."""
        if not targets.any:
            return None
        return cls(targets, hours if targets.counted == OPERATING_HOURS else None)

    def after(self, now: Conversation, messages: Iterable[Message], at: datetime) -> ServiceLevel:
        """The clocks carried over a commit that leaves the conversation as ``now``,
        writing ``messages``; ``at`` is when."""
        from core.records import CLOSED, INBOUND, OUTBOUND  # records import this module

        sl = self
        if not sl.started and now.stage is None and now.state != CLOSED:
            asked = now.last_customer_message_at is not None  # else the business wrote first: a proactive message
            sl = replace(sl, started=True, asked=asked)
            sl = sl._start(FIRST_RESPONSE, at)._start(RESOLUTION, at) if asked else sl
        for m in messages:
            if not sl.started:
                continue
            if m.direction == INBOUND:
                if not sl.asked:  # the customer's first word, after ours: the clocks run from now
                    sl = replace(sl, asked=True)._start(FIRST_RESPONSE, m.created_at)._start(RESOLUTION, m.created_at)
                elif sl.answered and not sl.clock(FIRST_RESPONSE) and not sl.clock(NEXT_RESPONSE):
                    sl = sl._start(NEXT_RESPONSE, m.created_at)
            elif (sl.asked and m.direction == OUTBOUND and m.agent is not None
                  and not (m.automated or m.from_bot or m.agent_reaction)):  # a reaction is no answer
                sl = replace(sl, answered=True)._end(FIRST_RESPONSE, m.created_at)._end(NEXT_RESPONSE, m.created_at)
        if now.state == CLOSED and sl.running:
            closed = now.closed_at or at
            sl = sl._end(RESOLUTION, closed)
            sl = replace(sl, running=(), results=sl.results + tuple(
                Result(c.target, False) for c in sl.running if not c.breached and c.due_at < closed))
        return sl

    def clock(self, target: str) -> Clock | None:
        return next((c for c in self.running if c.target == target), None)

    @property
    def next_due(self) -> Clock | None:
        """The running clock due first (what the inbox shows and sorts by)."""
        return min(self.running, key=lambda c: c.due_at, default=None)

    def next_point(self) -> datetime | None:
        """When the timer has something to record next: a warning or a breach."""
        points = [c.warn_at for c in self.running if not c.warned and c.warn_at < c.due_at]
        points += [c.due_at for c in self.running if not c.breached]
        return min(points, default=None)

    def recorded(self, now: datetime) -> tuple[ServiceLevel, list[tuple[str, str]]]:
        """The warnings and breaches due by ``now`` that are not recorded yet, recorded:
        the clocks as they are then, and (target, WARNING or BREACHED) for each."""
        running, said, results = [], [], list(self.results)
        for c in self.running:
            if not c.breached and c.due_at <= now:
                c = replace(c, warned=True, breached=True)
                said.append((c.target, BREACHED))
                results.append(Result(c.target, False))
            elif not c.warned and c.warn_at <= now:
                c = replace(c, warned=True)
                said.append((c.target, WARNING))
            running.append(c)
        return replace(self, running=tuple(running), results=tuple(results)), said

    def met(self, target: str) -> tuple[int, int]:
        """How many of ``target``'s clocks were met, and how many breached."""
        ended = [r.met for r in self.results if r.target == target]
        return sum(ended), len(ended) - sum(ended)

    def _start(self, target: str, at: datetime) -> ServiceLevel:
        minutes = self.targets.minutes(target)
        if not minutes:
            return self
        share = minutes * self.targets.warn_at_percent / 100
        clock = Clock(target, at, self._plus(at, share), self._plus(at, minutes))
        return replace(self, running=(*self.running, clock))

    def _end(self, target: str, at: datetime) -> ServiceLevel:
        clock = self.clock(target)
        if clock is None:
            return self
        results = self.results if clock.breached else (*self.results, Result(target, at <= clock.due_at))
        return replace(self, running=tuple(c for c in self.running if c is not clock), results=results)

    def _plus(self, start: datetime, minutes: float) -> datetime:
        if self.hours is None:
            return start + timedelta(minutes=minutes)
        try:
            return self.hours.after_open_time(start, timedelta(minutes=minutes))
        except ValueError:  # hours that never open (every day closed): calendar time, not never
            return start + timedelta(minutes=minutes)

    def to_dict(self) -> dict[str, Any]:
        return {"targets": self.targets.to_dict(), "hours": self.hours.to_dict() if self.hours else None,
                "started": self.started, "answered": self.answered,
                "running": [c.to_dict() for c in self.running],
                "results": [[r.target, r.met] for r in self.results],
                "scheduled_at": self.scheduled_at.isoformat() if self.scheduled_at else None, "asked": self.asked}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ServiceLevel:
        return cls(ServiceTargets.from_dict(d["targets"]),
                   OperatingHours.from_dict(d["hours"]) if d.get("hours") else None,
                   d.get("started", False), d.get("answered", False),
                   tuple(Clock.from_dict(c) for c in d.get("running", ())),
                   tuple(Result(t, m) for t, m in d.get("results", ())),
                   datetime.fromisoformat(d["scheduled_at"]) if d.get("scheduled_at") else None,
                   d.get("asked", True))  # kept before it was: as every agent message answered then

