"""Who sees which reports: admins every workstream's, supervisors those of the workstreams
they supervise; nobody else (403). A workstream outside the caller's reach is 404, like
one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from conversations.access import Scope
from core.clock import Clock
from core.errors import Forbidden, NotFound
from core.identity import ADMIN, ROLE_NAMES, SUPERVISOR
from core.ports import Agents, Workstreams
from core.records import Workstream
from core.reports import local, zone_of


EARLIEST_ZONE = timedelta(hours=12)  # UTC-12, the zone furthest behind UTC
SETTLE = timedelta(minutes=15)  # a day's digest is kept only this long after it ended: late writers are in by then


@dataclass(frozen=True)
class Covered:
    """A workstream a report covers, in its time zone: its today, the first day it had
    anywhere (nothing before is read), its first day in the zone it has now (nothing before
    is kept), and the last day whose digest may be kept."""

    workstream_id: str
    today: date
    since: date | None = None
    settled: date | None = None  # days before it are kept; None: every day before today
    kept_from: date | None = None  # days before it are read, never kept: a zone moved west files more there


def cover(w: Workstream, now: datetime) -> Covered:
    """A workstream as a report covers it at ``now``, in its time zone. Its first day read
    is the earliest its creation was anywhere (UTC-12): each conversation is filed for good
    on its day in the zone the workstream had then, which may have been further east. Days
    before its first day in the zone it has now are not kept: moved west, it may file
    conversations there yet."""
    zone = zone_of(w)
    first = (w.created_at - EARLIEST_ZONE).astimezone(timezone.utc).date()
    return Covered(w.id, local(now, zone).date(), first, local(now - SETTLE, zone).date(),
                   local(w.created_at, zone).date())


class Reach:
    def __init__(self, *, workstreams: Workstreams, agents: Agents, clock: Clock) -> None:
        self._workstreams = workstreams
        self._agents = agents
        self._clock = clock

    def workstreams(self, scope: Scope, workstream_id: str | None) -> list[Workstream]:
        """The workstreams a report of the caller's covers: ``workstream_id``'s, or every
        one in reach."""
        if not (scope.is_admin or scope.principal.has(SUPERVISOR)):
            raise Forbidden(f"reports need the {ROLE_NAMES[ADMIN]} or {ROLE_NAMES[SUPERVISOR]} role")
        if workstream_id is not None:
            found = self._workstreams.get(workstream_id)
            if found is None or not (scope.is_admin or found.id in scope.supervises):
                raise NotFound(f"workstream {workstream_id} not found")
            return [found]
        every = self._workstreams.list()
        return sorted((w for w in every if scope.is_admin or w.id in scope.supervises), key=lambda w: w.name)

    def covered(self, scope: Scope, workstream_id: str | None) -> list[Covered]:
        now = self._clock()
        return [cover(w, now) for w in self.workstreams(scope, workstream_id)]

    def agent_names(self) -> dict[str, str]:
        return {a.id: a.name for a in self._agents.working()}
