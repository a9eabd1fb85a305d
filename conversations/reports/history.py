"""Reports over days: summaries from each workstream's days (days.py: finished days'
digests, today's fact rows); the conversations behind a figure and the export, a page of
fact rows at a time (docs/reports.md)."""

from __future__ import annotations

from datetime import date
from typing import Any, Iterator

from conversations.access import Scope
from conversations.reports.days import Days, each_day
from conversations.reports.figures import digest_figures, figures
from conversations.reports.scope import Covered, Reach
from core.ports import ReportStore
from core.reports import (
    AGENT, CATEGORY, DAY, HOUR, LABEL, QUEUE, WORKSTREAM, Digest, Entry, FactRow, Place, ReportQuery, counts_in,
    keys_of,
)


class History:
    def __init__(self, *, reports: ReportStore, reach: Reach) -> None:
        self._days = Days(reports)
        self._reach = reach

    def summary(self, scope: Scope, q: ReportQuery) -> dict[str, Any]:
        """Figures per group and in total: by day without filters, a day's columns at a
        time; otherwise conversation by conversation."""
        days = [(w.workstream_id, name, digest) for w in self._reach.covered(scope, q.workstream_id)
                for name, digest in self._days.of(w, q.first, q.last)]
        if q.group_by == DAY and (q.queue, q.agent_id, q.channel) == (None, None, None):
            by_day: dict[str, list[Digest]] = {key: [] for key in _empty(q)}
            for _, name, digest in days:
                by_day[name].append(digest)
            groups = {key: digest_figures(found) for key, found in by_day.items()}
            total = digest_figures([digest for _, _, digest in days])
        else:
            groups, total = _grouped(q, days)
        names = self._names(scope, q)
        return {"from": q.first.isoformat(), "to": q.last.isoformat(), "group_by": q.group_by,
                "groups": [{"key": key, "label": _label(q.group_by, key, names), **groups[key]}
                           for key in _ordered(q, groups)],
                "total": total}

    def _names(self, scope: Scope, q: ReportQuery) -> dict[str, str]:
        """What the groups' keys are shown as, by agent or workstream: their names."""
        if q.group_by == AGENT:
            return self._reach.agent_names()
        if q.group_by == WORKSTREAM:
            return {w.id: w.name for w in self._reach.workstreams(scope, q.workstream_id)}
        return {}

    def latest_day(self, scope: Scope, workstream_id: str | None) -> date | None:
        """The latest of today's dates in the time zones of the workstreams a report covers
        (a report's last day when none is named: a zone east of UTC is a day ahead of it at
        times); None when it covers none."""
        return max((w.today for w in self._reach.covered(scope, workstream_id)), default=None)

    def today(self, w: Covered) -> dict[str, Any]:
        """Today's figures so far, from today's fact rows."""
        today = w.today.isoformat()
        return {"key": today, **figures(r.entry() for r in self._days.rows_of(w.workstream_id, today))}

    def rows(self, scope: Scope, q: ReportQuery, after: Place | None = None) -> Iterator[tuple[Place, FactRow]]:
        """The fact rows a report covers that pass its filters (and its group and measure,
        when given), each with its place, from ``after`` on: a page of storage at a time,
        workstream by workstream, day by day."""
        for w in self._reach.covered(scope, q.workstream_id):
            if after is not None and w.workstream_id != after.workstream_id:
                continue
            for day in each_day(q.first, min(q.last, w.today)):
                name = day.isoformat()
                if after is not None and name < after.day:
                    continue
                key, after = (after.key if after is not None and name == after.day else None), None
                yield from ((Place(w.workstream_id, name, row.conversation_id), row)
                            for row in self._days.rows_of(w.workstream_id, name, key) if _behind(q, row))


def _grouped(q: ReportQuery, days: list[tuple[str, str, Digest]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Filtered, or grouped other than by day: conversation by conversation (by category,
    each group's cost is that category's only)."""
    kept = [(w, name, e) for w, name, digest in days for e in digest.entries() if q.keeps(e)]
    groups: dict[str, list[Entry]] = _empty(q)
    for w, name, e in kept:
        for key in keys_of(e, name, q.group_by, w):
            groups.setdefault(key, []).append(e)
    return ({key: figures(found, key if q.group_by == CATEGORY else None) for key, found in groups.items()},
            figures(e for _, _, e in kept))


def _behind(q: ReportQuery, row: FactRow) -> bool:
    e = row.entry()
    return (q.keeps(e) and (q.group is None or q.group in keys_of(e, row.day, q.group_by, row.workstream_id))
            and counts_in(e, q.measure))


def _empty(q: ReportQuery) -> dict[str, list[Any]]:
    """Every day, or every hour of the day, shows, with or without conversations."""
    if q.group_by == DAY:
        return {d.isoformat(): [] for d in each_day(q.first, q.last)}
    return {f"{h:02d}": [] for h in range(24)} if q.group_by == HOUR else {}


def _ordered(q: ReportQuery, groups: dict[str, dict[str, Any]]) -> list[str]:
    if q.group_by == AGENT:
        return sorted(groups, key=lambda k: (-groups[k]["conversations"], k))
    return sorted(groups)


def _label(group_by: str, key: str, names: dict[str, str]) -> str:
    if group_by == HOUR:
        return f"{key}:00"
    if group_by == QUEUE:
        return key or "(no queue)"
    if group_by == LABEL:
        return key or "(no label)"
    if group_by == CATEGORY:
        return key or "(unpriced)"
    if group_by in (AGENT, WORKSTREAM):
        return names.get(key, key)
    return key
