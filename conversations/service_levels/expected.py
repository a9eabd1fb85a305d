"""The expected wait of a queue: the median wait of its conversations an agent took today
(in the workstream's time zone), the most recent ``RECENT`` of them; known per instance
for ``KEEP`` so a burst of customers costs one read of the fact rows. Fact rows are filed
by the day a conversation began, so those of yesterday are read too: one begun before
midnight and taken after it was taken today."""

from __future__ import annotations

import statistics
import threading
from datetime import datetime, timedelta

from conversations.reports.days import Days
from core.clock import Clock
from core.records import Workstream
from core.reports import local, zone_of

RECENT = 50
KEEP = timedelta(seconds=60)


class ExpectedWait:
    def __init__(self, *, days: Days, clock: Clock) -> None:
        self._days = days
        self._clock = clock
        self._known: dict[tuple[str, str | None], tuple[datetime, timedelta | None]] = {}
        self._lock = threading.Lock()

    def of(self, workstream: Workstream, queue: str | None) -> timedelta | None:
        """None when no conversation of the queue was taken today."""
        now, key = self._clock(), (workstream.id, queue)
        with self._lock:
            known = self._known.get(key)
        if known is not None and now - known[0] < KEEP:
            return known[1]
        zone = zone_of(workstream)
        today = local(now, zone).date()
        rows = (r for day in (today - timedelta(days=1), today) for r in self._days.rows_of(workstream.id, day.isoformat()))
        taken = sorted((r.facts.accepted_at, r.measures.wait_seconds) for r in rows
                       if (r.queue or None) == queue and r.facts.accepted_at and r.measures.wait_seconds is not None
                       and local(r.facts.accepted_at, zone).date() == today)
        expected = timedelta(seconds=statistics.median(w for _, w in taken[-RECENT:])) if taken else None
        with self._lock:
            self._known[key] = (now, expected)
        return expected
