"""The auto-close sweep: closes conversations idle past their period. It reads only the
deadlines that are due, so its cost follows them, not the conversations that are open.
Mixed into the Engine."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from conversations.concurrency import ATTEMPTS, back_off
from conversations.errors import StorageUnavailable
from conversations.models import CLOSED, CLOSED_FOR_INACTIVITY
from storage.deadlines import Deadline
from storage.threads import ConcurrencyConflict, partition_of

log = logging.getLogger(__name__)


class Sweep:
    """The Engine's sweep; it uses the Engine's deadlines, threads and workstreams."""

    def sweep(self, limit: int = 1000, base_url: str | None = None) -> dict[str, int]:
        """Close conversations idle past their period; cost follows the deadlines due."""
        now = self._clock()
        counts = {"closed": 0, "rescheduled": 0, "dropped": 0}
        for deadline in self._deadlines.due(now, limit):
            counts[self._settle(deadline, now, base_url)] += 1
        if any(counts.values()):
            log.info("auto-close sweep: %s", counts)
        return counts

    def _settle(self, deadline: Deadline, now: datetime, base_url: str | None) -> str:
        pk = partition_of(deadline.conversation_id)
        for attempt in range(ATTEMPTS):
            head = self._threads.read_head(pk)
            if head is None or head.conversation.id != deadline.conversation_id or head.conversation.state == CLOSED:
                self._deadlines.remove(deadline)
                return "dropped"
            conversation = head.conversation
            workstream = self._workstream_of(conversation)
            minutes = workstream.auto_close_after_minutes if workstream else conversation.auto_close_after_minutes
            due_at = conversation.last_activity_at + timedelta(minutes=minutes)
            if due_at > now:
                self._deadlines.move(deadline, due_at)
                return "rescheduled"
            closed = replace(conversation, state=CLOSED, closed_at=now, closed_reason=CLOSED_FOR_INACTIVITY)
            try:
                self._threads.commit(pk, head, closed, head.seq)
            except ConcurrencyConflict:
                back_off(attempt)
                continue
            self._deadlines.remove(deadline)
            log.info("closed conversation %s for inactivity", conversation.id)
            self._after_close(closed, base_url)
            return "closed"
        raise StorageUnavailable("could not settle a deadline, will retry on the next run")
