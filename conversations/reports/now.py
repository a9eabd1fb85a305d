"""Live figures of a workstream: per queue, what waits now and for how long, what is offered
and held; its agents' presence and free capacity; today so far. Per workstream: three
ranges of the inbox index (its open, active and waiting lists), today's fact rows; once
per call, every agent's state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterator

from conversations.access import Scope
from conversations.distribution.capacity import Capacity
from conversations.reports.history import History
from conversations.reports.scope import Reach, cover
from core.agents import Agent, AgentState
from core.clock import Clock
from core.inbox import WORKSTREAM, View
from core.ports import Agents, Inbox
from core.records import ACTIVE, OPEN, WAITING, Conversation, Workstream
from core.reports import zone_of

PAGE = 1000


class LiveFigures:
    def __init__(self, *, inbox: Inbox, capacity: Capacity, agents: Agents, reach: Reach, history: History,
                 clock: Clock, offline_after: timedelta) -> None:
        self._inbox = inbox
        self._capacity = capacity
        self._agents = agents
        self._reach = reach
        self._history = history
        self._clock = clock
        self._offline_after = offline_after

    def live(self, scope: Scope, workstream_id: str | None) -> dict[str, Any]:
        workstreams = self._reach.workstreams(scope, workstream_id)
        now = self._clock()
        states = {agent_id: state for agent_id, (state, _) in self._capacity.read_all().items()}
        agents = self._agents.working()
        return {"as_of": now.isoformat(), "workstreams": [self._one(w, now, agents, states) for w in workstreams]}

    def _one(self, w: Workstream, now: datetime, agents: list[Agent], states: dict[str, AgentState]) -> dict[str, Any]:
        zone = zone_of(w)
        live = [c for state in (OPEN, ACTIVE, WAITING) for c in self._listed(View(WORKSTREAM, workstream_id=w.id,
                                                                                 state=state))]
        others = sorted({c.queue for c in live if c.queue and c.queue not in w.settings.queues})
        names = [*w.settings.queues, *others, *([None] if not w.settings.queues or any(c.queue is None for c in live)
                                                 else [])]
        return {
            "workstream_id": w.id, "name": w.name, "time_zone": zone,
            "queues": [_queue(name, [c for c in live if (c.queue or None) == name], now) for name in names],
            "agents": [self._agent(a, states.get(a.id) or AgentState(a.id), w, now) for a in agents
                       if any(q.workstream_id == w.id for q in a.queues)],
            "today": self._history.today(cover(w, now)),
        }

    def _listed(self, view: View) -> Iterator[Conversation]:
        token: str | None = None
        while True:
            page = self._inbox.page(view, PAGE, token)
            yield from page.conversations
            if page.next is None:
                return
            token = page.next

    def _agent(self, a: Agent, state: AgentState, w: Workstream, now: datetime) -> dict[str, Any]:
        capacity, active = a.capacity_for(w.channel), state.load(w.channel)
        return {"agent_id": a.id, "name": a.name, "presence": state.present(now, self._offline_after),
                "active": active, "capacity": capacity, "free": max(0, capacity - active)}


def _queue(name: str | None, live: list[Conversation], now: datetime) -> dict[str, Any]:
    queued = [c.queued_at or c.created_at for c in live if c.queued]
    return {"queue": name, "waiting": len(queued),
            "longest_wait_seconds": round((now - min(queued)).total_seconds()) if queued else None,
            "offered": sum(1 for c in live if c.agent is None and c.offer is not None),
            "active": sum(1 for c in live if c.agent is not None)}
