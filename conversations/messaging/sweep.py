"""The auto-close sweep: closes conversations idle past their period. It reads only the
deadlines that are due, so its cost follows them, not the conversations that are open.

A backlog (after an outage, thousands come due at once) is worked PARALLEL at a time and
for at most BUDGET, so one run ends before the next begins (every 5 minutes); what is
left, or failed, stays due for the next run.

A close's move keeps its job row among the deadlines, due with the deadline it closes
(conversations/messaging/writer.py JobsAt): once every reaction to it ran, the run removes
both in its one batch of deadlines; a job a run left (it stopped, or a reaction failed) is
due at once, and the next run finishes its move."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta

from conversations.messaging.lookup import Lookup
from conversations.messaging.outbox import Outbox
from conversations.messaging.writer import JOB, JobsAt, Move, Writer
from conversations.reactions import Reactions
from core import telemetry as metrics
from core.clock import Clock
from core.errors import CommitPending, SwitchboardError
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
            for outcome, done in pool.map(lambda d: self._one(d, now, ends, base_url), due):
                counts[outcome] = counts.get(outcome, 0) + 1
                settled.extend(done)
        self._deadlines.remove_all(settled)
        self._telemetry.count(metrics.SWEEP_CLOSED, counts["closed"])
        if any(counts.values()):
            log.info("auto-close sweep: %s", counts)
        return counts

    def _one(self, deadline: Deadline, now: datetime, ends: float,
             base_url: str | None) -> tuple[str, list[Deadline]]:
        """What became of a due row, and the rows the run removes for it."""
        if time.monotonic() > ends:
            return "left", []
        try:
            if deadline.key.startswith(f"{JOB}|"):
                return "replayed", self._replay(deadline)
            outcome, closed, jobs = until_committed(lambda: self._settle(deadline, now), "settle a deadline")
        except CommitPending:
            return "pending", []  # a close still to land: the next run sees it again
        except SwitchboardError as exc:
            log.warning("deadline of conversation %s left for the next run (%s)", deadline.key, exc.code)
            return "failed", []
        if closed is not None:
            log.info("closed conversation %s for inactivity", closed.id)
            self._outbox.after_close(closed, base_url)
        return outcome, [deadline, *jobs] if outcome in ("closed", "dropped") else []

    def _replay(self, job: Deadline) -> list[Deadline]:
        """Finish the move of a close a run left unfinished: its job, once done."""
        move = self._writer.replay(job, kept=True)
        return [job] if move is None or _finished(move, self._reactions.run([move])) else []

    def _settle(self, deadline: Deadline, now: datetime) -> tuple[str, Conversation | None, list[Deadline]]:
        """Drop a deadline whose conversation is gone or closed, move one that saw activity
        since, or close the conversation it is for (with its move's job, once every
        reaction ran)."""
        thread = thread_of(deadline.key)
        head = self._threads.read_head(thread)
        if head is None or head.conversation.id != deadline.key or head.conversation.state == CLOSED:
            return "dropped", None, []  # removed with the run's others
        conversation = head.conversation
        workstream = self._lookup.workstream_of(conversation)
        minutes = workstream.auto_close_after_minutes if workstream else conversation.auto_close_after_minutes
        due_at = conversation.last_activity_at + timedelta(minutes=minutes)
        if due_at > now:
            self._deadlines.move(deadline, due_at)
            return "rescheduled", None, []
        closed = replace(conversation, state=CLOSED, closed_at=now, closed_reason=CLOSED_FOR_INACTIVITY, offer=None)
        event = Event(closed.id, head.seq + 1, now, CLOSED, None, CLOSED_FOR_INACTIVITY)
        commit = self._writer.commit(thread, head, closed, event.seq, events=[event],
                                     jobs=JobsAt(self._deadlines, deadline.due_at))
        move = commit.move  # None: placing failed, and its job is left for the next run
        finished = self._reactions.run([move]) if move else []
        return "closed", commit.head.conversation, [move.job] if move and _finished(move, finished) else []


def _finished(move: Move, finished: list[Move]) -> bool:
    return any(m is move for m in finished)
