"""What reports are made of: a conversation's fact row (its facts with what it is filed
under), the compact entry a finished day's digest keeps of it, and the query a report
answers (docs/reports.md)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.facts import SLA_COUNTS, Clocks, Facts, Measures, sla_count
from core.records import Conversation, Workstream
from core.sla import TARGETS

UTC = "UTC"
DAY, HOUR, AGENT, QUEUE, LABEL = "day", "hour", "agent", "queue", "label"
WORKSTREAM, CATEGORY = "workstream", "category"  # CATEGORY: a priced message's (core/pricing.py PRICED)
GROUPINGS = (DAY, HOUR, AGENT, QUEUE, LABEL, WORKSTREAM, CATEGORY)
COUNTS = ("conversations", "answered", "abandoned", "bot_resolved")
DURATIONS = ("wait_seconds", "first_response_seconds", "handle_seconds")
CSAT = "csat"
SLA = "sla"
SLA_MEASURES = tuple(f"{SLA}_{t}" for t in TARGETS)  # the conversations with a clock of the target ended
COST = "estimated_cost"  # the sum of its messages' estimated costs (core/pricing.py), in the rate table's currency
MEASURES = (*COUNTS, *DURATIONS, CSAT, *SLA_MEASURES, COST)
NO_CLOCKS = (0,) * len(SLA_COUNTS)


def zone_of(workstream: Workstream | None) -> str:
    """A workstream's time zone: its operating hours', else UTC."""
    hours = workstream.settings.operating_hours if workstream else None
    return hours.time_zone if hours else UTC


def local(when: datetime, zone: str) -> datetime:
    return when.astimezone(ZoneInfo(zone))


def filed(when: datetime, zone: str) -> tuple[str, int]:
    """The day (YYYY-MM-DD) and hour ``when`` falls on in ``zone``."""
    at = local(when, zone)
    return at.date().isoformat(), at.hour


@dataclass(frozen=True)
class Entry:
    """One conversation as a finished day's digest keeps it: what reports group, filter
    and measure by, without ids or the customer."""

    hour: int
    queue: str | None
    agents: tuple[str, ...]
    channel: str
    answered: bool
    abandoned: bool
    bot_resolved: bool
    wait_seconds: int | None
    first_response_seconds: int | None
    handle_seconds: int | None
    csat: int | None
    sla: tuple[int, ...] = NO_CLOCKS  # its clocks met and breached per target, as SLA_COUNTS names them
    labels: tuple[str, ...] = ()
    costs: tuple[tuple[str, str], ...] = ()  # per category, as Facts.costs

    def clocks(self, target: str) -> Clocks:
        counts = dict(zip(SLA_COUNTS, self.sla))
        return Clocks(counts[sla_count(target, "met")], counts[sla_count(target, "breached")])

    def to_list(self) -> list[Any]:
        return [self.hour, self.queue, list(self.agents), self.channel, int(self.answered), int(self.abandoned),
                int(self.bot_resolved), self.wait_seconds, self.first_response_seconds, self.handle_seconds, self.csat,
                *self.sla, list(self.labels), [list(c) for c in self.costs]]

    @classmethod
    def from_list(cls, v: list[Any]) -> Entry:
        end = 11 + len(SLA_COUNTS)
        return cls(v[0], v[1], tuple(v[2]), v[3], bool(v[4]), bool(v[5]), bool(v[6]), v[7], v[8], v[9], v[10],
                   tuple(v[11:end]), tuple(v[end]) if len(v) > end else (),
                   tuple((c, a) for c, a in v[end + 1]) if len(v) > end + 1 else ())


COLUMNS = ("hour", "queue", "agents", "channel", "answered", "abandoned", "bot_resolved", "wait_seconds",
           "first_response_seconds", "handle_seconds", "csat", *SLA_COUNTS, "labels", "costs")


@dataclass(frozen=True)
class Digest:
    """A finished day's conversations as columns, one value per conversation in each (an
    Entry's fields): what a summary adds up without making an object per conversation."""

    columns: dict[str, list[Any]]

    def __post_init__(self) -> None:
        """A digest kept before the SLA, label and cost columns existed reads as one without
        clocks (zeros), labels or costs."""
        for name in SLA_COUNTS:
            self.columns.setdefault(name, [0] * len(self))
        self.columns.setdefault("labels", [[] for _ in range(len(self))])
        self.columns.setdefault("costs", [[] for _ in range(len(self))])

    @classmethod
    def of(cls, entries: list[Entry]) -> Digest:
        rows = [e.to_list() for e in entries]
        return cls({name: [r[i] for r in rows] for i, name in enumerate(COLUMNS)})

    def __len__(self) -> int:
        return len(self.columns["hour"])

    @cached_property
    def present(self) -> dict[str, list[int]]:
        """Each duration's and csat's values that are there, sorted (worked out once)."""
        return {name: sorted(v for v in self.columns[name] if v is not None) for name in (*DURATIONS, CSAT)}

    @cached_property
    def counts(self) -> dict[str, int]:
        return {"conversations": len(self), **{name: sum(self.columns[name]) for name in (*COUNTS[1:], *SLA_COUNTS)},
                "csat_total": sum(self.present[CSAT])}

    def cost(self, category: str | None = None) -> Decimal:
        """Its conversations' estimated costs added up: all, or one category's."""
        return sum((Decimal(amount) for costs in self.columns["costs"] for kind, amount in costs
                    if category is None or kind == category), Decimal(0))

    def entries(self) -> list[Entry]:
        return [Entry.from_list(list(values)) for values in zip(*(self.columns[n] for n in COLUMNS))]


@dataclass(frozen=True)
class FactRow:
    """A conversation's facts as reports file them: under its workstream and the day (and
    hour) it was created in the workstream's time zone. ``customer`` is empty once erased."""

    conversation_id: str
    workstream_id: str
    day: str  # YYYY-MM-DD
    hour: int
    created_at: datetime
    queue: str | None
    channel: str
    provider: str
    customer: str
    facts: Facts
    version: int = 0  # the conversation's version these facts are of: an older one never overwrites a newer

    @classmethod
    def of(cls, c: Conversation, zone: str) -> FactRow:
        """Filed as it was when created (Facts.day, hour), else by ``zone`` now."""
        day, hour = (c.facts.day, c.facts.hour) if c.facts.day is not None else filed(c.created_at, zone)
        return cls(c.id, c.workstream_id or "", day, hour or 0, c.created_at, c.queue, c.channel, c.provider,
                   c.customer, c.facts, c.version)

    @property
    def measures(self) -> Measures:
        return Measures.of(self.created_at, self.facts)

    def entry(self) -> Entry:
        m, f = self.measures, self.facts
        return Entry(self.hour, self.queue, f.agents, self.channel, m.answered, m.abandoned, m.bot_resolved,
                     m.wait_seconds, m.first_response_seconds, m.handle_seconds, f.csat,
                     tuple(m.sla_counts()[name] for name in SLA_COUNTS), f.labels, f.costs)


@dataclass(frozen=True)
class Place:
    """Where a fact row was found: its workstream, day and key; a drill-down's next page
    starts after it (rows are in key order, so rows written meanwhile are not repeated)."""

    workstream_id: str
    day: str
    key: str


@dataclass(frozen=True)
class ReportQuery:
    """Which conversations a report covers and how it groups them. ``first`` and ``last``
    are days, inclusive; ``group`` picks one group (drill-down)."""

    first: date
    last: date
    workstream_id: str | None = None
    queue: str | None = None
    agent_id: str | None = None
    channel: str | None = None
    group_by: str = DAY
    group: str | None = None
    measure: str = "conversations"

    def keeps(self, e: Entry) -> bool:
        return ((self.queue is None or (e.queue or "") == self.queue)
                and (self.agent_id is None or self.agent_id in e.agents)
                and (self.channel is None or e.channel == self.channel))


def keys_of(e: Entry, day: str, group_by: str, workstream_id: str = "") -> tuple[str, ...]:
    """The groups an entry counts in: one, except by agent (each agent who held it; none
    when nobody did), by label (each of its labels; "" when it has none) and by category
    (each category it has a cost in; "" when none)."""
    if group_by == WORKSTREAM:
        return (workstream_id,)
    if group_by == CATEGORY:
        return tuple(category for category, _ in e.costs) or ("",)
    if group_by == HOUR:
        return (f"{e.hour:02d}",)
    if group_by == AGENT:
        return e.agents
    if group_by == QUEUE:
        return (e.queue or "",)
    if group_by == LABEL:
        return e.labels or ("",)
    return (day,)


def counts_in(e: Entry, measure: str) -> bool:
    """Whether the entry is one of those behind ``measure``'s figure."""
    if measure == "conversations":
        return True
    if measure == CSAT:
        return e.csat is not None
    if measure == COST:
        return bool(e.costs)
    if measure in SLA_MEASURES:
        clocks = e.clocks(measure.removeprefix(f"{SLA}_"))
        return clocks.met + clocks.breached > 0
    value = getattr(e, measure)
    return value is not None and value is not False
