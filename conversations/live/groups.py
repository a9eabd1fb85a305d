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


def regrouped(before: Agent, after: Agent) -> tuple[list[str], list[str]]:
    """The groups to join and to leave when an admin changes a person's queues or
    workstreams (its roles as its token last said)."""
    was, now = (groups_of(Scope.of(Principal(a.id, a.name, a.roles), a)) for a in (before, after))
    return [g for g in now if g not in was], [g for g in was if g not in now]
