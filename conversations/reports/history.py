"""Reports over days: summaries from finished days' digests (each computed once and kept)
and today's fact rows; the conversations behind a figure and the export, a page of fact
rows at a time (docs/reports.md)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterator

from conversations.access import Scope
from conversations.reports.figures import figures
from conversations.reports.scope import Covered, Reach
from core.ports import ReportStore
from core.reports import AGENT, DAY, HOUR, QUEUE, Entry, FactRow, ReportQuery, counts_in, keys_of
from core.retry import ConcurrencyConflict

log = logging.getLogger(__name__)

PAGE = 1000  # fact rows per storage page


@dataclass(frozen=True)
class Place:
    """Where a fact row was found: its workstream, day, the storage page (its token) and
    its index there; a drill-down's next page starts after it."""

    workstream_id: str
    day: str
    token: str | None
    index: int


class History:
    def __init__(self, *, reports: ReportStore, reach: Reach) -> None:
        self._reports = reports
        self._reach = reach

    def summary(self, scope: Scope, q: ReportQuery) -> dict[str, Any]:
        """Figures per group and in total; one range of digests per workstream, its days
        without a fresh digest computed once (and kept), and today's fact rows."""
        by_day: list[tuple[str, Entry]] = []
        for w in self._reach.covered(scope, q.workstream_id):
            by_day.extend((day, e) for day, entries in self._days(w, q) for e in entries if q.keeps(e))
        groups: dict[str, list[Entry]] = _empty(q)
        for day, e in by_day:
            for key in keys_of(e, day, q.group_by):
                groups.setdefault(key, []).append(e)
        names = self._reach.agent_names() if q.group_by == AGENT else {}
        return {
            "from": q.first.isoformat(), "to": q.last.isoformat(), "group_by": q.group_by,
            "groups": [{"key": key, "label": _label(q.group_by, key, names), **figures(groups[key])}
                       for key in _ordered(q, groups)],
            "total": figures(e for _, e in by_day),
        }

    def today(self, w: Covered) -> dict[str, Any]:
        """Today's figures so far, from today's fact rows."""
        return {"key": w.today.isoformat(),
                **figures(r.entry() for r in self._day_rows(w.workstream_id, w.today.isoformat()))}

    def rows(self, scope: Scope, q: ReportQuery, after: Place | None = None) -> Iterator[tuple[Place, FactRow]]:
        """The fact rows a report covers that pass its filters (and its group and measure,
        when given), each with its place, from ``after`` on: a page of storage at a time,
        workstream by workstream, day by day."""
        for w in self._reach.covered(scope, q.workstream_id):
            if after is not None and w.workstream_id != after.workstream_id:
                continue
            for day in _days(q.first, min(q.last, w.today)):
                if after is not None and day.isoformat() < after.day:
                    continue
                token = after.token if after is not None and day.isoformat() == after.day else None
                skip = after.index + 1 if after is not None and day.isoformat() == after.day else 0
                after = None
                while True:
                    found, following = self._reports.rows(w.workstream_id, day.isoformat(), PAGE, token)
                    for index, row in enumerate(found[skip:], skip):
                        if _behind(q, row):
                            yield Place(w.workstream_id, day.isoformat(), token, index), row
                    if following is None:
                        break
                    token, skip = following, 0

    def _days(self, w: Covered, q: ReportQuery) -> Iterator[tuple[str, list[Entry]]]:
        last = min(q.last, w.today)
        if q.first > last:
            return
        yesterday = w.today - timedelta(days=1)
        kept = self._reports.digests(w.workstream_id, q.first.isoformat(), yesterday.isoformat()) \
            if q.first <= yesterday else {}
        for day in _days(q.first, last):
            name = day.isoformat()
            entries, etag = kept.get(name, (None, None))
            if entries is None:
                entries = [r.entry() for r in self._day_rows(w.workstream_id, name)]
                if day < w.today:
                    self._keep(w.workstream_id, name, entries, etag)
            yield name, entries

    def _day_rows(self, workstream_id: str, day: str) -> Iterator[FactRow]:
        token: str | None = None
        while True:
            found, token = self._reports.rows(workstream_id, day, PAGE, token)
            yield from found
            if token is None:
                return

    def _keep(self, workstream_id: str, day: str, entries: list[Entry], etag: str | None) -> None:
        try:
            self._reports.keep(workstream_id, day, entries, etag)
        except ConcurrencyConflict:  # a late fact marked it stale meanwhile, or another report kept it
            log.info("digest of workstream %s day %s changed while computed; left for the next report",
                     workstream_id, day)


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _behind(q: ReportQuery, row: FactRow) -> bool:
    e = row.entry()
    return q.keeps(e) and (q.group is None or q.group in keys_of(e, row.day, q.group_by)) and counts_in(e, q.measure)


def _empty(q: ReportQuery) -> dict[str, list[Entry]]:
    """Every day, or every hour of the day, shows, with or without conversations."""
    if q.group_by == DAY:
        return {d.isoformat(): [] for d in _days(q.first, q.last)}
    return {f"{h:02d}": [] for h in range(24)} if q.group_by == HOUR else {}


def _ordered(q: ReportQuery, groups: dict[str, list[Entry]]) -> list[str]:
    if q.group_by == AGENT:
        return sorted(groups, key=lambda k: (-len(groups[k]), k))
    return sorted(groups)


def _label(group_by: str, key: str, names: dict[str, str]) -> str:
    if group_by == HOUR:
        return f"{key}:00"
    if group_by == QUEUE:
        return key or "(no queue)"
    if group_by == AGENT:
        return names.get(key, key)
    return key
