"""The one way a thread head is committed. A commit that moves its conversation (a new
conversation, or a change of state, queue, holder or offer: its Placement) also re-places
it in the inbox index and tells the listeners (work distribution), crash-safely:

  1. a job row in the timers table, due in SETTLE_AFTER, names the move;
  2. the head commit (the truth);
  3. the inbox rows are written, then the conversation is read back: when another commit
     moved it meanwhile, it is placed again as it is now (so two movers never leave it
     where neither put it);
  4. the listeners run, and the job row is removed.

A process that dies after 2 leaves the job, and the timer (conversations/distribution/clockwork.py)
replays 3 and 4. A commit that does not move the conversation (a message into it, most
often) is the commit alone: ingest stays one read and one write.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Callable, Iterable

from core.clock import Clock
from core.errors import StorageUnavailable, SwitchboardError
from core.inbox import Placement
from core.ports import Deadline, Deadlines, DuplicateMarker, Head, Inbox, Threads
from core.records import Conversation, Event, Message
from core.retry import ConcurrencyConflict

log = logging.getLogger(__name__)

SETTLE_AFTER = timedelta(seconds=30)
SETTLE_ROUNDS = 5
JOB = "place"

# (where it was, None for a new conversation; the conversation now; its head when the
# caller just committed it, else None; the time it was known to be so)
Listener = Callable[[Placement | None, Conversation, Head | None, datetime], None]


class Writer:
    def __init__(self, threads: Threads, inbox: Inbox, timers: Deadlines, clock: Clock) -> None:
        self._threads = threads
        self._inbox = inbox
        self._timers = timers
        self._clock = clock
        self._listeners: list[Listener] = []

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def commit(self, thread: str, head: Head | None, conversation: Conversation, seq: int,
               messages: Iterable[Message] = (), markers: Iterable[tuple[str, Message]] = (),
               events: Iterable[Event] = ()) -> Head:
        """Commit like Threads.commit (same errors), and place the conversation when it moved."""
        before = head.conversation if head is not None and head.conversation.id == conversation.id else None
        after = replace(conversation, version=(before.version if before else 0) + 1)
        was = Placement.of(before) if before else None
        if was == Placement.of(after):
            return Head(after, seq, self._threads.commit(thread, head, after, seq, messages, markers, events))
        now = self._clock()
        job = self._timers.schedule(f"{JOB}|{after.id}|{after.version:010d}", now + SETTLE_AFTER,
                                    {"was": was.to_dict()} if was else {})
        try:
            etag = self._threads.commit(thread, head, after, seq, messages, markers, events)
        except (ConcurrencyConflict, DuplicateMarker):
            self._timers.remove(job)
            raise
        committed = Head(after, seq, etag)
        self._finish(job, was, after, committed, now)
        return committed

    def replay(self, job: Deadline) -> None:
        """Finish a move whose writer stopped after its commit (a due job row)."""
        was = Placement.from_dict(job.data["was"]) if job.data.get("was") else None
        now = self._clock()
        current = self._threads.current(job.key.split("|")[1])
        log.info("conversation %s: finishing a move its writer left unfinished", job.key.split("|")[1])
        if current is None:
            self._inbox.remove([was] if was else [])
            self._timers.remove(job)
            return
        self._finish(job, was, current, None, now)

    def _finish(self, job: Deadline, was: Placement | None, after: Conversation, head: Head | None,
                as_of: datetime) -> None:
        try:
            self._settle(after, [was] if was else [])
            for listener in self._listeners:
                listener(was, after, head, as_of)
            self._timers.remove(job)
        except SwitchboardError as exc:  # committed all the same: the job finishes it
            log.warning("conversation %s moved; placing it failed (%s), left to the timer", after.id, exc.code)

    def _settle(self, placed: Conversation, stale: list[Placement]) -> None:
        for _ in range(SETTLE_ROUNDS):
            self._inbox.place(placed, stale)
            current = self._threads.current(placed.id)
            if current is None:
                self._inbox.remove([*stale, Placement.of(placed)])
                return
            if Placement.of(current) == Placement.of(placed):
                return
            stale, placed = [*stale, Placement.of(placed)], current
        raise StorageUnavailable(f"conversation {placed.id} keeps moving")
