"""What happened to a conversation, for reports: its facts, kept with it and carried
forward by every commit of its head (conversations/messaging/writer.py), and the measures
they give. The measures are defined once, here and in docs/reports.md:

- ``wait_seconds``: from when it first waited in a queue to when an agent first held it;
- ``first_response_seconds``: from the customer's first message (its creation, for facts
  kept before that was kept) to the first message an agent wrote after it: a message the
  business sent first (a proactive one) answers nothing;
- ``handle_seconds``: from when an agent first held it to its closing;
- ``resolution_seconds``: from its creation to its closing;
- ``abandoned``: the customer wrote, it waited in a queue and closed without any agent's
  answer;
- ``answered``: an agent answered the customer in it;
- ``bot_resolved``: its bot had it to the end, never handing it off;
- ``sla``: per service-level target (core/sla.py ``TARGETS``: first_response, next_response,
  resolution), how many of its clocks were met in time and how many breached (a clock still
  running, or stopped by the closing before it was due, is neither); ``share_met`` is met
  over met and breached, none when no clock ended. Flat, as reports and telemetry carry
  them: ``sla_<target>_met`` and ``sla_<target>_breached`` (``SLA_COUNTS``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable

from core.pricing import total
from core.settings import SURVEY
from core.sla import TARGETS
from core.status import NOT_SENT

if TYPE_CHECKING:
    from core.records import Conversation, Event, Message

RESOLVED, HANDED_OFF = "resolved", "handed_off"  # how a bot stage ended
CSAT_SCORES = range(1, 6)


@dataclass(frozen=True)
class Facts:
    queued_at: datetime | None = None  # the first time it waited in a queue
    first_offered_at: datetime | None = None
    accepted_at: datetime | None = None  # the first time an agent held it
    first_agent_reply_at: datetime | None = None
    first_reply_at: datetime | None = None  # the first message of ours of any kind: agent, bot or automated
    closed_at: datetime | None = None
    closed_by: str | None = None  # core.records CLOSED_BY_*
    transfers: int = 0
    customer_messages: int = 0
    agent_messages: int = 0
    agents: tuple[str, ...] = ()  # the agents who held it, in order, each once
    bot_outcome: str | None = None  # RESOLVED or HANDED_OFF, once its bot stage ended
    csat: int | None = None  # the customer's answer to the survey question, 1-5
    csat_at: datetime | None = None
    survey_sent_at: datetime | None = None  # when the survey question went out (its answer window opens)
    day: str | None = None  # the day (YYYY-MM-DD) and hour it was created, in its workstream's time zone
    hour: int | None = None  # then: reports file it there, whatever the zone becomes
    sla_met: tuple[str, ...] = ()  # a service-level target (core/sla.py) per clock met in time, in order
    sla_breached: tuple[str, ...] = ()  # ... and per clock that ran late
    disposition: str | None = None  # what the agent who closed it recorded
    labels: tuple[str, ...] = ()  # its labels, as they are now
    costs: tuple[tuple[str, str], ...] = ()  # per category (core/pricing.py), its messages' estimated cost
    first_customer_at: datetime | None = None  # the customer's first message (None in facts kept before it was)

    def after(self, before: Conversation | None, now: Conversation, messages: Iterable[Message] = (),
              events: Iterable[Event] = (), at: datetime | None = None) -> Facts:
        """These facts carried over a commit from ``before`` to ``now``, writing ``messages``
        and ``events``; ``at`` is when, for what no message or event dates."""
        from core.records import CLOSED, INBOUND, NOTE, OFFERED, TRANSFERRED  # records import this module

        facts, when = self, at or now.last_activity_at
        after_closing = before is not None and before.state == CLOSED  # its closing message, survey, answer
        for m in (m for m in messages if m.cost is not None):  # priced on the commit that stores it
            facts = facts._costed(m.cost.category, m.cost.amount)
        for m in (m for m in messages if m.direction != NOTE and not m.agent_reaction):  # notes, reactions: no answer
            if after_closing:
                asked = m.automated == SURVEY and m.status != NOT_SENT  # a survey held back asked nothing
                facts = replace(facts, survey_sent_at=m.created_at) if asked else facts
            else:
                facts = facts._message(m, INBOUND)
        for e in events:
            if e.action == OFFERED and facts.first_offered_at is None:
                facts = replace(facts, first_offered_at=e.at)
            elif e.action == TRANSFERRED:
                facts = replace(facts, transfers=facts.transfers + 1)
        facts = replace(facts, labels=now.labels) if facts.labels != now.labels else facts
        if now.queued_at is not None and facts.queued_at is None and now.stage is None:  # a bot's is no queue
            facts = replace(facts, queued_at=now.queued_at)
        if now.offer is not None and facts.first_offered_at is None:
            facts = replace(facts, first_offered_at=when)
        if now.agent is not None and now.agent.id not in facts.agents:
            facts = replace(facts, agents=(*facts.agents, now.agent.id),
                            accepted_at=facts.accepted_at or when)
        if now.handoff is not None and facts.bot_outcome is None:
            facts = replace(facts, bot_outcome=HANDED_OFF)
        if now.state == CLOSED and facts.closed_at is None:
            ended_with_bot = before is not None and before.stage is not None and now.handoff is None
            facts = replace(facts, closed_at=now.closed_at or when, closed_by=now.closed_reason,
                            bot_outcome=facts.bot_outcome or (RESOLVED if ended_with_bot else None),
                            disposition=now.disposition)
        return facts

    def _message(self, m: Message, inbound: str) -> Facts:
        """A message carried into the facts; one of ours before the customer wrote (the
        business wrote first) answers nothing."""
        if m.direction == inbound:
            first = self.customer_messages == 0  # facts kept before first_customer_at was: created_at stands for it
            return replace(self, customer_messages=self.customer_messages + 1,
                           first_customer_at=self.first_customer_at or (m.created_at if first else None))
        asked = self.customer_messages > 0
        facts = replace(self, first_reply_at=self.first_reply_at or (m.created_at if asked else None))
        if m.agent is None or m.automated or m.from_bot:
            return facts
        return replace(facts, agent_messages=facts.agent_messages + 1,
                       first_agent_reply_at=facts.first_agent_reply_at or (m.created_at if asked else None))

    def _costed(self, category: str, amount: Decimal) -> Facts:
        costs = dict(self.costs)
        costs[category] = str(Decimal(costs.get(category, "0")) + amount)
        return replace(self, costs=tuple(sorted(costs.items())))

    @property
    def estimated_cost(self) -> str | None:
        """What its messages are estimated to cost (a decimal string); None: nothing priced."""
        return total(amount for _, amount in self.costs) if self.costs else None

    def to_dict(self) -> dict[str, Any]:
        """What differs from a new conversation's facts (hour 0 is an hour, not nothing: read
        back as None, it made every move of a conversation created then place it twice)."""
        return {k: v.isoformat() if isinstance(v, datetime) else list(v) if isinstance(v, tuple) else v
                for k, v in self.__dict__.items() if v != getattr(NONE_YET, k)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Facts:
        def value(name: str, kept: Any) -> Any:
            if name in ("agents", "sla_met", "sla_breached", "labels"):
                return tuple(kept)
            if name == "costs":
                return tuple((category, amount) for category, amount in kept)
            return datetime.fromisoformat(kept) if name.endswith("_at") and kept else kept

        return cls(**{k: value(k, v) for k, v in d.items() if k in cls.__dataclass_fields__})


NONE_YET = Facts()  # a new conversation's


def seconds(start: datetime | None, end: datetime | None) -> int | None:
    return max(0, round((end - start).total_seconds())) if start and end else None


def sla_count(target: str, result: str) -> str:
    """The flat name of a target's clocks met or breached (``result``): sla_first_response_met."""
    return f"sla_{target}_{result}"


SLA_COUNTS = tuple(sla_count(t, result) for t in TARGETS for result in ("met", "breached"))


@dataclass(frozen=True)
class Clocks:
    """How many of one target's service-level clocks were met in time, and how many breached."""

    met: int = 0
    breached: int = 0

    @property
    def share_met(self) -> float | None:
        ended = self.met + self.breached
        return round(self.met / ended, 4) if ended else None


@dataclass(frozen=True)
class Measures:
    """A conversation's measures (see the module's docstring)."""

    wait_seconds: int | None
    first_response_seconds: int | None
    handle_seconds: int | None
    resolution_seconds: int | None
    answered: bool
    abandoned: bool
    bot_resolved: bool
    sla: dict[str, Clocks]  # per target of core/sla.py TARGETS, in its order

    @classmethod
    def of(cls, created_at: datetime, f: Facts) -> Measures:
        return cls(
            wait_seconds=seconds(f.queued_at, f.accepted_at),
            first_response_seconds=seconds(f.first_customer_at or created_at, f.first_agent_reply_at),
            handle_seconds=seconds(f.accepted_at, f.closed_at),
            resolution_seconds=seconds(created_at, f.closed_at),
            answered=f.first_agent_reply_at is not None,
            abandoned=(f.queued_at is not None and f.closed_at is not None and f.first_agent_reply_at is None
                       and f.customer_messages > 0),
            bot_resolved=f.bot_outcome == RESOLVED,
            sla={t: Clocks(f.sla_met.count(t), f.sla_breached.count(t)) for t in TARGETS},
        )

    def sla_counts(self) -> dict[str, int]:
        """The SLA results flat, by ``SLA_COUNTS``' names, in its order."""
        return {name: value for t, c in self.sla.items()
                for name, value in ((sla_count(t, "met"), c.met), (sla_count(t, "breached"), c.breached))}
