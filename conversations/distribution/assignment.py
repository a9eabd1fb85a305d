"""Who holds a conversation, as people decide it: an agent accepts (an offer, or from its
queue: pick) or declines; the holder, a supervisor or an admin transfers it (to an agent
or a queue of its workstream) or unassigns it; a supervisor or an admin assigns it, or
takes a conversation over from its bot.

Giving a conversation to someone reserves their capacity first (AtCapacity, 409, when
they have none); what the conversation's previous holder or offer used is released by
the distribution once the change is committed (conversations/distribution/distributor.py, moved).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from conversations.bots import stage as bot_stage
from conversations.access import Scope
from conversations.distribution.capacity import Capacity
from conversations.distribution.distributor import remembered
from conversations.messaging.lookup import Lookup
from conversations.messaging.writer import Writer
from conversations.reactions import Reactions
from core.agents import Agent
from core.bots import BOT, BY_SUPERVISOR
from core.clock import Clock
from core.errors import Conflict, Forbidden, ValidationFailed
from core.identity import AGENT, ROLE_NAMES, Actor
from core.ids import is_object_id, thread_of
from core.ports import Agents
from core.records import (ACCEPTED, ACTIVE, ASSIGNED, DECLINED, HANDED_OFF, OPEN, TRANSFERRED, UNASSIGNED, Conversation,
                          Decline, Event)
from core.retry import until_committed

Change = Callable[[Conversation], Conversation]


class Assignments:
    def __init__(self, *, writer: Writer, reactions: Reactions, lookup: Lookup, agents: Agents, capacity: Capacity,
                 clock: Clock) -> None:
        self._writer = writer
        self._reactions = reactions
        self._lookup = lookup
        self._agents = agents
        self._capacity = capacity
        self._clock = clock

    def accept(self, conversation_id: str, scope: Scope) -> Conversation:
        """The caller takes the conversation: one offered to it, or one waiting in its queue
        (an admin may take any, from anyone)."""
        def check(c: Conversation) -> None:
            scope.check_answer(c)
            if c.offer and c.offer.agent.id != scope.principal.id and not scope.is_admin:
                raise Conflict(f"conversation {c.id} is offered to {c.offer.agent.name}",
                               code="offered_to_another_agent")
            if c.stage == BOT and not scope.is_admin:
                raise Conflict(f"conversation {c.id} is with its bot; a supervisor may take it over", code="with_bot")

        me = scope.agent or self._agent(scope.principal.id)
        return self._give(conversation_id, scope, check, me, ACCEPTED, by=None)

    def take(self, conversation_id: str, scope: Scope, answerable: Callable[[Conversation], object]) -> None:
        """Before the caller answers a conversation nobody holds, it accepts it, once
        ``answerable`` (the rules the answer must pass) did not refuse it: an answer
        refused takes nothing."""
        head = self._lookup.head(conversation_id, scope=scope)
        if head.conversation.agent is None:
            answerable(head.conversation)
            self.accept(conversation_id, scope)

    def decline(self, conversation_id: str, scope: Scope) -> Conversation:
        def change(c: Conversation) -> Conversation:
            if c.offer is None or c.offer.agent.id != scope.principal.id:
                raise Conflict(f"conversation {c.id} is not offered to you", code="not_offered_to_you")
            return replace(c, offer=None, declined=remembered(c, scope.principal.id, self._clock()))

        return self._change(conversation_id, scope, scope.visible, change, DECLINED)

    def assign(self, conversation_id: str, scope: Scope, agent_id: object) -> Conversation:
        """A supervisor of the conversation's workstream (or an admin) gives it to an agent."""
        target = self._answerer(agent_id)
        return self._give(conversation_id, scope, _to_its_people(scope, scope.check_assign, target), target, ASSIGNED,
                          by=scope.principal.actor)

    def take_over(self, conversation_id: str, scope: Scope) -> Conversation:
        """A supervisor of the conversation's workstream (or an admin) takes it from its bot;
        asked again by whoever took it, it answers the conversation as it is. Only who may
        answer it takes it: a supervisor without the Agent role assigns it instead."""
        if not scope.may_answer:
            raise Forbidden(f"taking a conversation over needs the {ROLE_NAMES[AGENT]} role, to answer it; "
                            "assign it to an agent instead")
        me = scope.agent or self._agent(scope.principal.id)

        def check(c: Conversation) -> None:
            scope.check_assign(c)
            taken_by_me = c.handoff is not None and c.agent is not None and c.agent.id == me.id
            if c.stage != BOT and not taken_by_me:
                raise Conflict(f"conversation {c.id} is not with a bot", code="not_with_bot")

        return self._give(conversation_id, scope, check, me, HANDED_OFF, by=None)

    def transfer_to_agent(self, conversation_id: str, scope: Scope, agent_id: object) -> Conversation:
        target = self._answerer(agent_id)
        return self._give(conversation_id, scope, _to_its_people(scope, scope.check_transfer, target), target,
                          TRANSFERRED, by=scope.principal.actor)

    def transfer_to_queue(self, conversation_id: str, scope: Scope, queue: object) -> Conversation:
        """Back to a queue of its workstream (None: the workstream's conversations that no
        queue took), for whoever distribution or the queue's agents find: its declines
        start afresh there, but whoever held it is passed over for a while, as when it is
        returned to its queue (core/dispatch.py)."""
        def change(c: Conversation) -> Conversation:
            workstream = self._lookup.workstream_of(c)
            if workstream is None:
                raise Conflict(f"conversation {c.id} belongs to no workstream, so to no queue", code="no_workstream")
            if queue is not None and (not isinstance(queue, str) or queue not in workstream.settings.queues):
                raise ValidationFailed("queue", f"must be one of workstream {workstream.id}'s queues, or null")
            now = self._clock()
            passed_over = (Decline(c.agent.id, now),) if c.agent is not None else ()
            return replace(self._from_bot(c), agent=None, offer=None, queue=queue, queued_at=now,
                           declined=passed_over, state=OPEN if c.state == ACTIVE else c.state)

        return self._change(conversation_id, scope, scope.check_transfer, change, TRANSFERRED,
                            detail=f"queue {queue}" if queue else "no queue")

    def unassign(self, conversation_id: str, scope: Scope) -> Conversation:
        """Back to its queue; whoever held it is passed over for a while (core/dispatch.py)."""
        def change(c: Conversation) -> Conversation:
            if c.agent is None:
                raise Conflict(f"conversation {c.id} is held by nobody", code="not_assigned")
            return replace(c, agent=None, offer=None, queued_at=self._clock(), state=OPEN,
                           declined=remembered(c, c.agent.id, self._clock()))

        return self._change(conversation_id, scope, scope.check_transfer, change, UNASSIGNED)

    def _give(self, conversation_id: str, scope: Scope, check: Callable[[Conversation], None], target: Agent,
              action: str, by: Actor | None) -> Conversation:
        """Reserve ``target``'s capacity (an offer to it holds it already), then make it the
        holder (out of the bot stage: taken over), releasing what this reserved when that
        fails, unless another renewed it since (for a commit of its own); ``by``: who gave
        it to them (None: they took it). Each head tried reserves anew: an offer to
        ``target`` seen on the first may have lapsed, and its capacity gone with it, before
        the commit."""
        to, mine = Actor(target.id, target.name or target.id), None  # mine: the slot this reserved, as it is

        def change(c: Conversation) -> Conversation:
            nonlocal mine
            if c.offer is None or c.offer.agent.id != target.id:
                reservation = self._capacity.reserve(target, conversation_id, c.channel, c.version)
                ours = reservation.new or (mine is not None and reservation.renewed == mine)
                mine = reservation.slot if ours else None
            return replace(self._from_bot(c), agent=to, offer=None, state=ACTIVE if c.state == OPEN else c.state)

        try:
            return self._change(conversation_id, scope, check, change, action, actor=by or scope.principal.actor,
                                subject=to if by else None, held_by=target.id)
        except BaseException:
            if mine is not None:
                self._capacity.release(target.id, conversation_id, only=mine)
            raise

    def _change(self, conversation_id: str, scope: Scope, check: Callable[[Conversation], object], change: Change,
                action: str, detail: str | None = None, actor: Actor | None = None,
                subject: Actor | None = None, held_by: str | None = None) -> Conversation:
        """Commit ``change`` once ``check`` allows it, recording who did what; nothing when
        the conversation is held by ``held_by`` already (on any head tried: the same
        request sent twice at once commits once)."""
        def attempt() -> Conversation:
            current = self._lookup.head(conversation_id, scope=scope)
            check(current.conversation)
            if held_by is not None and current.conversation.agent is not None \
                    and current.conversation.agent.id == held_by:
                return current.conversation
            updated = change(current.conversation)
            event = Event(conversation_id, current.seq + 1, self._clock(), action, actor or scope.principal.actor,
                          detail, subject)
            return self._reactions.after(self._writer.commit(thread_of(conversation_id), current, updated,
                                                             event.seq, events=[event])).conversation

        return until_committed(attempt, action.replace("_", " "))

    def _from_bot(self, c: Conversation) -> Conversation:
        """A conversation someone gives or takes from its bot leaves the bot stage."""
        return bot_stage.handed_off(c, BY_SUPERVISOR, self._clock()) if c.stage == BOT else c

    def _answerer(self, agent_id: object) -> Agent:
        """Whom a conversation is given to: an agent who may answer it (as distribution
        offers only to them), else it would wait on someone who cannot."""
        agent = self._agent(agent_id)
        if not agent.may_answer:
            raise ValidationFailed("agent_id", f"{agent.name or agent.id} has not signed in with the "
                                               f"{ROLE_NAMES[AGENT]} role, so could not answer it")
        return agent

    def _agent(self, agent_id: object) -> Agent:
        if not isinstance(agent_id, str) or not is_object_id(agent_id):
            raise ValidationFailed("agent_id", "must be an agent's id: their Entra object id")
        agent = self._agents.get(agent_id)
        if agent is None:
            raise ValidationFailed("agent_id", f"no agent {agent_id} in the agents directory")
        return agent


def _to_its_people(scope: Scope, check: Callable[[Conversation], None], target: Agent) -> Callable[[Conversation], None]:
    """``check``, and that ``target`` works a queue of the conversation's workstream or
    supervises it: only an admin gives a conversation, and its customer's data, to anyone."""
    def checked(c: Conversation) -> None:
        check(c)
        ours = c.workstream_id in target.supervises or any(q.workstream_id == c.workstream_id for q in target.queues)
        if not (scope.is_admin or ours):
            raise ValidationFailed("agent_id", f"{target.name or target.id} works in no queue of workstream "
                                               f"{c.workstream_id} and does not supervise it")
    return checked
