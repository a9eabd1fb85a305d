"""The agents directory: everyone who signed in at least once, and those an admin added
by Entra object id, with the queues they work and the workstreams they supervise. Roles
come from Entra (app roles on the token); the directory keeps what it saw last."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

from conversations.access import Scope
from conversations.admin.skills import SkillCatalogue
from conversations.admin.validation import objects, reject_unknown, require_object, text
from conversations.distribution.distributor import Distributor
from conversations.live.publisher import Publisher
from conversations.reactions import Reactions
from core.clock import Clock
from core.errors import Conflict, NotFound, ValidationFailed
from core.identity import Principal
from core.ids import is_object_id, is_record_id
from core.ports import Agents, Workstreams
from core.agents import Agent, QueueRef
from core.records import CHANNELS

log = logging.getLogger(__name__)

_FIELDS = ("object_id", "name", "queues", "supervises", "capacity", "skills")
MAX_QUEUES = 100
MAX_CAPACITY = 50  # conversations at once on one channel
SEEN_EVERY = timedelta(hours=1)  # how stale last_seen_at may grow before a request writes it again


class AgentDirectory:
    def __init__(self, *, agents: Agents, workstreams: Workstreams, distributor: Distributor, reactions: Reactions,
                 publisher: Publisher, skills: SkillCatalogue, clock: Clock) -> None:
        self._agents = agents
        self._skills = skills
        self._publisher = publisher  # an agent whose queues or workstreams changed hears other groups
        self._workstreams = workstreams
        self._distributor = distributor  # an agent whose queues, capacity or skills changed may take more work
        self._reactions = reactions
        self._clock = clock

    def scope(self, principal: Principal) -> Scope:
        """What ``principal`` may reach; it is entered in the directory the first time."""
        return Scope.of(principal, self.seen(principal))

    def seen(self, principal: Principal) -> Agent:
        """The principal's entry, written when it is new, when its name or roles changed,
        or once ``SEEN_EVERY``: a request costs a cached read, not a write."""
        now = self._clock()
        current = self._agents.get(principal.id)
        if current is None:
            agent = Agent(principal.id, principal.name, principal.roles, (), (), now, now, now)
            try:
                self._agents.create(agent)
            except Conflict:  # another request entered it first
                return self._agents.get_for_update(principal.id)[0]
            log.info("agent %s entered the directory on first sign-in", principal.id)
            return agent
        stale = current.last_seen_at is None or now - current.last_seen_at > SEEN_EVERY
        if (current.name, current.roles) == (principal.name, principal.roles) and not stale:
            return current
        return self._touch(principal, now)

    def _touch(self, principal: Principal, now: Any) -> Agent:
        current, etag = self._agents.get_for_update(principal.id)
        updated = replace(current, name=principal.name, roles=principal.roles, last_seen_at=now)
        try:
            self._agents.replace(updated, etag)
        except (Conflict, NotFound):  # a concurrent write wins; this is only bookkeeping
            return current
        return updated

    def list(self) -> list[Agent]:
        return self._pruned(self._agents.list())

    def of_workstream(self, workstream_id: str, scope: Scope) -> list[Agent]:
        """The agents who work a queue of the workstream and may answer (signed in with the
        Agent or Admin role: whom a conversation may be given to): for its supervisors and
        admins, and for its agents (whom they may transfer to)."""
        scope.check_team(workstream_id)
        if scope.is_admin and self._workstreams.get(workstream_id) is None:  # for the others, it is theirs
            raise NotFound(f"workstream {workstream_id} not found")
        return [a for a in self._agents.working() if a.may_answer and any(q.workstream_id == workstream_id
                                                                          for q in a.queues)]

    def get(self, agent_id: str) -> Agent:
        return self._pruned([self._found(agent_id)])[0]

    def _found(self, agent_id: str) -> Agent:
        agent = self._agents.get(agent_id)
        if agent is None:
            raise NotFound(f"agent {agent_id} not found")
        return agent

    def create(self, body: Any) -> Agent:
        body = require_object(body)
        reject_unknown(body, _FIELDS)
        object_id = body.get("object_id")
        if not isinstance(object_id, str) or not is_object_id(object_id.lower()):
            raise ValidationFailed("object_id", "must be the person's Entra object id, a GUID such as "
                                                "3f2504e0-4f89-41d3-9a0c-0305e82c3301")
        now = self._clock()
        agent = Agent(object_id.lower(), text(body, "name", required=False) or "", frozenset(),
                      self._queues(body.get("queues", [])), self._supervises(body.get("supervises", [])), now, now,
                      capacity=_capacity(body.get("capacity", {})), skills=self._skills.proficiencies(body.get("skills", [])))
        try:
            self._agents.create(agent)
        except Conflict as exc:
            raise Conflict(f"agent {agent.id} is in the directory already; change it with PATCH") from exc
        return agent

    def update(self, agent_id: str, body: Any) -> Agent:
        body = require_object(body)
        reject_unknown(body, _FIELDS)
        current, etag = self._agents.get_for_update(agent_id)
        if "object_id" in body and body["object_id"] != current.id:
            raise ValidationFailed("object_id", "cannot be changed")
        kept = self._pruned([current])[0]
        updated = replace(
            current, name=(text(body, "name", required=False) or "") if "name" in body else current.name,
            queues=self._queues(body["queues"], kept.queues) if "queues" in body else kept.queues,
            supervises=self._supervises(body["supervises"]) if "supervises" in body else kept.supervises,
            capacity=_capacity(body["capacity"]) if "capacity" in body else current.capacity,
            skills=self._skills.proficiencies(body["skills"]) if "skills" in body else current.skills,
            updated_at=self._clock(),
        )
        self._agents.replace(updated, etag)
        self._publisher.regroup(current, updated)
        if updated.capacity != current.capacity:  # its free capacity shows in its workspaces
            self._publisher.presence(agent_id)
        if (updated.queues, updated.capacity, updated.skills) != (current.queues, current.capacity, current.skills):
            self._reactions.run(self._distributor.dispatch_for(agent_id))
        return updated

    def delete(self, agent_id: str) -> None:
        self._found(agent_id)
        self._agents.delete(agent_id)

    def _pruned(self, agents: list[Agent]) -> list[Agent]:
        """As an admin reads and saves them: without the workstreams deleted since (their
        deletion leaves them on agents' entries, where nothing live is left to offer or
        supervise), which no save could name again. One query of the workstreams."""
        kept = {w.id for w in self._workstreams.list()}
        return [replace(a, queues=tuple(q for q in a.queues if q.workstream_id in kept),
                        supervises=tuple(w for w in a.supervises if w in kept)) for a in agents]

    def _queues(self, value: Any, held: tuple[QueueRef, ...] = ()) -> tuple[QueueRef, ...]:
        """The queues given, each one of its workstream's (or one the agent ``held`` already,
        whose queue the workstream has dropped since: saved back as it was)."""
        refs: list[QueueRef] = []
        for prefix, item in objects(value, "queues", ("workstream_id", "queue"), at_most=MAX_QUEUES, allow_empty=True):
            workstream = self._workstream(item.get("workstream_id"), prefix + "workstream_id")
            queue = item.get("queue")
            if queue is not None and queue not in workstream.settings.queues \
                    and QueueRef(workstream.id, queue) not in held:
                raise ValidationFailed(prefix + "queue", f"must be one of workstream {workstream.id}'s queues, or null "
                                                         "for its conversations that no queue took")
            ref = QueueRef(workstream.id, queue)
            if ref in refs:
                raise ValidationFailed(prefix + "queue", "is listed twice")
            refs.append(ref)
        return tuple(refs)

    def _supervises(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or len(value) > MAX_QUEUES:
            raise ValidationFailed("supervises", f"must be a list of at most {MAX_QUEUES} workstream ids")
        ids = [self._workstream(v, f"supervises[{i}]").id for i, v in enumerate(value)]
        if len(set(ids)) != len(ids):
            raise ValidationFailed("supervises", "names a workstream twice")
        return tuple(ids)

    def _workstream(self, value: Any, field: str):
        workstream = self._workstreams.get(value) if isinstance(value, str) and is_record_id(value) else None
        if workstream is None:
            raise ValidationFailed(field, f"no workstream {value}")
        return workstream


def _capacity(value: Any) -> dict[str, int]:
    """Conversations at once per channel, e.g. {"sms": 3, "whatsapp": 2}; a channel left
    out takes the default."""
    if not isinstance(value, dict):
        raise ValidationFailed("capacity", "must be an object of conversations at once per channel, e.g. {\"sms\": 3}")
    reject_unknown(value, CHANNELS, "capacity.")
    for channel, count in value.items():
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_CAPACITY:
            raise ValidationFailed(f"capacity.{channel}", f"must be a whole number from 0 to {MAX_CAPACITY}")
    return dict(value)
