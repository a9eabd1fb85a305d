"""What waiting in a queue leads to (core/overflow.py): a workstream's overflow rules, when a
conversation arrives and by the queue's timer, and the waiting message a customer gets once
after waiting a while.

Timers rows (the distribution timer's ``timers`` table), written when a conversation
begins to wait in a queue (service_levels/queue_timers.py, a reaction to its move):

  overflow|<workstream>|<queue>   the queue's rules, once a minute while conversations
                                  wait in it (one row however many arrive in a minute)
  waiting|<conversation>          its waiting message falls due

An action is taken once per conversation and rule however many instances evaluate at
once: the rule is recorded on the conversation (``overflowed``) by a commit checked
against its head's ETag, and a message is sent under a key that stores it once.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from conversations.distribution.capacity import Capacity
from conversations.messaging.lookup import Lookup
from conversations.messaging.outbox import Outbox
from conversations.messaging.writer import Writer
from conversations.reactions import Reactions
from conversations.service_levels.expected import ExpectedWait
from conversations.service_levels.queue_timers import QueueTimers, next_minute, since
from core.agents import AVAILABLE
from core.clock import Clock
from core.ids import thread_of
from core.inbox import QUEUE, View
from core.overflow import CLOSE, MOVE, NOBODY_AVAILABLE, THRESHOLDS, OverflowRule, QueueNow, filled
from core.ports import Agents, Deadline, Deadlines, Inbox, Threads
from core.records import CLOSED, CLOSED_BY_OVERFLOW, OVERFLOWED, Conversation, Event, Workstream
from core.retry import until_committed
from core.settings import OVERFLOW, WAITING

log = logging.getLogger(__name__)

PEEK = 200  # the oldest conversations of a queue a timer run looks at


class QueueWatch:
    def __init__(self, *, threads: Threads, writer: Writer, reactions: Reactions, lookup: Lookup, inbox: Inbox,
                 capacity: Capacity, agents: Agents, outbox: Outbox, expected: ExpectedWait, timers: Deadlines,
                 queue_timers: QueueTimers, clock: Clock, offline_after: timedelta,
                 base_url: str | None = None) -> None:
        self._queue_timers = queue_timers
        self._threads, self._writer, self._reactions = threads, writer, reactions
        self._lookup, self._inbox, self._capacity, self._agents = lookup, inbox, capacity, agents
        self._outbox, self._expected, self._timers = outbox, expected, timers
        self._clock, self._offline_after, self._base_url = clock, offline_after, base_url

    def arrived(self, c: Conversation, workstream: Workstream, base_url: str | None, began: bool = False) -> None:
        """A conversation began to wait: a new one, or one a proactive message opened whose
        customer first wrote. When it waits in its queue, the first of the queue's rules that
        holds acts on it at once (its commit wrote the queue's timer row and its waiting
        message's: service_levels/queue_timers.py). ``began``: it was in its queue already
        (transferred or returned there before its customer wrote), so no move wrote them:
        they are written now."""
        if began and c.queued:
            self._queue_timers.began(c, workstream, c.last_customer_message_at or self._clock())
        rules = [r for r in workstream.settings.overflow if r.queue == c.queue]
        if not c.queued or not rules:
            return
        now = self._clock()
        queued = self._waiting(workstream, c.queue) if any(r.when in THRESHOLDS for r in rules) else []
        ahead = [w for w in queued if (since(w), w.id) < (since(c), c.id)]
        longest = now - min((since(w) for w in ahead), default=now)
        self._first(c, rules, QueueNow(len(ahead), longest, self._anyone(workstream, c.queue, rules, now),
                                       _open(workstream, now)), workstream, base_url or self._base_url)

    def due_queue(self, job: Deadline) -> None:
        """A queue's timer row: each conversation waiting in it (oldest first) meets the
        first of the queue's rules that holds for it; the row comes back in a minute while
        any waits."""
        _, workstream_id, queue = job.key.split("|", 2)
        workstream, now = self._lookup.workstream(workstream_id), self._clock()
        rules = [r for r in workstream.settings.overflow if r.queue == (queue or None)] if workstream else []
        if rules:
            waiting = self._waiting(workstream, queue or None)
            anyone, open_ = self._anyone(workstream, queue or None, rules, now), _open(workstream, now)
            for ahead, c in enumerate(waiting):
                self._first(c, rules, QueueNow(ahead, now - since(c), anyone, open_), workstream, self._base_url)
            if waiting:
                self._timers.schedule(job.key, next_minute(now))
        self._timers.remove(job)

    def due_waiting(self, job: Deadline) -> None:
        """Its waiting message, when it still waits in its queue (offered: when the offer
        ends) and the workstream is open; sent once."""
        conversation_id = job.key.split("|")[1]
        head = self._threads.read_head(thread_of(conversation_id))
        c = head.conversation if head else None
        workstream = self._lookup.workstream_of(c) if c and c.id == conversation_id else None
        message = workstream.settings.waiting_message if workstream else None
        if c is not None and message is not None and c.waiting_for_agent and c.offer is not None:
            self._timers.move(job, c.offer.expires_at + timedelta(seconds=1))
            return
        if c is not None and message is not None and c.queued and c.last_customer_message_at is not None \
                and _open(workstream, self._clock()):
            text = filled(message.text, self._position(workstream, c), self._expected.of(workstream, c.queue))
            self._outbox.automated(c.id, WAITING, workstream.settings, self._base_url, text, f"{c.id}|{WAITING}",
                                   message.interactive)
        self._timers.remove(job)

    def _first(self, c: Conversation, rules: list[OverflowRule], q: QueueNow, workstream: Workstream,
               base_url: str | None) -> None:
        rule = next((r for r in rules if r.name not in c.overflowed and r.holds(q)), None)
        if rule is not None:
            self._act(c.id, rule, workstream, q.ahead + 1, base_url)

    def _act(self, conversation_id: str, rule: OverflowRule, workstream: Workstream, position: int,
             base_url: str | None) -> None:
        """The rule's action, once: its message first (stored once under its key), then the
        commit that records the rule on the conversation (and moves or closes it)."""
        if rule.action != MOVE:
            text = filled(rule.text, position, self._expected.of(workstream, rule.queue))
            self._outbox.automated(conversation_id, OVERFLOW, workstream.settings, base_url, text,
                                   f"{conversation_id}|{OVERFLOW}|{rule.name}", rule.interactive)

        def attempt() -> None:
            head = self._threads.read_head(thread_of(conversation_id))
            c = head.conversation if head else None
            if c is None or c.id != conversation_id or not c.queued or rule.name in c.overflowed:
                return
            now = self._clock()
            changed = replace(c, overflowed=(*c.overflowed, rule.name))
            if rule.action == MOVE:
                changed = replace(changed, queue=rule.to_queue)
            elif rule.action == CLOSE:
                changed = replace(changed, state=CLOSED, closed_at=now, closed_reason=CLOSED_BY_OVERFLOW)
            event = Event(c.id, head.seq + 1, now, OVERFLOWED, None, rule.name)
            self._reactions.after(self._writer.commit(thread_of(c.id), head, changed, event.seq, events=[event]))
            log.info("conversation %s: overflow rule %s (%s)", c.id, rule.name, rule.action)

        until_committed(attempt, "overflow")

    def _waiting(self, workstream: Workstream, queue: str | None) -> list[Conversation]:
        return self._inbox.page(View(QUEUE, workstream_id=workstream.id, queue=queue), PEEK).conversations

    def _position(self, workstream: Workstream, c: Conversation) -> int | None:
        ids = [w.id for w in self._waiting(workstream, c.queue)]
        return ids.index(c.id) + 1 if c.id in ids else None

    def _anyone(self, workstream: Workstream, queue: str | None, rules: list[OverflowRule], now: datetime) -> bool:
        """Whether an agent of the queue is available (whatever its load); read only when a
        rule asks (``nobody_available``)."""
        if all(r.when != NOBODY_AVAILABLE for r in rules):
            return True
        states = self._capacity.read_all()
        return any(a.id in states and states[a.id][0].present(now, self._offline_after) == AVAILABLE
                   for a in self._agents.working()
                   if any(q.workstream_id == workstream.id and q.queue == queue for q in a.queues))


def _open(workstream: Workstream, now: datetime) -> bool:
    hours = workstream.settings.operating_hours
    return hours is None or hours.is_open(now)
