"""A workstream's days as reports read them: each finished day's digest, computed once from
its fact rows and kept (again when a late fact marked it stale), and today from its fact
rows as they stand. An instance keeps the digests it read, by ETag, so a report whose days
it knows reads only their ETags: the same one small range at any number of conversations.
"""

from __future__ import annotations

import logging
import threading
from datetime import date, timedelta
from typing import Iterator

from conversations.reports.scope import Covered
from core.ports import ReportStore
from core.reports import Digest, FactRow
from core.retry import ConcurrencyConflict

log = logging.getLogger(__name__)

PAGE = 1000  # fact rows per storage page
KNOWN_CONVERSATIONS = 200_000  # conversations in the digests an instance keeps (some 100 MB at most)

Kept = dict[str, tuple[Digest | None, str | None]]


def each_day(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


class Days:
    def __init__(self, reports: ReportStore) -> None:
        self._reports = reports
        self._known: dict[tuple[str, str], tuple[str, Digest]] = {}
        self._conversations = 0  # in the digests known
        self._lock = threading.Lock()

    def of(self, w: Covered, first: date, last: date) -> Iterator[tuple[str, Digest]]:
        """Each day of ``first``..``last`` up to the workstream's today, with its digest."""
        first, last = max(first, w.since or first), min(last, w.today)
        finished = [d.isoformat() for d in each_day(first, min(last, w.today - timedelta(days=1)))]
        kept = self._kept(w.workstream_id, finished) if finished else {}
        for day in each_day(first, last):
            name = day.isoformat()
            digest, etag = kept.get(name, (None, None))
            if digest is None:
                digest = Digest.of([r.entry() for r in self.rows_of(w.workstream_id, name)])
                if day < (w.settled or w.today) and (w.kept_from is None or day >= w.kept_from):
                    self._keep(w.workstream_id, name, digest, etag)
            yield name, digest

    def rows_of(self, workstream_id: str, day: str, after: str | None = None) -> Iterator[FactRow]:
        """A day's fact rows in key order (those keyed after ``after``), a page at a time."""
        token: str | None = None
        while True:
            found, token = self._reports.rows(workstream_id, day, PAGE, token, after)
            yield from found
            if token is None:
                return

    def _kept(self, workstream_id: str, days: list[str]) -> Kept:
        """The days' digests: from what this instance knows when every ETag still matches
        (one read of ETags), else read whole (one read)."""
        known = {d: k for d in days if (k := self._known.get((workstream_id, d))) is not None}
        if len(known) == len(days):
            tags = self._reports.digest_tags(workstream_id, days[0], days[-1])
            if all(tags.get(d) == (False, etag) for d, (etag, _) in known.items()):
                return {d: (digest, etag) for d, (etag, digest) in known.items()}
        found: Kept = dict(self._reports.digests(workstream_id, days[0], days[-1]))
        for d, (digest, etag) in found.items():
            if digest is not None and etag is not None:
                self._know(workstream_id, d, etag, digest)
        return found

    def _keep(self, workstream_id: str, day: str, digest: Digest, etag: str | None) -> None:
        try:
            kept = self._reports.keep(workstream_id, day, digest, etag)
            if kept is not None:
                self._know(workstream_id, day, kept, digest)
        except ConcurrencyConflict:  # a late fact marked it stale meanwhile, or another report kept it
            log.info("digest of workstream %s day %s changed while computed; left for the next report",
                     workstream_id, day)

    def _know(self, workstream_id: str, day: str, etag: str, digest: Digest) -> None:
        with self._lock:
            kept = self._known.pop((workstream_id, day), None)
            self._conversations += len(digest) - (len(kept[1]) if kept else 0)
            self._known[(workstream_id, day)] = (etag, digest)
            while self._conversations > KNOWN_CONVERSATIONS and len(self._known) > 1:
                oldest = next(iter(self._known))  # dicts keep insertion order: the first known
                self._conversations -= len(self._known.pop(oldest)[1])
