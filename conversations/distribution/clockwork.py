"""The timer of the ``timers`` table: it runs the rows that are due, and only those, so
its cost follows what is due.

  place|<conversation>|<token>|<version>   a move whose writer stopped after its commit (writer.py)
  offer|<conversation>|<agent>     an offer's time is up (distribution.py)
  dispatch|<conversation>          every eligible agent had declined it: offer it again
  agent|<agent>                    an agent's watch (presence.py)
  forget|<key>                     an Idempotency-Key's answer kept long enough (idempotency.py)
  bot|<conversation>               a customer message waits for the bot's answer (bots/relay.py)
  sla|<conversation>|<when>        a service-level warning or breach falls due (service_levels/timer.py)
  overflow|<workstream>|<queue>    a queue's overflow rules, once a minute while any waits (service_levels/queues.py)
  waiting|<conversation>           a customer's waiting message falls due (service_levels/queues.py)

A row that fails (storage down) stays, and is tried again on the next run.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Callable

from conversations.bots.relay import JOB as BOT_JOB
from conversations.bots.relay import Bots
from conversations.distribution.distributor import Distributor
from conversations.messaging.idempotency import FORGET, Idempotency
from conversations.distribution.presence import Presence
from conversations.distribution.upgrade import InboxUpgrade
from conversations.messaging.writer import JOB, SLA_JOB, Writer
from conversations.reactions import Reactions
from conversations.service_levels.queue_timers import OVERFLOW_JOB, WAITING_JOB
from conversations.service_levels.queues import QueueWatch
from conversations.service_levels.timer import ServiceLevelTimer
from core.clock import Clock
from core.errors import CommitPending, SwitchboardError
from core.ports import Deadline, Deadlines

log = logging.getLogger(__name__)


class Clockwork:
    def __init__(self, *, timers: Deadlines, writer: Writer, distributor: Distributor, reactions: Reactions,
                 presence: Presence, idempotency: Idempotency, bots: Bots, upgrade: InboxUpgrade,
                 service_levels: ServiceLevelTimer, queues: QueueWatch, clock: Clock) -> None:
        self._timers = timers
        self._upgrade = upgrade
        self._clock = clock
        self._idempotency = idempotency
        self._reactions = reactions
        self._writer = writer
        self._distributor = distributor
        self._handlers: dict[str, Callable[[Deadline], None]] = {
            JOB: self._replay, "offer": self._lapse, "dispatch": self._retry, "agent": presence.watch,
            FORGET: self._forget, BOT_JOB: bots.due, SLA_JOB: service_levels.due,
            OVERFLOW_JOB: queues.due_queue, WAITING_JOB: queues.due_waiting,
        }

    def run(self, limit: int = 1000) -> dict[str, int]:
        now = self._clock()
        counts: Counter[str] = Counter()
        for job in self._timers.due(now, limit):
            kind = job.key.split("|")[0]
            handler = self._handlers.get(kind)
            if job.due_at > now:
                continue
            if handler is None:
                log.warning("timers row %s names no job; removed", job.key)
                self._timers.remove(job)
                continue
            try:
                handler(job)
                counts[kind] += 1
            except CommitPending:
                counts["pending"] += 1  # tried again next run
            except SwitchboardError as exc:
                counts["failed"] += 1
                log.warning("timers row %s failed (%s); tried again next run", job.key, exc.code)
        if counts:
            log.info("distribution timer: %s", dict(counts))
        try:
            self._upgrade.run()  # until what earlier deployments kept of the inbox index is moved
        except SwitchboardError as exc:
            log.warning("upgrading the inbox index failed (%s); tried again next run", exc.code)
        return dict(counts)

    def _replay(self, job: Deadline) -> None:
        move = self._writer.replay(job)
        self._reactions.run([move] if move else [])

    def _lapse(self, job: Deadline) -> None:
        self._reactions.run(self._distributor.lapse(job))

    def _retry(self, job: Deadline) -> None:
        self._reactions.run(self._distributor.retry(job))

    def _forget(self, job: Deadline) -> None:
        self._idempotency.forget(job.key)
        self._timers.remove(job)
