"""The timer rows that bring a waiting conversation's queue to mind (service_levels/queues.py
acts on them), written as a reaction to every move that makes a conversation wait in a
queue (conversations/reactions.py): a new one, one whose offer was declined or lapsed,
one unassigned, transferred or moved to a queue, one its bot handed off.

  overflow|<workstream>|<queue>   the queue's overflow rules, from the next minute on
                                  (one row however many begin to wait in a minute)
  waiting|<conversation>          its waiting message, after it began to wait (sent once:
                                  a second row for it, after another offer ended, sends
                                  nothing more)

Only a conversation whose customer wrote waits for an agent: a proactive message's begins
to when its customer first writes (``Conversation.queued``: its place in its queue is
given then, a move; one put in its queue before, by a transfer or an unassign, has its
rows written by ingest, ``QueueWatch.arrived``); a move within waiting (a label, another offer's end in the same queue) writes nothing;
the workstream is read from the short cache, so a workstream with neither setting costs
no round trip.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from conversations.messaging.lookup import Lookup
from conversations.messaging.writer import Move
from core.clock import Clock
from core.ports import Deadlines
from core.records import Conversation, Workstream

OVERFLOW_JOB, WAITING_JOB = "overflow", "waiting"
EVERY = timedelta(minutes=1)


class QueueTimers:
    def __init__(self, *, lookup: Lookup, timers: Deadlines, clock: Clock) -> None:
        self._lookup = lookup
        self._timers = timers
        self._clock = clock

    def moved(self, move: Move) -> list[Move]:
        was, c = move.was, move.conversation
        if not c.queued or not c.workstream_id or c.last_customer_message_at is None \
                or (was is not None and was.queued and was.queue == c.queue):
            return []
        workstream = self._lookup.workstream(c.workstream_id)
        if workstream is not None:
            self.began(c, workstream, since(c))
        return []

    def began(self, c: Conversation, workstream: Workstream, waiting_since: datetime) -> None:
        """``c`` waits in its queue from ``waiting_since`` for an agent: its rows."""
        if any(rule.queue == c.queue for rule in workstream.settings.overflow):
            self._timers.schedule(f"{OVERFLOW_JOB}|{workstream.id}|{c.queue or ''}", next_minute(self._clock()))
        message = workstream.settings.waiting_message
        if message is not None:
            self._timers.schedule(f"{WAITING_JOB}|{c.id}", waiting_since + timedelta(seconds=message.after_seconds))


def since(c: Conversation) -> datetime:
    """When it began to wait: its place in its queue."""
    return c.queued_at or c.created_at


def next_minute(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0) + EVERY
