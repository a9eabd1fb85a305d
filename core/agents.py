"""The people who answer: an agent's entry in the directory (its queues, what it
supervises, its capacity) and its working state (presence, the conversations that use its
capacity)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Mapping

from core.identity import ADMIN, AGENT
from core.records import Conversation

@dataclass(frozen=True)
class QueueRef:
    """A queue of a workstream; ``queue`` None stands for the workstream's conversations that
    no queue took (a workstream without queues, or none of its rules matched)."""

    workstream_id: str
    queue: str | None = None

    def holds(self, conversation: Conversation) -> bool:
        return conversation.workstream_id == self.workstream_id and (conversation.queue or None) == self.queue


@dataclass(frozen=True)
class Agent:
    """A person (or application) in the agents directory, keyed by Entra object id: those
    who signed in at least once, and those an admin added. Roles are what their token said
    when last seen; every request is decided by the token it carries."""

    id: str
    name: str
    roles: frozenset[str]
    queues: tuple[QueueRef, ...]
    supervises: tuple[str, ...]  # workstream ids
    created_at: datetime
    updated_at: datetime
    last_seen_at: datetime | None = None
    capacity: Mapping[str, int] = field(default_factory=dict)  # conversations at once, per channel
    skills: Mapping[str, int] = field(default_factory=dict)  # proficiency (1-10) by skill name (core/skills.py)

    def capacity_for(self, channel: str) -> int:
        return self.capacity.get(channel, DEFAULT_CAPACITY)

    @property
    def may_answer(self) -> bool:
        """Whether a conversation may be given to them: they signed in with the Agent or the
        Admin role (a request's own caller is decided by its token: Scope.may_answer)."""
        return bool(self.roles & {AGENT, ADMIN})


DEFAULT_CAPACITY = 3  # per channel, for an agent whose capacity an admin has not set
AVAILABLE, BUSY, AWAY, OFFLINE = "available", "busy", "away", "offline"
PRESENCES = (AVAILABLE, BUSY, AWAY, OFFLINE)


@dataclass(frozen=True)
class Slot:
    """One conversation an agent holds or is offered, counted against its capacity: since
    when, the version of the conversation it was reserved against (its commit makes the
    next one), and a token that tells it from every other reservation of the conversation
    (a renewal writes a new one). Reserved by older code: neither."""

    channel: str
    since: datetime
    version: int | None = None
    token: str | None = None


@dataclass(frozen=True)
class AgentState:
    """What changes while an agent works: presence (and when its workspace was last seen),
    and the conversations that use its capacity, each reserved before it is committed."""

    agent_id: str
    presence: str = OFFLINE
    seen_at: datetime | None = None
    slots: Mapping[str, Slot] = field(default_factory=dict)  # by conversation id
    last_offer_at: datetime | None = None  # round robin: who was offered work longest ago
    last_released_at: datetime | None = None  # least active: whose last conversation ended longest ago
    online_since: datetime | None = None  # when it last came online (its watch is named for it)
    connections: tuple[str, ...] = ()  # its workspaces' live connections (Web PubSub connection ids)
    resume: str | None = None  # the presence it had when its last connection dropped, back on reconnecting

    def load(self, channel: str | None = None) -> int:
        """Conversations held or offered, on ``channel`` (or on every channel)."""
        return sum(1 for s in self.slots.values() if channel is None or s.channel == channel)

    def present(self, now: datetime, offline_after: timedelta) -> str:
        """The presence as it stands now: set by the agent; while a workspace is connected,
        that; otherwise offline once its workspace has been silent (or its last
        connection gone) for ``offline_after``."""
        if self.presence == OFFLINE:
            return OFFLINE
        if self.connections:
            return self.presence
        if self.seen_at is None or now - self.seen_at > offline_after:
            return OFFLINE
        return self.presence
