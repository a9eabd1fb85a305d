"""The auto-close sweep: closes conversations idle past their period. It reads only the
deadlines that are due, so its cost follows them, not the conversations that are open.

A backlog (after an outage, thousands come due at once) is worked PARALLEL at a time and
for at most BUDGET, so one run ends before the next begins (every 5 minutes); what is
left, or failed, stays due for the next run."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta

from conversations.messaging.lookup import Lookup
from conversations.messaging.outbox import Outbox
from conversations.messaging.writer import Writer
from conversations.reactions import Reactions
from core import telemetry as metrics
from core.clock import Clock
from core.errors import SwitchboardError
from core.ids import thread_of
from core.ports import Deadline, Deadlines, Telemetry, Threads
from core.records import CLOSED, CLOSED_FOR_INACTIVITY, Conversation, Event
from core.retry import until_committed
from core.telemetry import NoTelemetry

PARALLEL = 16  # conversations closed at a time
BUDGET = 4 * 60.0  # seconds of one run, so it ends before the next starts

log = logging.getLogger(__name__)


class Sweep:
    def __init__(self, *, threads: Threads, writer: Writer, reactions: Reactions, deadlines: Deadlines,
                 lookup: Lookup, outbox: Outbox, clock: Clock, telemetry: Telemetry = NoTelemetry()) -> None:
        self._telemetry = telemetry
        self._threads = threads
        self._writer = writer
        self._reactions = reactions
        self._deadlines = deadlines
        self._lookup = lookup
        self._outbox = outbox
        self._clock = clock

    def run(self, limit: int = 20_000, base_url: str | None = None) -> dict[str, int]:
        """Close conversations idle past their period; cost follows the deadlines due."""
        now, ends = self._clock(), time.monotonic() + BUDGET
        counts = {"closed": 0, "rescheduled": 0, "dropped": 0}
        due = [d for d in self._deadlines.due(now, limit) if d.due_at <= now]
        self._telemetry.count(metrics.SWEEP_DUE, len(due))
        settled: list[Deadline] = []
        with ThreadPoolExecutor(PARALLEL, thread_name_prefix="sweep") as pool:
            for deadline, outcome in zip(due, pool.map(lambda d: self._one(d, now, ends, base_url), due)):
                counts[outcome] = counts.get(outcome, 0) + 1
                if outcome in ("closed", "dropped"):
                    settled.append(deadline)
        self._deadlines.remove_all(settled)
        self._telemetry.count(metrics.SWEEP_CLOSED, counts["closed"])
        if any(counts.values()):
            log.info("auto-close sweep: %s", counts)
        return counts

    def _one(self, deadline: Deadline, now: datetime, ends: float, base_url: str | None) -> str:
        if time.monotonic() > ends:
            return "left"
        try:
            outcome, closed = until_committed(lambda: self._settle(deadline, now), "settle a deadline")
        except SwitchboardError as exc:
            log.warning("deadline of conversation %s left for the next run (%s)", deadline.key, exc.code)
            return "failed"
        if closed is not None:
            log.info("closed conversation %s for inactivity", closed.id)
            self._outbox.after_close(closed, base_url)
        return outcome

    def _settle(self, deadline: Deadline, now: datetime) -> tuple[str, Conversation | None]:
        """Drop a deadline whose conversation is gone or closed, move one that saw activity
        since, or close the conversation it is for."""
        thread = thread_of(deadline.key)
        head = self._threads.read_head(thread)
        if head is None or head.conversation.id != deadline.key or head.conversation.state == CLOSED:
            return "dropped", None  # removed with the run's others
        conversation = head.conversation
        workstream = self._lookup.workstream_of(conversation)
        minutes = workstream.auto_close_after_minutes if workstream else conversation.auto_close_after_minutes
        due_at = conversation.last_activity_at + timedelta(minutes=minutes)
        if due_at > now:
            self._deadlines.move(deadline, due_at)
            return "rescheduled", None
        closed = replace(conversation, state=CLOSED, closed_at=now, closed_reason=CLOSED_FOR_INACTIVITY, offer=None)
        event = Event(closed.id, head.seq + 1, now, CLOSED, None, CLOSED_FOR_INACTIVITY)
        closed = self._reactions.after(self._writer.commit(thread, head, closed, event.seq, events=[event])).conversation
        return "closed", closed  # its deadline is removed with the run's others
