"""The auto-close sweep: closes conversations idle past their period. It reads only the
deadlines that are due, so its cost follows them, not the conversations that are open."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from conversations.lookup import Lookup
from conversations.outbox import Outbox
from conversations.writer import Writer
from core.clock import Clock
from core.ids import thread_of
from core.ports import Deadline, Deadlines, Threads
from core.records import CLOSED, CLOSED_FOR_INACTIVITY, Conversation, Event
from core.retry import until_committed

log = logging.getLogger(__name__)


class Sweep:
    def __init__(self, threads: Threads, writer: Writer, deadlines: Deadlines, lookup: Lookup, outbox: Outbox,
                 clock: Clock) -> None:
        self._threads = threads
        self._writer = writer
        self._deadlines = deadlines
        self._lookup = lookup
        self._outbox = outbox
        self._clock = clock

    def run(self, limit: int = 1000, base_url: str | None = None) -> dict[str, int]:
        """Close conversations idle past their period; cost follows the deadlines due."""
        now = self._clock()
        counts = {"closed": 0, "rescheduled": 0, "dropped": 0}
        for deadline in self._deadlines.due(now, limit):
            outcome, closed = until_committed(lambda d=deadline: self._settle(d, now), "settle a deadline")
            counts[outcome] += 1
            if closed is not None:
                log.info("closed conversation %s for inactivity", closed.id)
                self._outbox.after_close(closed, base_url)
        if any(counts.values()):
            log.info("auto-close sweep: %s", counts)
        return counts

    def _settle(self, deadline: Deadline, now: datetime) -> tuple[str, Conversation | None]:
        """Drop a deadline whose conversation is gone or closed, move one that saw activity
        since, or close the conversation it is for."""
        thread = thread_of(deadline.key)
        head = self._threads.read_head(thread)
        if head is None or head.conversation.id != deadline.key or head.conversation.state == CLOSED:
            self._deadlines.remove(deadline)
            return "dropped", None
        conversation = head.conversation
        workstream = self._lookup.workstream_of(conversation)
        minutes = workstream.auto_close_after_minutes if workstream else conversation.auto_close_after_minutes
        due_at = conversation.last_activity_at + timedelta(minutes=minutes)
        if due_at > now:
            self._deadlines.move(deadline, due_at)
            return "rescheduled", None
        closed = replace(conversation, state=CLOSED, closed_at=now, closed_reason=CLOSED_FOR_INACTIVITY, offer=None)
        event = Event(closed.id, head.seq + 1, now, CLOSED, None, CLOSED_FOR_INACTIVITY)
        closed = self._writer.commit(thread, head, closed, event.seq, events=[event]).conversation
        self._deadlines.remove(deadline)
        return "closed", closed
