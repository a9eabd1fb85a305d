"""What a commit tells the open workspaces: once per audience it concerns, ids only.

A move (conversations/messaging/writer.py) concerns the agents it was or is offered to or
held by (their offers, their conversations, their load), the queue it waited or waits in,
its workstream (supervisors' lists) and the admins (every conversation); a message into a
conversation, which does not move it, only those holding it or offered it. The notice
says which lists to fetch again; the workspace fetches them once per burst through
GET /api/me/changes. A publish that fails never fails what committed: it is logged and
counted, and the workspace's periodic re-sync makes up for it.
"""

from __future__ import annotations

import logging
from typing import Iterable

from conversations.live.groups import groups_of_entry
from conversations.messaging.writer import Move
from core import telemetry as metrics
from core.agents import Agent, QueueRef
from core.errors import SwitchboardError
from core.inbox import Placement
from core.live import (ADMINS, ALL, CHANGED, GROUP, ME, MENTION, MINE, OFFERS, QUEUE, SLA, USER, WORKSTREAM,
                       Notice, queue_group, workstream_group)
from core.ports import Realtime, Telemetry
from core.records import Conversation
from core.telemetry import NoTelemetry

log = logging.getLogger(__name__)


class Publisher:
    def __init__(self, realtime: Realtime | None, telemetry: Telemetry = NoTelemetry()) -> None:
        self._realtime = realtime
        self._telemetry = telemetry

    def moved(self, move: Move) -> list[Move]:
        """A reaction (conversations/reactions.py): tell everyone whose lists the move changed."""
        c = move.conversation
        self._placed(c, [p for p in (move.was, Placement.of(c)) if p is not None])
        return []

    def gone(self, c: Conversation) -> None:
        """A live conversation deleted (an erasure): everyone whose lists showed it."""
        self._placed(c, [Placement.of(c)])

    def _placed(self, c: Conversation, places: list[Placement]) -> None:
        lists: dict[tuple[str, str], set[str]] = {}
        for p in places:
            for agent_id in {p.agent_id, p.offer_agent_id} - {None}:
                lists.setdefault((USER, agent_id), set()).update((OFFERS, MINE, ME))
            if p.workstream_id is not None:
                if p.queued:
                    lists.setdefault((GROUP, queue_group(QueueRef(p.workstream_id, p.queue))), set()).add(QUEUE)
                lists.setdefault((GROUP, workstream_group(p.workstream_id)), set()).add(WORKSTREAM)
        lists[(GROUP, ADMINS)] = {ALL}
        self._send(c, lists.items())

    def touched(self, c: Conversation) -> None:
        """A commit that did not move the conversation (a message, most often): its holder's
        and offered agent's lists show it."""
        agents = {c.agent.id if c.agent else None, c.offer.agent.id if c.offer else None} - {None}
        self._send(c, [((USER, a), {OFFERS, MINE}) for a in agents])

    def alert(self, c: Conversation, said: list[tuple[str, str]]) -> None:
        """Service-level warnings or breaches just recorded (conversations/service_levels/):
        its holder (or offered agent) and its workstream's supervisors are told, once each."""
        if not said:
            return
        audiences = [(USER, a) for a in {c.agent.id if c.agent else None, c.offer.agent.id if c.offer else None}
                     if a is not None]
        if c.workstream_id is not None:
            audiences.append((GROUP, workstream_group(c.workstream_id)))
        due = c.service_level.next_due if c.service_level else None
        data = {"type": SLA, "conversation_id": c.id, "version": c.version,
                "alerts": [{"target": target, "level": level} for target, level in said],
                "due_at": due.due_at.isoformat() if due else None}
        self._publish([Notice(kind, name, data) for kind, name in audiences], c.id)

    def mention(self, c: Conversation, agent_ids: list[str]) -> None:
        """A note named these people (conversations/messaging/notes.py): each is told, ids only."""
        self._publish([Notice(USER, a, {"type": MENTION, "conversation_id": c.id, "version": c.version})
                       for a in agent_ids], c.id)

    def presence(self, agent_id: str) -> None:
        """The agent's presence or load changed (not by a move): its own workspaces."""
        self._publish([Notice(USER, agent_id, {"type": CHANGED, "lists": [ME]})], agent_id)

    def regroup(self, before: Agent, after: Agent) -> None:
        """An admin changed a person's entry: when that changed its groups (its queues or
        workstreams), its connections are ended, and its workspaces reconnect with a client
        URL for exactly the groups it has now."""
        if self._realtime is None or groups_of_entry(before) == groups_of_entry(after):
            return
        try:
            self._realtime.close_user(after.id, "your queues or workstreams changed")
        except SwitchboardError as exc:
            log.warning("agent %s: connections not renewed after a scope change (%s)", after.id, exc.code)
            self._telemetry.count(metrics.PUBLISH_FAILURES)

    def _send(self, c: Conversation, audiences: Iterable[tuple[tuple[str, str], set[str]]]) -> None:
        notices = [Notice(kind, name, {"type": CHANGED, "lists": sorted(lists), "conversation_id": c.id,
                                       "version": c.version}) for (kind, name), lists in audiences]
        self._publish(notices, c.id)

    def _publish(self, notices: list[Notice], about: str) -> None:
        if self._realtime is None or not notices:
            return
        try:
            self._realtime.publish(notices)
        except SwitchboardError as exc:
            log.warning("%s: live update not published (%s); workspaces catch up at their re-sync", about, exc.code)
            self._telemetry.count(metrics.PUBLISH_FAILURES)
        else:
            self._telemetry.count(metrics.PUBLISHES, len(notices))
