"""Customers' data kept for as long as it may be: the audit trail of admin changes, erasure
jobs, the hashed opt-outs that outlive an erased customer, and the storage ports the
retention timer and erasure delete through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping, Protocol

from core.identity import Actor
from core.ports import Head
from core.records import Conversation

RUNNING, DONE = "running", "done"


@dataclass(frozen=True)
class AuditEntry:
    """One admin change: who, when, from which address, what (an action such as
    ``account.update`` on a target id) and which fields: names only, never values."""

    id: str
    at: datetime
    actor: Actor
    client_ip: str
    action: str
    target: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditFilter:
    actor_id: str | None = None
    action: str | None = None  # an action, or its kind ("account" for every account.*)
    target: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    next: str | None


@dataclass(frozen=True)
class Subject:
    """Whom an erasure or an export is about: a customer's address (E.164, or a WhatsApp
    user id) in one account or, with no ``account_id``, in every account."""

    address: str
    account_id: str | None = None


@dataclass(frozen=True)
class ErasureJob:
    id: str
    state: str  # RUNNING until everything about the subject is gone, then DONE
    subject: Subject | None  # kept (sealed) only while running
    erased: Mapping[str, int]  # rows deleted, by table
    started_by: Actor
    created_at: datetime
    updated_at: datetime
    kept: Mapping[str, int] = field(default_factory=dict)  # what stays, reduced: hashed opt-outs
    threads: tuple[str, ...] = ()  # the subject's threads as found when it started (kept sealed, while running)


@dataclass(frozen=True)
class ThreadContents:
    """Every row of a customer's thread with one business address, as records."""

    head: Head | None
    conversations: list[Conversation] = field(default_factory=list)


class OptOuts(Protocol):
    """Opt-outs kept after the thread that held them is gone, keyed by a keyed hash of the
    thread (so the address is not kept in clear)."""

    def held(self, thread: str) -> bool: ...

    def keep(self, thread: str) -> int:
        """Rows written (1)."""

    def drop(self, thread: str) -> None: ...


class Digests(Protocol):
    """A keyed hash (the app's sealing keys): the same value, the same digest, and the value
    cannot be read back from it."""

    def digest(self, value: str) -> str: ...


class AuditLog(Protocol):
    def append(self, entry: AuditEntry) -> None: ...

    def page(self, where: AuditFilter, limit: int, token: str | None = None) -> AuditPage:
        """Newest first; ValueError for a token that is not one of ``page``'s."""

    def expire(self, before: datetime, limit: int) -> int:
        """Delete entries older than ``before`` (reading only those); how many went."""


class ErasureJobs(Protocol):
    def get(self, job_id: str) -> ErasureJob | None: ...

    def start(self, job: ErasureJob) -> ErasureJob:
        """Write a new running job, or answer the one stored under its id."""

    def save(self, job: ErasureJob) -> None:
        """Record progress; a DONE job drops its subject."""

    def running(self, limit: int) -> list[ErasureJob]: ...


class Purge(Protocol):
    """Deleting what a customer left in storage (storage/purge.py). Each answers rows
    deleted by table; a row already gone is skipped, so every step may be repeated."""

    def read_thread(self, thread: str) -> ThreadContents: ...

    def threads_named(self, subject: Subject) -> set[str]:
        """The threads of every conversation the inbox index lists for the subject."""

    def erase_thread(self, thread: str, contents: ThreadContents) -> dict[str, int]:
        """The thread's rows, and the inbox, deadlines, timers, retention and idempotency
        rows that name its conversations (head last)."""

    def erase_conversation(self, conversation: Conversation, head: Head | None) -> dict[str, int]:
        """One closed conversation's rows, markers, inbox rows and auto-close deadline;
        the thread head too when ``head`` (its ETag checked) is given."""

    def erase_contacts(self, address: str) -> dict[str, int]:
        """The contacts holding this number (as their mobile phone or another of theirs),
        and the directory claims of every number they held."""

    def erase_mentions(self, table: str, needles: list[str]) -> dict[str, int]:
        """The rows of a short-lived table (idempotency) whose values name a needle."""


def add_counts(total: dict[str, int], more: Mapping[str, int]) -> dict[str, int]:
    for table, n in more.items():
        if n:
            total[table] = total.get(table, 0) + n
    return total

