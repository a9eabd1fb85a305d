"""Who is offered a conversation (push distribution): the eligible agents, best first.

Eligible: has the agent role, works the conversation's queue, is available (and its
workspace was seen within the offline period), is not offered or holding it already, and
has free capacity for its channel. Someone who declined it (or let an offer of it lapse)
is passed over for REOFFER_AFTER. Then by the workstream's assignment method:

  highest_capacity  most free capacity for the channel, then as round robin
  round_robin       offered work longest ago (never first)
  least_active      fewest conversations at once, then whose last one ended longest ago

With ``keep_same_agent``, whoever held the customer's previous conversation comes first
when eligible.

A conversation that needs skills (core/skills.py) goes only to eligible agents who fit
it; when none does, it waits, and once it has waited the workstream's
``widen_skills_after_seconds`` it goes to the closest of the eligible (those whose
closeness is highest), ranked among themselves as above.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Mapping, Sequence

from core.agents import AVAILABLE, Agent, AgentState
from core.identity import AGENT
from core.records import Conversation
from core.settings import HIGHEST_CAPACITY, LEAST_ACTIVE, Distribution
from core.skills import closeness, fits

REOFFER_AFTER = timedelta(minutes=5)
_NEVER = datetime.min.replace(tzinfo=timezone.utc)


def eligible(agent: Agent, state: AgentState, c: Conversation, now: datetime, offline_after: timedelta) -> bool:
    return (AGENT in agent.roles and any(q.holds(c) for q in agent.queues)
            and state.present(now, offline_after) == AVAILABLE and c.id not in state.slots
            and state.load(c.channel) < agent.capacity_for(c.channel))


def ranked(c: Conversation, distribution: Distribution, agents: Sequence[Agent], states: Mapping[str, AgentState],
           now: datetime, offline_after: timedelta) -> tuple[list[Agent], datetime | None]:
    """The agents to offer ``c`` to, best first; and, when only agents who declined it are
    eligible, when the first of them may be offered it again."""
    able = [a for a in agents if eligible(a, states.get(a.id) or AgentState(a.id), c, now, offline_after)]
    passed_over = {d.agent_id: d.at for d in c.declined if d.at > now - REOFFER_AFTER}
    # who fits among those not passed over: one who declined it fits nobody's wait for a match
    fresh, widen_at = skilled([a for a in able if a.id not in passed_over], c, distribution, now)
    if not fresh:
        waits = [passed_over[a.id] + REOFFER_AFTER for a in able if a.id in passed_over]
        return [], min([*waits, widen_at] if widen_at else waits, default=None)
    fresh.sort(key=lambda a: _order(distribution.assignment, a, states.get(a.id) or AgentState(a.id), c.channel))
    previous = c.previous_agent.id if c.previous_agent and distribution.keep_same_agent else None
    fresh.sort(key=lambda a: a.id != previous)  # stable: the previous agent first, the rest in order
    return fresh, None


def skilled(able: list[Agent], c: Conversation, distribution: Distribution,
            now: datetime) -> tuple[list[Agent], datetime | None]:
    """Of ``able``, who may be offered ``c`` for its skills: those who fit it, else, once it
    waited long enough, the closest; and when it will have waited long enough, if not yet."""
    if not c.skills:
        return able, None
    fit = [a for a in able if fits(a.skills, c.skills)]
    widen_at = widens_at(c, distribution)
    if fit or widen_at is None:
        return fit, None
    if now < widen_at:  # asked again then, though nobody is there now: a close match may be by then
        return [], widen_at
    if not able:
        return [], None
    best = max(closeness(a.skills, c.skills) for a in able)
    return [a for a in able if closeness(a.skills, c.skills) == best], None


def widens_at(c: Conversation, distribution: Distribution) -> datetime | None:
    """When a conversation that needs skills may go to the closest match; None: never."""
    widen = distribution.widen_skills_after_seconds
    return None if widen is None else (c.queued_at or c.created_at) + timedelta(seconds=widen)


def _order(method: str, agent: Agent, state: AgentState, channel: str) -> tuple:
    offered = state.last_offer_at or _NEVER
    if method == HIGHEST_CAPACITY:
        return -(agent.capacity_for(channel) - state.load(channel)), offered, agent.id
    if method == LEAST_ACTIVE:
        return state.load(), state.last_released_at or _NEVER, agent.id
    return offered, agent.id
