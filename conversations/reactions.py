"""What follows a commit that moved a conversation, all in one table.

Whoever commits through the writer (conversations/messaging/writer.py) hands the Commit
it got to ``after``, in the open, at the call site; the distribution timer hands the
moves it replays, and those of its own jobs, to ``run``. Each reaction takes a Move and
answers the moves it committed itself (an offer is a move too), which go through the same
table, here, rather than by a writer calling back into what called it. Once every
reaction to a move ran, its job row is removed (the sweep removes its closes' itself, with
the deadline each closed: ``run`` answers the moves that finished); a reaction that fails
(storage down) leaves it, and the timer (or the next sweep run) replays the move.

The table, in order:
  1. work distribution (distribution/distributor.py ``moved``): release what the
     conversation's former holder or offer used, offer it when it waits in its queue,
     offer the freed agents their next conversation;
  2. retention (customer_data/retention.py ``moved``): a conversation that just closed
     falls due for deletion;
  3. reports (reports/facts_log.py ``moved``): a finished day's digest marked stale when
     the fact row the writer placed is of it, and a closed one's facts to Application
     Insights;
  4. queue timers (service_levels/queue_timers.py ``moved``): a conversation that began to
     wait in a queue has that queue's overflow rules and its waiting message fall due;
  5. live updates (live/publisher.py ``moved``): the open workspaces whose lists changed
     are told so, last, once the offers the move led to are made.
A commit that moved nothing (a message into a conversation) is told to the workspaces of
those holding or offered it, and to reports when it answered a closed conversation's
survey (``touched``), and needs nothing else.
"""

from __future__ import annotations

import logging
from typing import Callable

from conversations.customer_data.retention import Retention
from conversations.distribution.distributor import Distributor
from conversations.live.publisher import Publisher
from conversations.reports.facts_log import FactsLog
from conversations.service_levels.queue_timers import QueueTimers
from conversations.messaging.writer import Commit, Move, Writer
from core.errors import SwitchboardError
from core.ports import Head

log = logging.getLogger(__name__)

Reaction = Callable[[Move], list[Move]]


class Reactions:
    def __init__(self, *, writer: Writer, distributor: Distributor, retention: Retention, facts: FactsLog,
                 queue_timers: QueueTimers, publisher: Publisher) -> None:
        self._writer = writer
        self._facts = facts
        self._publisher = publisher
        self._table: tuple[Reaction, ...] = (distributor.moved, retention.moved, facts.moved, queue_timers.moved,
                                             publisher.moved)

    def after(self, commit: Commit) -> Head:
        """React to what the commit moved, or tell whoever holds it that it changed; its
        head, for the committer."""
        if commit.move is not None:
            self.run([commit.move])
        else:
            try:
                self._facts.touched(commit)
            except SwitchboardError as exc:  # committed all the same: the next move writes the row
                log.warning("conversation %s: its fact row was left stale (%s)", commit.head.conversation.id, exc.code)
            self._publisher.touched(commit.head.conversation)
        return commit.head

    def run(self, moves: list[Move]) -> list[Move]:
        """React to each move, and to each move a reaction made, in order; the moves every
        reaction ran for (the others' jobs replay them)."""
        pending, finished = list(moves), []
        while pending:
            move = pending.pop(0)
            try:
                for react in self._table:
                    pending.extend(react(move))
            except SwitchboardError as exc:  # committed all the same: its job replays it
                log.warning("conversation %s moved; a reaction failed (%s), left to the timer", move.conversation.id,
                            exc.code)
                continue
            self._writer.done(move)
            finished.append(move)
        return finished
