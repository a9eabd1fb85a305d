"""Retention: a closed conversation is deleted, with its messages, markers, inbox rows and
deadline, once its workstream's ``retention_days`` (capped by the RETENTION_MAX_DAYS app
setting; neither set: kept) have passed since it closed.

When a conversation closes, a row falls due in the ``retention`` table (time-bucketed
like the auto-close deadlines, storage/deadlines.py): the timer reads only what is due,
so its cost follows the conversations to delete, not those kept. A row is a hint: the
conversation is read again, and one whose retention grew since is moved, not deleted.
A thread whose head goes with it leaves its opt-out behind, hashed (storage/optouts.py);
its fact row for reports goes with it (finished days' digests keep their counts)."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from conversations.messaging.lookup import Lookup
from conversations.messaging.writer import Move
from conversations.reports.facts_log import FactsLog
from core.clock import Clock
from core.custody import OptOuts, Purge, add_counts
from core.errors import SwitchboardError
from core.ids import thread_of
from core.ports import Deadline, Deadlines, Threads
from core.records import CLOSED, OPTED_OUT, Workstream

log = logging.getLogger(__name__)

PARALLEL = 16
BUDGET = 4 * 60.0  # seconds of one run


class Retention:
    def __init__(self, due_rows: Deadlines, threads: Threads, purge: Purge, optouts: OptOuts, lookup: Lookup,
                 max_days: int | None, clock: Clock, facts: FactsLog) -> None:
        self._rows = due_rows
        self._threads = threads
        self._purge = purge
        self._optouts = optouts
        self._lookup = lookup
        self._max_days = max_days
        self._clock = clock
        self._facts = facts

    def days_for(self, workstream_id: str | None) -> int | None:
        """How long a workstream's closed conversations are kept: its own days, capped by
        the global maximum; None when neither is set (kept)."""
        return self._days(self._lookup.workstream(workstream_id) if workstream_id else None)

    def _days(self, workstream: Workstream | None) -> int | None:
        return self._capped(workstream.settings.retention_days if workstream else None)

    def _capped(self, days: int | None) -> int | None:
        kept = [d for d in (days, self._max_days) if d]
        return min(kept) if kept else None

    def _days_due(self, workstream_id: str | None) -> int | None:
        """``days_for`` a due row's workstream; for one deleted since, the retention it had
        when it was deleted (its conversations are not kept for ever, nor sooner than it
        said), or, deleted before that was kept, 0: they go as their rows fall due."""
        workstream = self._lookup.workstream(workstream_id) if workstream_id else None
        if workstream_id and workstream is None:
            retired, days = self._lookup.retired(workstream_id)
            return self._capped(days) if retired else 0
        return self._days(workstream)

    def moved(self, move: Move) -> list[Move]:
        """A reaction to a commit (conversations/reactions.py): a conversation that just
        closed falls due for deletion."""
        was, after = move.was, move.conversation
        if after.state != CLOSED or (was is not None and was.state == CLOSED):
            return []
        days = self.days_for(after.workstream_id)
        if days is not None:
            self._rows.schedule(after.id, (after.closed_at or move.as_of) + timedelta(days=days),
                                {"workstream": after.workstream_id or ""})
        return []

    def run(self, limit: int = 20_000) -> dict[str, int]:
        now, ends = self._clock(), time.monotonic() + BUDGET
        due = [d for d in self._rows.due(now, limit) if d.due_at <= now]
        days = {w: self._days_due(w) for w in {d.data.get("workstream") or None for d in due}}  # once a run
        counts: dict[str, int] = {}
        settled: list[Deadline] = []
        with ThreadPoolExecutor(PARALLEL, thread_name_prefix="retention") as pool:
            for row, (outcome, erased) in zip(due, pool.map(lambda d: self._one(d, days, now, ends), due)):
                add_counts(counts, {outcome: 1, **erased})
                if outcome in ("deleted", "dropped"):
                    settled.append(row)
        self._rows.remove_all(settled)
        if counts:
            log.info("retention: %s", counts)
        return counts

    def _one(self, row: Deadline, days: dict[str | None, int | None], now: datetime,
             ends: float) -> tuple[str, dict[str, int]]:
        if time.monotonic() > ends:
            return "left", {}
        try:
            return self._settle(row, days.get(row.data.get("workstream") or None), now)
        except SwitchboardError as exc:
            log.warning("retention of conversation %s left for the next run (%s)", row.key, exc.code)
            return "failed", {}

    def _settle(self, row: Deadline, days: int | None, now: datetime) -> tuple[str, dict[str, int]]:
        conversation = self._threads.get_conversation(row.key)
        if conversation is None or conversation.state != CLOSED:
            return "dropped", {}
        if days is None:
            return "dropped", {}  # its workstream keeps conversations now
        due_at = (conversation.closed_at or now) + timedelta(days=days)
        if due_at > now:
            self._rows.move(row, due_at)
            return "rescheduled", {}
        head = self._threads.read_head(thread_of(conversation.id))
        head = head if head is not None and head.conversation.id == conversation.id else None
        if head is not None:  # the thread's consent goes with its head: an opt-out stays, hashed
            if head.conversation.consent.state == OPTED_OUT:
                self._optouts.keep(thread_of(conversation.id))
            else:
                self._optouts.drop(thread_of(conversation.id))
        self._facts.drop(conversation)  # first, so a crash after the purge leaves no row behind
        return "deleted", self._purge.erase_conversation(conversation, head)
