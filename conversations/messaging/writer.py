"""The one way a thread head is committed. A commit that moves its conversation (a new
conversation, or a change of state, queue, holder or offer: its Placement) also re-places
it in the inbox index and hands the move back to its committer, crash-safely:

  1. a job row in the timers table, due in SETTLE_AFTER, names the move (and the version
     it commits, with a token of its own: another move from the same version is another job);
  2. the head commit (the truth);
  3. the inbox rows are written (its fact row for reports with its workstream's lists),
     then the conversation is read back: when another commit moved it meanwhile, it is
     placed again as it is now (so two movers never leave it where neither put it);
  4. the committer hands the Move to what reacts to it (conversations/reactions.py), which
     removes the job row once every reaction ran (``done``).

Every commit also carries the conversation's service-level clocks (core/sla.py) and, when
they next fall due sooner than its timers row, writes one first (``_clocked``).

A process that dies after 2 leaves the job, and the timer (conversations/distribution/
clockwork.py) replays 3 and 4, once the commit landed or can no longer land (a slow one
may come after the job is due: COMMIT_TIMEOUT_SECONDS). A committer that works from due rows of its own (the sweep)
keeps the job among them instead (``JobsAt``), due with the row it works on: it removes
the job with that row in one batch once every reaction ran, and its next run replays one
left behind. A commit that does not move the conversation (a message
into it, most often) is the commit alone: ingest stays one read and one write.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Iterable

from core.clock import Clock
from core.errors import CommitPending, StorageUnavailable, SwitchboardError, ThreadDeleted
from core.facts import Facts
from core.inbox import Placement
from core.ports import Deadline, Deadlines, DuplicateMarker, Head, Inbox, Threads
from core.records import Conversation, Event, Message
from core.retry import ConcurrencyConflict

log = logging.getLogger(__name__)

SETTLE_AFTER = timedelta(seconds=30)
SETTLE_ROUNDS = 5
JOB = "place"
SLA_JOB = "sla"  # the service-level timer's rows (conversations/service_levels/timer.py)

@dataclass(frozen=True)
class Move:
    """A committed move, handed on to what reacts to it: where the conversation was (None
    when new), the conversation now, its head when the committer just wrote it (else
    None), when the move was committed, the job row that keeps the move owed until every
    reaction ran (it names the version committed: what its reactions release was reserved
    against an earlier one), and whether work distribution was asked already."""

    was: Placement | None
    conversation: Conversation
    head: Head | None
    as_of: datetime
    job: Deadline
    asked: bool = False  # distribution settled it before the commit (an opening): not asked again
    kept: bool = False  # the committer keeps its job among its own rows, and removes it (JobsAt)

    @property
    def version(self) -> int:
        """The conversation's version the move committed, as its job names it (a replayed
        move's conversation is as it is now, perhaps later)."""
        return version_of(self.job)


@dataclass(frozen=True)
class JobsAt:
    """Where a committer that works from due rows of its own keeps a move's job: among
    them (``rows``), due when the row it works on is (``due_at``), so both lie in one
    partition and go in one batch."""

    rows: Deadlines
    due_at: datetime


@dataclass(frozen=True)
class Commit:
    """What a commit wrote (its head), the move it made, if any and placed, and for a
    commit that moved nothing, the facts it started from."""

    head: Head
    move: Move | None = None
    was: Facts | None = None


class Writer:
    def __init__(self, threads: Threads, inbox: Inbox, timers: Deadlines, clock: Clock,
                 commit_timeout: timedelta) -> None:
        self._threads = threads
        self._inbox = inbox
        self._timers = timers
        self._clock = clock
        self._commit_timeout = commit_timeout

    def commit(self, thread: str, head: Head | None, conversation: Conversation, seq: int,
               messages: Iterable[Message] = (), markers: Iterable[tuple[str, Message]] = (),
               events: Iterable[Event] = (), asked: bool = False, jobs: JobsAt | None = None) -> Commit:
        """Commit like Threads.commit (same errors), and place the conversation when it
        moved; the Move is for the committer to hand to its reactions (``asked``: the
        committer asked work distribution for it before, see Move; ``jobs``: where its
        job row goes, when not in the timers table)."""
        before = head.conversation if head is not None and head.conversation.id == conversation.id else None
        messages, events, now = list(messages), list(events), self._clock()
        after = replace(conversation, version=(before.version if before else 0) + 1,
                        facts=conversation.facts.after(before, conversation, messages, events, now))
        after = self._clocked(after, messages, now)
        was = Placement.of(before) if before else None
        if was == Placement.of(after):
            etag = self._threads.commit(thread, head, after, seq, messages, markers, events)
            return Commit(Head(after, seq, etag), was=before.facts if before else None)
        rows, due_at = (jobs.rows, jobs.due_at) if jobs else (self._timers, now + SETTLE_AFTER)
        job = rows.schedule(f"{JOB}|{after.id}|{secrets.token_hex(4)}|{after.version:010d}", due_at,
                            {"at": now.isoformat(), **({"was": was.to_dict()} if was else {})})
        try:
            etag = self._threads.commit(thread, head, after, seq, messages, markers, events)
        except (ConcurrencyConflict, DuplicateMarker, ThreadDeleted):
            rows.remove(job)
            raise
        committed = Head(after, seq, etag)
        return Commit(committed, self._placed(Move(was, after, committed, now, job, asked, kept=jobs is not None)))

    def _clocked(self, after: Conversation, messages: list[Message], now: datetime) -> Conversation:
        """Its service-level clocks carried over the commit (core/sla.py), their results in
        its facts; when they have something to record sooner than the timers row it has
        (or it has none still to come), a row for then, written before the commit."""
        sl = after.service_level
        if sl is None:
            return after
        sl = sl.after(after, messages, now)
        point = sl.next_point()
        if point is not None and (sl.scheduled_at is None or sl.scheduled_at <= now or point < sl.scheduled_at):
            self._timers.schedule(f"{SLA_JOB}|{after.id}|{point.timestamp():.0f}", point)
            sl = replace(sl, scheduled_at=point)
        facts = replace(after.facts, sla_met=tuple(r.target for r in sl.results if r.met),
                        sla_breached=tuple(r.target for r in sl.results if not r.met))
        return replace(after, service_level=sl, facts=facts)

    def replay(self, job: Deadline, kept: bool = False) -> Move | None:
        """Finish placing a move whose writer stopped after its commit (a due job row,
        ``kept`` among the caller's own rows, which removes it: placing that fails then
        raises, so that the caller keeps it); the move, for its reactions, unless the
        conversation is gone. CommitPending while the commit may still land (the
        conversation not at the job's version yet, the job younger than any invocation
        runs): its writer may yet die after it, and the job is all that would finish it."""
        was = Placement.from_dict(job.data["was"]) if job.data.get("was") else None
        conversation_id = job.key.split("|")[1]
        current = self._threads.current(conversation_id)
        committed_at = _committed_at(job)
        if (current is None or current.version < version_of(job)) and committed_at is not None \
                and self._clock() - committed_at < self._commit_timeout:
            raise CommitPending(f"conversation {conversation_id}: the commit of its move may still land")
        log.info("conversation %s: finishing a move its writer left unfinished", conversation_id)
        if current is None:
            self._inbox.remove([was] if was else [])
            if not kept:
                self._timers.remove(job)
            return None
        move = Move(was, current, None, _committed_at(job) or self._clock(), job, kept=kept)
        if kept:
            self._settle(current, [was] if was else [])
            return move
        return self._placed(move)

    def adopt(self, conversation: Conversation) -> None:
        """Place a conversation as it was last known to be placed, and as it is now if a
        commit moved it since (conversations/distribution/upgrade.py)."""
        self._settle(conversation, [])

    def done(self, move: Move) -> None:
        """Every reaction to the move ran: nothing of it is owed any more (a job its
        committer keeps, it removes)."""
        if not move.kept:
            self._timers.remove(move.job)

    def _placed(self, move: Move) -> Move | None:
        """The move once its lists show it; None when placing failed (its job finishes it)."""
        try:
            self._settle(move.conversation, [move.was] if move.was else [])
        except SwitchboardError as exc:  # committed all the same: the job finishes it
            log.warning("conversation %s moved; placing it failed (%s), left to the timer", move.conversation.id,
                        exc.code)
            return None
        return move

    def _settle(self, placed: Conversation, stale: list[Placement]) -> None:
        """Place it, read it back, and again as it is now while a commit changed its place
        or its facts meanwhile (its fact row, written with no condition, may have put older
        facts over those a commit that moved nothing wrote)."""
        refile = False
        for _ in range(SETTLE_ROUNDS):
            self._inbox.place(placed, stale, refile)
            current = self._threads.current(placed.id)
            if current is None:
                self._inbox.remove([*stale, Placement.of(placed)])
                return
            refile = current.facts != placed.facts
            if Placement.of(current) == Placement.of(placed) and not refile:
                return
            stale, placed = [*stale, Placement.of(placed)], current
        raise StorageUnavailable(f"conversation {placed.id} keeps moving")


def version_of(job: Deadline) -> int:
    """The version the job's move committed: ``place|<conversation>|<token>|<version>`` (the
    token tells apart two moves from one version, one of which fails and removes its own
    job; a job written before it had none, and code before it reads the version last)."""
    return int(job.key.rsplit("|", 1)[1])


def _committed_at(job: Deadline) -> datetime | None:
    """When the move a job names was committed (a job written before this was kept: None):
    what its reactions release, reserved by older code, was reserved before then."""
    at = job.data.get("at")
    return datetime.fromisoformat(at) if at else None
