"""Presence: each agent sets its own (available, busy, away, offline). While one of its
workspaces is connected for live updates (Web PubSub's ``connected`` and ``disconnected``
events, conversations/live/), the agent is present and nothing is written to say so; when
its last connection drops, it goes offline after the offline period (AGENT_OFFLINE_AFTER_
SECONDS, the grace) unless one reconnects, and comes back as it was when one does. A
workspace without a connection (no Web PubSub, or its socket down) long-polls the change
feed, whose calls are its heartbeat: silent for the offline period, it is offline.
Distribution reads either at once; the agent's watch writes it down.

The watch is one timers row per agent that is not offline (``agent|<id>``, named for when
the agent came online, so a watch of an earlier time online ends itself), due every
``watch_every`` (AGENT_WATCH_SECONDS): it writes an expired presence down, releases
reservations no commit can land on any more (conversations/distribution/capacity.py: a
commit follows its reservation within moments, but a slow or starved one may come late),
and offers an available agent the conversations
waiting in its queues, should a wake-up have been lost; for an agent whose workspace is
connected, it also forgets connections the service no longer has, and it comes every
CONNECTED_WATCH_FACTOR periods instead (nothing of its presence expires meanwhile). Its
cost follows the agents at work, not the directory.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from conversations.access import Scope
from conversations.distribution.capacity import Capacity
from conversations.distribution.distributor import Distributor
from conversations.live.publisher import Publisher
from conversations.reactions import Reactions
from core.agents import AVAILABLE, OFFLINE, PRESENCES, AgentState
from core.clock import Clock
from core.errors import Forbidden, RealtimeUnavailable, ValidationFailed
from core.identity import AGENT, ROLE_NAMES
from core.ports import Deadline, Deadlines, Realtime, Threads
from core.records import CLOSED

log = logging.getLogger(__name__)

RESUME_WITHIN = timedelta(minutes=30)  # a workspace reconnecting later finds the agent offline, as it was left
CONNECTED_WATCH_FACTOR = 5  # a connected agent's watch runs every 5 watch periods (5 minutes by default)
QUIET_AFTER_FAILURE = timedelta(seconds=60)  # Web PubSub failed: the watches do not ask it meanwhile
HEARTBEAT_EVERY = timedelta(seconds=30)  # how stale seen_at may grow before a feed call writes it
WATCH_EVERY = timedelta(seconds=60)  # the default


class Presence:
    def __init__(self, *, capacity: Capacity, distributor: Distributor, reactions: Reactions, threads: Threads,
                 timers: Deadlines, clock: Clock, offline_after: timedelta, publisher: Publisher,
                 commit_timeout: timedelta, realtime: Realtime | None = None,
                 watch_every: timedelta = WATCH_EVERY) -> None:
        self._watch_every = watch_every
        self._commit_timeout = commit_timeout
        self._publisher = publisher
        self._realtime = realtime
        self._quiet_until: datetime | None = None  # the service failed: not asked again until then
        self._reactions = reactions
        self._capacity = capacity
        self._distributor = distributor
        self._threads = threads
        self._timers = timers
        self._clock = clock
        self.offline_after = offline_after

    def set(self, scope: Scope, presence: object) -> AgentState:
        if presence not in PRESENCES:
            raise ValidationFailed("presence", f"must be one of {', '.join(PRESENCES)}")
        if not scope.principal.has(AGENT):
            raise Forbidden(f"presence is for agents: it needs the {ROLE_NAMES[AGENT]} role")
        now = self._clock()

        def change(s: AgentState) -> AgentState:
            back = presence != OFFLINE and s.present(now, self.offline_after) == OFFLINE
            return replace(s, presence=presence, seen_at=now, online_since=now if back else s.online_since, resume=None)

        before, after = self._capacity.change(scope.principal.id, change)
        log.info("agent %s is %s", scope.principal.id, presence)
        self._changed(before, after, dispatch=presence == AVAILABLE)
        if presence != AVAILABLE:
            self._withdraw(after)
        return after

    def _withdraw(self, state: AgentState) -> None:
        """What an agent who is not available was offered goes to someone who is."""
        if state.slots:
            self._reactions.run(self._distributor.withdraw_offers(state.agent_id, list(state.slots)))

    def connected(self, agent_id: str, connection_id: str) -> None:
        """A workspace of the agent connected (Web PubSub's ``connected`` event); a
        connection the service does not know (a replayed event) changes nothing. An agent
        whose last connection dropped less than RESUME_WITHIN ago is back as it was."""
        if self._realtime is None or not self._realtime.connection_exists(connection_id):
            return
        now = self._clock()

        def change(s: AgentState) -> AgentState | None:
            if connection_id in s.connections:
                return None
            recent = s.resume and s.seen_at is not None and now - s.seen_at <= RESUME_WITHIN
            presence = s.resume if s.presence == OFFLINE and recent else s.presence
            back = presence != OFFLINE and s.present(now, self.offline_after) == OFFLINE
            return replace(s, presence=presence, resume=None, seen_at=now, connections=(*s.connections, connection_id),
                           online_since=now if back else s.online_since)

        before, after = self._capacity.change(agent_id, change)
        self._changed(before, after, dispatch=after.present(now, self.offline_after) == AVAILABLE
                      != before.present(now, self.offline_after))

    def disconnected(self, agent_id: str, connection_id: str) -> None:
        """A workspace's connection ended (``disconnected``); the last one starts the
        grace. A connection the service still has (a replayed event) stays."""
        if self._realtime is not None and self._realtime.connection_exists(connection_id):
            return
        self._drop(agent_id, connection_id)

    def _drop(self, agent_id: str, connection_id: str) -> AgentState:
        """Forget the connection; the agent's state after."""
        now = self._clock()

        def change(s: AgentState) -> AgentState | None:
            if connection_id not in s.connections:
                return None
            left = tuple(c for c in s.connections if c != connection_id)
            return replace(s, connections=left, seen_at=now if not left else s.seen_at,
                           resume=s.presence if not left and s.presence != OFFLINE else s.resume)

        before, after = self._capacity.change(agent_id, change)
        self._changed(before, after)
        return after

    def _changed(self, before: AgentState, after: AgentState, dispatch: bool = False) -> None:
        """After a presence change: the watch of a new time online, the agent's next
        conversations when it became available, and its workspaces told."""
        if after.online_since != before.online_since and after.online_since is not None:
            self._timers.schedule(f"agent|{after.agent_id}", self._clock() + self._every(after),
                                  {"since": after.online_since.isoformat()})
        if dispatch:
            self._reactions.run(self._distributor.dispatch_for(after.agent_id))
        if (self.present(before), before.presence, before.slots) != (self.present(after), after.presence, after.slots):
            self._publisher.presence(after.agent_id)  # what its workspaces show of it changed

    def present(self, state: AgentState) -> str:
        """The agent's presence as it stands now."""
        return state.present(self._clock(), self.offline_after)

    def heartbeat(self, agent_id: str) -> AgentState:
        """The agent's state; its workspace was seen now (written at most every HEARTBEAT_EVERY)."""
        state = self._capacity.read(agent_id)
        now = self._clock()
        if state.connections or state.present(now, self.offline_after) == OFFLINE \
                or now - state.seen_at < HEARTBEAT_EVERY:
            return state
        return self._capacity.change(agent_id, lambda s: replace(s, seen_at=now) if s.presence != OFFLINE else None)[1]

    def watch(self, job: Deadline) -> None:
        """An agent's watch came due (see the module's docstring)."""
        agent_id = job.key.split("|")[1]
        state = self._prune(self._capacity.read(agent_id))
        now = self._clock()
        if state.online_since is None or job.data.get("since") != state.online_since.isoformat():
            self._timers.remove(job)  # the watch of an earlier time online
            return
        if state.present(now, self.offline_after) == OFFLINE and self._still_connected(state):
            state = self._capacity.change(agent_id, lambda s: replace(s, seen_at=self._clock()))[1]
        if state.present(now, self.offline_after) == OFFLINE:
            if state.presence != OFFLINE:
                self._capacity.change(agent_id, lambda s: replace(s, presence=OFFLINE)
                                      if s.present(self._clock(), self.offline_after) == OFFLINE else None)
                log.info("agent %s is offline: its workspace was silent for %s", agent_id, self.offline_after)
                self._publisher.presence(agent_id)
            self._withdraw(state)
            self._timers.remove(job)
            return
        self._heal(state)
        if state.presence == AVAILABLE:
            self._reactions.run(self._distributor.dispatch_for(agent_id))
        self._timers.move(job, now + self._every(state))

    def _every(self, state: AgentState) -> timedelta:
        """Until the agent's next watch: connected, its presence needs no expiring, so less often."""
        return self._watch_every * (CONNECTED_WATCH_FACTOR if state.connections else 1)

    def _prune(self, state: AgentState) -> AgentState:
        """Forget connections the service no longer has (a ``disconnected`` event lost), or
        all of them when live updates are turned off: the last one gone starts the grace,
        as the event would have. The service unreachable: kept, asked again next time."""
        try:
            gone = [c for c in state.connections if self._realtime is None or not self._asked().connection_exists(c)]
        except RealtimeUnavailable as exc:
            self._quiet_until = self._clock() + QUIET_AFTER_FAILURE
            log.warning("agent %s: its connections could not be checked (%s)", state.agent_id, exc.code)
            return state
        for connection_id in gone:
            log.info("agent %s: connection %s ended unannounced", state.agent_id, connection_id)
            state = self._drop(state.agent_id, connection_id)
        return state

    def _still_connected(self, state: AgentState) -> bool:
        """Whether a workspace of the agent about to go offline is connected all the same
        (its ``connected`` event was lost): then it is seen now, not offline."""
        if self._realtime is None or state.presence == OFFLINE:
            return False
        try:
            return self._asked().user_connected(state.agent_id)
        except RealtimeUnavailable:
            self._quiet_until = self._clock() + QUIET_AFTER_FAILURE
            return False

    def _asked(self) -> Realtime:
        """The service, unless it failed within QUIET_AFTER_FAILURE: a timer run then does
        not wait on it once per agent."""
        if self._realtime is None or (self._quiet_until is not None and self._clock() < self._quiet_until):
            raise RealtimeUnavailable("Web PubSub failed a moment ago; asked again later")
        return self._realtime

    def _heal(self, state: AgentState) -> None:
        """Release reservations of conversations neither held by nor offered to the agent
        once no commit can land on them: two watches old when the conversation has moved
        on since the reservation read it (a commit on that version finds it changed, and
        fails), else (not moved, or not there yet: a commit may be on its way) only once
        older than any invocation that could still be making that commit."""
        now = self._clock()
        for conversation_id, slot in state.slots.items():
            age = now - slot.since
            if age < 2 * self._watch_every:
                continue
            c = self._threads.current(conversation_id)
            holds = c is not None and c.state != CLOSED and c.agent is not None and c.agent.id == state.agent_id
            offered = c is not None and c.offer is not None and c.offer.agent.id == state.agent_id
            moved_on = c is not None and slot.version is not None and c.version > slot.version
            if holds or offered or not (moved_on or age >= self._commit_timeout):
                continue
            if self._capacity.release(state.agent_id, conversation_id, only=slot):
                log.warning("agent %s: released capacity that conversation %s no longer used",
                            state.agent_id, conversation_id)
