"""The groups a person's connections join, decided by the server from the scope (never
asked by the client): the agent's queues, the supervisor's workstreams, the admins'."""

from __future__ import annotations

from conversations.access import Scope
from core.agents import Agent
from core.identity import ADMIN, AGENT, SUPERVISOR, Principal
from core.live import ADMINS, queue_group, workstream_group


def groups_of(scope: Scope) -> list[str]:
    principal = scope.principal
    groups = [queue_group(q) for q in scope.queues] if principal.has(AGENT) else []
    if principal.has(SUPERVISOR):
        groups += [workstream_group(w) for w in sorted(scope.supervises)]
    if principal.has(ADMIN):
        groups.append(ADMINS)
    return groups


def groups_of_entry(agent: Agent) -> set[str]:
    """The groups of a person's directory entry, with the roles its token last carried."""
    return set(groups_of(Scope.of(Principal(agent.id, agent.name, agent.roles), agent)))
