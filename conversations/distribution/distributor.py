"""Push distribution: a conversation waiting in its queue is offered to one eligible agent
(core/dispatch.py); an offer that is declined or lapses moves on; with nobody eligible it
waits, oldest first, until someone frees capacity or turns available.

An offer is made in three writes, each safe to lose the race on: the agent's capacity is
reserved (its ETag), the lapse is scheduled (a timers row), and the offer is committed on
the thread head (its ETag; a conversation that changed meanwhile is offered to nobody and
the reservation this made is released, unless another renewed it since). Everything a
move frees is handled by ``moved``, a reaction to every commit that moves a conversation,
on every path (conversations/reactions.py). Whatever commits here answers the moves it
made, for the same table.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from conversations.distribution.capacity import Capacity, Reservation, reserved_after
from conversations.messaging.lookup import Lookup
from conversations.messaging.writer import Commit, Move, Writer
from core.agents import AVAILABLE, AWAY, Agent, AgentState, QueueRef
from core.clock import Clock
from core.dispatch import REOFFER_AFTER, ranked, widens_at
from core.errors import AtCapacity, SwitchboardError
from core.identity import AGENT, Actor
from core.ids import thread_of
from core.inbox import QUEUE, View
from core.ports import Agents, Deadline, Deadlines, Head, Inbox, Threads
from core.records import CLOSED, OFFER_EXPIRED, OFFERED, Conversation, Decline, Event, Offer, Workstream
from core.retry import ConcurrencyConflict, until_committed
from core.settings import PUSH
from core.skills import fits

log = logging.getLogger(__name__)

ROUNDS = 5  # tries to place one conversation when others take the agents first
PEEK = 10  # waiting conversations offered, at most, when an agent frees up
SCAN = 200  # of each of its queues' oldest, one range read: those she may take need not be first
MAX_DECLINES = 20  # declines a conversation remembers
NOT_AVAILABLE = "agent not available"  # an offer_expired event's detail: withdrawn, not lapsed


@dataclass(frozen=True)
class Opening:
    """A new conversation as it is committed (offered, when an agent could take it), the
    offer's event, the agent's reservation when this made it (``withdraw`` releases it),
    and whether distribution need not be asked again after the commit."""

    conversation: Conversation
    events: tuple[Event, ...]
    reserved: Reservation | None
    asked: bool


def remembered(c: Conversation, agent_id: str, at: datetime) -> tuple[Decline, ...]:
    return (*c.declined, Decline(agent_id, at))[-MAX_DECLINES:]


class Distributor:
    def __init__(self, threads: Threads, writer: Writer, lookup: Lookup, agents: Agents, capacity: Capacity,
                 inbox: Inbox, timers: Deadlines, clock: Clock, offline_after: timedelta) -> None:
        self._threads = threads
        self._writer = writer
        self._lookup = lookup
        self._agents = agents
        self._capacity = capacity
        self._inbox = inbox
        self._timers = timers
        self._clock = clock
        self._offline_after = offline_after

    def moved(self, move: Move) -> list[Move]:
        """After a commit moved a conversation: release what its agents no longer hold,
        offer it when it waits in its queue (unless it was just found that nobody can take
        it: ``Move.asked``), and offer the freed agents their next one."""
        was, after = move.was, move.conversation
        kept = {after.agent.id if after.agent and after.state != CLOSED else None,
                after.offer.agent.id if after.offer else None}
        freed = sorted({was.holder, was.offer_agent_id} - kept - {None}) if was else []
        for agent_id in freed:
            self._capacity.release(agent_id, after.id, moved=(move.version, move.as_of))
        made = self.dispatch(after.id, move.head) if after.queued and not move.asked else []
        for agent_id in freed:
            made += self.dispatch_for(agent_id)
        return made

    def dispatch(self, conversation_id: str, head: Head | None = None) -> list[Move]:
        """Offer the conversation to the best eligible agent, if it waits in a push queue."""
        for _ in range(ROUNDS):
            head = head or self._threads.read_head(thread_of(conversation_id))
            c = head.conversation if head else None
            workstream = self._pushed(c) if c and c.id == conversation_id else None
            chosen = self._reserve(c, workstream) if workstream else None
            if chosen is None:
                return []
            agent, reserved = chosen
            if agent is not None:
                offered = self._offer(head, agent, workstream.settings.distribution.offer_timeout_seconds, reserved)
                if offered is not None:
                    return offered
            head = None
        return []

    def opening(self, c: Conversation, seq: int) -> Opening:
        """What a new conversation is committed with (its offer's event numbered ``seq``):
        offered to the best eligible agent, whose capacity is reserved and the lapse
        scheduled, so it is created offered, in one commit. ``asked`` says whether that is
        settled (offered, or nobody can take it now: it waits in its queue); when not (every
        agent tried filled up meanwhile, or storage failed), the reaction to the commit
        asks again. Should the commit fail, ``withdraw`` the opening."""
        workstream, agent, reserved = self._pushed(c), None, None
        try:
            chosen = self._reserve(c, workstream) if workstream else None
            if chosen is None:
                return Opening(c, (), reserved=None, asked=True)
            agent, reserved = chosen
            if agent is None:
                return Opening(c, (), reserved=None, asked=False)
            offered, event = self._offered(c, agent, workstream.settings.distribution.offer_timeout_seconds, seq)
        except SwitchboardError as exc:
            if agent is not None and reserved is not None:  # should this fail too, the agent's watch releases it
                with contextlib.suppress(SwitchboardError):
                    self._capacity.release(agent.id, c.id, only=reserved.slot)
            log.warning("conversation %s: no offer as it opens (%s); asked again after its commit", c.id, exc.code)
            return Opening(c, (), reserved=None, asked=False)
        log.info("conversation %s offered to agent %s as it opens", c.id, agent.id)
        return Opening(offered, (event,), reserved, asked=True)

    def withdraw(self, opening: Opening) -> None:
        """The commit of a new conversation with its offer failed: its reservation goes,
        unless renewed since (for another's commit, which landed)."""
        if opening.reserved is not None and opening.conversation.offer:
            self._capacity.release(opening.conversation.offer.agent.id, opening.conversation.id,
                                   only=opening.reserved.slot)

    def _pushed(self, c: Conversation | None) -> Workstream | None:
        """The workstream of a conversation waiting in its queue, when it pushes offers."""
        workstream = self._lookup.workstream_of(c) if c and c.queued else None
        return workstream if workstream and workstream.settings.distribution.mode == PUSH else None

    def _reserve(self, c: Conversation, workstream: Workstream) -> tuple[Agent | None, Reservation | None] | None:
        """The best eligible agent whose capacity it could reserve, and the reservation when
        this made it (None when the agent held one already, now renewed); (None, None) when
        every agent tried was full meanwhile; None when nobody is eligible."""
        states = self._capacity.read_all()
        agents, retry_at = ranked(c, workstream.settings.distribution, self._agents.working(),
                                  {k: s for k, (s, _) in states.items()}, self._clock(), self._offline_after)
        if retry_at is not None:
            self._timers.schedule(f"dispatch|{c.id}", retry_at)
        for agent in agents[:3]:
            try:
                reservation = self._capacity.reserve(agent, c.id, c.channel, c.version, offer=True,
                                                     known=states.get(agent.id))
            except AtCapacity:
                continue
            return agent, reservation if reservation.new else None
        return (None, None) if agents else None

    def _offered(self, c: Conversation, agent: Agent, timeout_seconds: int, seq: int) -> tuple[Conversation, Event]:
        """The conversation offered to the agent, and its event; the lapse scheduled."""
        now = self._clock()
        expires_at = now + timedelta(seconds=timeout_seconds)
        to = Actor(agent.id, agent.name or agent.id)
        self._timers.schedule(f"offer|{c.id}|{agent.id}", expires_at)
        return replace(c, offer=Offer(to, expires_at)), Event(c.id, seq, now, OFFERED, None, subject=to)

    def _offer(self, head: Head, agent: Agent, timeout_seconds: int, reserved: Reservation | None) -> list[Move] | None:
        """Commit the offer (its move, if any); None when the conversation changed
        meanwhile. The reservation is released on failure when this made it
        (``reserved``), and only as this stamped it: another instance may have given the
        same conversation to the same agent meanwhile, renewing it for a commit that landed."""
        c = head.conversation
        try:
            offered, event = self._offered(c, agent, timeout_seconds, head.seq + 1)
            commit = self._writer.commit(thread_of(c.id), head, offered, event.seq, events=[event])
        except BaseException as exc:
            if reserved is not None:
                self._capacity.release(agent.id, c.id, only=reserved.slot)
            if isinstance(exc, ConcurrencyConflict):
                return None
            raise
        log.info("conversation %s offered to agent %s", c.id, agent.id)
        return [commit.move] if commit.move else []

    def dispatch_for(self, agent_id: str) -> list[Move]:
        """Offer waiting conversations of the agent's queues, oldest first, while the agent
        is available with free capacity (each goes to the best eligible agent)."""
        agent = self._agents.get(agent_id)
        tried: set[str] = set()
        made: list[Move] = []
        pages: dict[QueueRef, list[Conversation]] = {}  # each queue read once a call (what moves since, dispatch reads)
        while agent is not None and AGENT in agent.roles and len(tried) < PEEK:
            state = self._capacity.read(agent_id)
            if state.present(self._clock(), self._offline_after) != AVAILABLE:
                break
            waiting = self._oldest_waiting(agent, state, tried, pages)
            if waiting is None:
                break
            tried.add(waiting.id)
            made += self.dispatch(waiting.id)
        return made

    def _oldest_waiting(self, agent: Agent, state: AgentState, tried: set[str],
                        pages: dict[QueueRef, list[Conversation]]) -> Conversation | None:
        since = self._clock() - REOFFER_AFTER
        found: list[Conversation] = []
        for ref in agent.queues:
            workstream = self._lookup.workstream(ref.workstream_id)
            if workstream is None or workstream.settings.distribution.mode != PUSH \
                    or state.load(workstream.channel) >= agent.capacity_for(workstream.channel):
                continue
            if ref not in pages:
                view = View(QUEUE, workstream_id=ref.workstream_id, queue=ref.queue)
                pages[ref] = [c for c in self._inbox.page(view, SCAN).conversations
                              if not c.declined_by(agent.id, since) and self._may_take(agent, c, workstream)]
            found.extend(c for c in pages[ref] if c.id not in tried)
        return min(found, key=lambda c: (c.queued_at or c.created_at, c.id), default=None)

    def _may_take(self, agent: Agent, c: Conversation, workstream: Workstream) -> bool:
        """Whether the agent has the skills the conversation needs, or it waited long
        enough to go to the closest match (then the dispatch ranks who is closest)."""
        widen_at = widens_at(c, workstream.settings.distribution)
        return fits(agent.skills, c.skills) or (widen_at is not None and self._clock() >= widen_at)

    def lapse(self, job: Deadline) -> list[Move]:
        """An offer's time is up (a due ``offer|<conversation>|<agent>`` row): it moves on,
        and the agent, who did not answer, is set away."""
        _, conversation_id, agent_id = job.key.split("|")

        def attempt() -> list[Move] | None:
            head, now = self._head_offering(conversation_id, agent_id), self._clock()
            if head is None:
                return []
            c = head.conversation
            if c.offer and c.offer.expires_at > now:
                self._timers.move(job, c.offer.expires_at)
                return None
            commit = self._end_offer(head, replace(c, declined=remembered(c, agent_id, now)), now)
            self._set_away(agent_id, c.id, commit.head.conversation.version, now)
            log.info("offer of conversation %s to agent %s lapsed", c.id, agent_id)
            return [commit.move] if commit.move else []

        made = until_committed(attempt, "lapse an offer")
        if made is None:
            return []  # not due yet: its row moved to when it is
        self._timers.remove(job)
        return made

    def withdraw_offers(self, agent_id: str, conversation_ids: list[str]) -> list[Move]:
        """The offers to an agent who is not available move on at once (of the conversations
        it holds or is offered, a head read each: those offered to it); one that fails
        (storage) is left to lapse."""
        made: list[Move] = []
        for conversation_id in conversation_ids:
            try:
                made += until_committed(lambda cid=conversation_id: self._withdrawn(agent_id, cid), "withdraw an offer")
            except SwitchboardError as exc:
                log.warning("offer of conversation %s to agent %s left to lapse (%s)", conversation_id, agent_id,
                            exc.code)
        return made

    def _withdrawn(self, agent_id: str, conversation_id: str) -> list[Move]:
        head = self._head_offering(conversation_id, agent_id)
        if head is None:
            return []
        commit = self._end_offer(head, head.conversation, self._clock(), NOT_AVAILABLE)
        log.info("offer of conversation %s to agent %s withdrawn: not available", conversation_id, agent_id)
        return [commit.move] if commit.move else []

    def _head_offering(self, conversation_id: str, agent_id: str) -> Head | None:
        """The head of the thread while the conversation is there, offered to the agent."""
        head = self._threads.read_head(thread_of(conversation_id))
        c = head.conversation if head else None
        return head if c is not None and c.id == conversation_id and c.offer and c.offer.agent.id == agent_id else None

    def _end_offer(self, head: Head, c: Conversation, now: datetime, detail: str | None = None) -> Commit:
        """Commit ``c`` (the head's, as changed) without its offer: lapsed, or withdrawn (``detail``)."""
        agent = head.conversation.offer.agent if head.conversation.offer else None
        event = Event(c.id, head.seq + 1, now, OFFER_EXPIRED, None, detail, subject=agent)
        return self._writer.commit(thread_of(c.id), head, replace(c, offer=None), event.seq, events=[event])

    def _set_away(self, agent_id: str, conversation_id: str, version: int, at: datetime) -> None:
        """The agent who let an offer lapse (committed as ``version``, ``at``) is set away,
        unless it took the conversation since (capacity reserved after the lapse: an accept
        landed meanwhile). Should the write fail, the agent's next lapse sets it."""
        def away(s: AgentState) -> AgentState | None:
            slot = s.slots.get(conversation_id)
            took = slot is not None and reserved_after(slot, version, at)
            return replace(s, presence=AWAY) if s.presence == AVAILABLE and not took else None

        try:
            self._capacity.change(agent_id, away)
        except SwitchboardError as exc:
            log.warning("agent %s: not set away after its offer lapsed (%s)", agent_id, exc.code)

    def retry(self, job: Deadline) -> list[Move]:
        """Offer again a conversation whose eligible agents had all declined it (a due
        ``dispatch|<conversation>`` row)."""
        self._timers.remove(job)
        return self.dispatch(job.key.split("|")[1])
