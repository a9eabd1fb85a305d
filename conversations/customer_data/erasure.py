"""Erasing a customer: every conversation, message, marker, inbox row, offer, deadline,
timer, retention row, kept answer and contact that names them, in every account or one.

A job row comes first (storage/erasures.py), keyed by a keyed hash of the subject, so
asking again is the same job: an unfinished one (an outage stopped it) carries on where it
stopped, on a retry or on the timer; a finished one runs again, finds nothing (or what the
customer sent since) and answers everything erased under it. Each
thread is erased whole before its progress is saved, and rows elsewhere go before the
thread's own rows, so a repeated step finds everything it still has to delete. What the
law needs kept stays, reduced: a thread that had opted out leaves a hashed opt-out
(storage/optouts.py), so a later message from that address is still opted out."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from conversations.admin.numbers import PhoneReader
from conversations.customer_data.subjects import is_phone, opted_out, parse_subject, subject_id, threads_of
from conversations.distribution.capacity import Capacity
from conversations.live.publisher import Publisher
from conversations.messaging.contact_links import ContactLinks
from conversations.reports.facts_log import FactsLog
from core.clock import Clock
from core.custody import (
    DONE, RUNNING, Digests, ErasureJob, ErasureJobs, OptOuts, Purge, Subject, ThreadContents, add_counts,
)
from core.errors import NotFound, SwitchboardError
from core.identity import Actor
from core.ids import is_record_id
from core.ports import Accounts, Contacts
from core.records import CLOSED

log = logging.getLogger(__name__)


class Erasure:
    def __init__(self, *, jobs: ErasureJobs, purge: Purge, optouts: OptOuts, accounts: Accounts, capacity: Capacity,
                 digests: Digests, facts: FactsLog, phones: PhoneReader, contacts: Contacts, links: ContactLinks,
                 publisher: Publisher, clock: Clock) -> None:
        self._jobs = jobs
        self._contacts = contacts
        self._links = links  # the erased contact's conversations on its other numbers are linked to none
        self._purge = purge
        self._optouts = optouts
        self._accounts = accounts
        self._capacity = capacity  # what the erased conversations' agents held is given back
        self._publisher = publisher
        self._digests = digests
        self._facts = facts  # reports keep each conversation's counts, without the customer
        self._phones = phones
        self._clock = clock

    def start(self, body: Any, actor: Actor) -> ErasureJob:
        """Erase the subject ``body`` names (or finish the job that erases them)."""
        subject = parse_subject(body, self._phones)
        threads_of(subject, self._accounts)  # an unknown account is refused before anything is stored
        now = self._clock()
        job_id = subject_id(subject, self._digests)
        job = self._jobs.start(ErasureJob(job_id, RUNNING, subject, {}, actor, now, now))
        if job.state == DONE:  # erased before: erase what came since (a retry finds nothing), same job
            job = replace(job, state=RUNNING, subject=subject, updated_at=now)
        found = set(job.threads) | self._purge.threads_named(subject)
        job = replace(job, threads=tuple(sorted(found)))
        self._jobs.save(job)  # before anything is deleted: the index rows that found them go first
        return self.finish(job)

    def get(self, job_id: str) -> ErasureJob:
        job = self._jobs.get(job_id) if is_record_id(job_id) else None
        if job is None:
            raise NotFound(f"erasure {job_id} not found")
        return job

    def finish(self, job: ErasureJob) -> ErasureJob:
        subject = job.subject
        assert subject is not None, "a running job keeps its subject"
        for thread in sorted(set(job.threads) | set(threads_of(subject, self._accounts))):
            job = self._thread(job, thread, subject)
        if is_phone(subject) and subject.account_id is None:  # contacts belong to no one account
            contact = self._contacts.by_phone(subject.address)
            if contact is not None:  # its name goes from its other numbers' conversations too
                self._links.follow(contact.id, contact.phones, None)
            job = replace(job, erased=add_counts(dict(job.erased), self._purge.erase_contacts(subject.address)))
        job = replace(job, state=DONE, subject=None, threads=(), updated_at=self._clock())
        self._jobs.save(job)
        log.info("erasure %s done: %s", job.id, dict(job.erased))
        return job

    def resume(self, limit: int = 100) -> int:
        """Finish jobs an outage left running (the timer); how many finished."""
        finished = 0
        for job in self._jobs.running(limit):
            try:
                self.finish(job)
                finished += 1
            except SwitchboardError as exc:
                log.warning("erasure %s left for the next run (%s)", job.id, exc.code)
        return finished

    def _thread(self, job: ErasureJob, thread: str, subject: Subject) -> ErasureJob:
        contents = self._purge.read_thread(thread)
        if contents.head is None and not contents.conversations:
            return job
        for conversation in contents.conversations:  # before, so a crash leaves nothing named; and again after
            self._facts.forget_customer(conversation)
            if conversation.state != CLOSED:
                for agent_id in {a.id for a in (conversation.agent, conversation.offer and conversation.offer.agent) if a}:
                    self._capacity.release(agent_id, conversation.id)
        kept = dict(job.kept)
        if opted_out(thread, contents, self._optouts):
            add_counts(kept, {"optouts": self._optouts.keep(thread)})
        else:
            self._optouts.drop(thread)
        erased = add_counts(dict(job.erased), self._purge.erase_mentions("idempotency", _needles(contents, subject)))
        add_counts(erased, self._purge.erase_thread(thread, contents))
        for conversation in contents.conversations:  # a move racing the erasure may have written its row since
            self._facts.forget_customer(conversation)
            if conversation.state != CLOSED:
                self._publisher.gone(conversation)  # the workspaces showing it drop it now
        job = replace(job, erased=erased, kept=kept, updated_at=self._clock())
        self._jobs.save(job)
        return job


def _needles(contents: ThreadContents, subject: Subject) -> list[str]:
    """What a kept answer names when it is about this thread: the address, the ids."""
    ids = [c.id for c in contents.conversations] + [m.id for c in contents.conversations for m in c.messages]
    return [subject.address, *ids]
