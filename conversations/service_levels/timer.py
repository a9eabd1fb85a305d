"""The service-level timer: a row of the ``timers`` table, ``sla|<conversation>|<when>``,
falls due when a conversation's clocks have a warning or a breach to record (the writer
writes it before the commit that needed it, conversations/messaging/writer.py). Running it
reads the head, records what is due as events of the conversation (once: the commit is
checked against the head's ETag, so a second instance running the same row finds it
recorded), and tells the holder and the workstream's supervisors. Nothing due, nothing
written: the timer's cost follows what falls due.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from conversations.live.publisher import Publisher
from conversations.messaging.writer import Writer
from conversations.reactions import Reactions
from core import telemetry as metrics
from core.clock import Clock
from core.ids import thread_of
from core.ports import Deadline, Deadlines, Telemetry, Threads
from core.records import SLA_BREACHED, SLA_WARNING, Conversation, Event
from core.retry import until_committed
from core.sla import BREACHED

log = logging.getLogger(__name__)


class ServiceLevelTimer:
    def __init__(self, *, threads: Threads, writer: Writer, reactions: Reactions, publisher: Publisher,
                 timers: Deadlines, telemetry: Telemetry, clock: Clock) -> None:
        self._threads = threads
        self._writer = writer
        self._reactions = reactions
        self._publisher = publisher
        self._timers = timers
        self._telemetry = telemetry
        self._clock = clock

    def due(self, job: Deadline) -> None:
        conversation_id = job.key.split("|")[1]
        recorded = until_committed(lambda: self._record(conversation_id), "record service levels")
        self._timers.remove(job)
        if recorded is None:
            return
        conversation, said = recorded
        for target, level in said:
            log.info("conversation %s: service level %s %s", conversation_id, target, level)
            self._telemetry.count(metrics.SLA_BREACHES if level == BREACHED else metrics.SLA_WARNINGS,
                                  target=target)
        self._publisher.alert(conversation, said)

    def _record(self, conversation_id: str) -> tuple[Conversation, list[tuple[str, str]]] | None:
        """Commit the warnings and breaches due now that no one recorded yet, and the timers
        row of the next one when this row was the one it had; None when nothing was due."""
        head = self._threads.read_head(thread_of(conversation_id))
        c = head.conversation if head else None
        if c is None or c.id != conversation_id or c.service_level is None:
            return None
        now = self._clock()
        sl, said = c.service_level.recorded(now)
        owed = sl.next_point() is not None and (sl.scheduled_at is None or sl.scheduled_at <= now)
        if not said and not owed:
            return None
        events = [Event(c.id, head.seq + 1 + i, now, SLA_BREACHED if level == BREACHED else SLA_WARNING, None, target)
                  for i, (target, level) in enumerate(said)]
        commit = self._writer.commit(thread_of(c.id), head, replace(c, service_level=sl), head.seq + len(events),
                                     events=events)
        return self._reactions.after(commit).conversation, said
