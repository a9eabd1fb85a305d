"""One try to hand a stored message to its provider, and what its answer leaves owed
(conversations/messaging/delivery.py runs it, in the request and in the queue's jobs).

A try is made under a ticket: the outbox queue's job that comes due should the process
die during the try. The answer closes it: sent, the provider's id is recorded and the job
deleted (recording fails: the job becomes a record job); transient or without an answer,
the job comes due again after a backoff and the message shows ``retrying`` (``in_doubt``
when the try may have reached the provider: the job asks it first); a refusal,
``failed``. A job a worker took meanwhile (the guard came due while the try ran) is put
anew, so an owed message always has a job."""

from __future__ import annotations

import hashlib
import logging
import random
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Callable, Mapping

from conversations.messaging.optouts import OptOuts
from core import status as statuses
from core import telemetry as metrics
from core.errors import ProviderError, ProviderRecipientOptedOut, StorageUnavailable
from core.ids import thread_of
from core.messages import OutboundMessage, SendResult
from core.ports import JobGone, Sender, Telemetry, Threads, Ticket, WorkQueue
from core.records import Account, Attempt, Conversation, Message

log = logging.getLogger(__name__)

MAX_BACKOFF = 15 * 60.0
GUARD, SEND, RECORD = "guard", "send", "record"  # guard: what queues of earlier versions may still hold


@dataclass(frozen=True)
class Timing:
    guard_after: float = 90.0  # seconds: far longer than storing and one attempt take
    retry_base: float = 10.0  # the first backoff; each next one doubles
    unknown_after: float = 60.0  # a try with no answer yet: longer than any provider call, time for its callback
    max_attempts: int = 6

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.unknown_after)


CallbackUrl = Callable[[Account, str, str], str | None]  # (account, base URL, message id) -> status callback


@dataclass(frozen=True)
class Parcel:
    """A stored message with what sending it needs."""

    account: Account
    conversation: Conversation
    message: Message
    base_url: str | None


def backoff(attempt: int, error: ProviderError | None, timing: Timing) -> float:
    """Seconds before try ``attempt + 1``: exponential from ``retry_base``, jittered, at
    least the provider's Retry-After, and at least ``unknown_after`` when the last try may
    have gone out."""
    delay = min(MAX_BACKOFF, timing.retry_base * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)
    if error is not None and error.outcome_unknown:
        delay = max(delay, timing.unknown_after)
    return max(delay, (error.retry_after if error else None) or 0.0)


def attempt_id(message_id: str, attempt: Attempt) -> str:
    """The id a provider that dedupes repeated requests knows a chain of tries by (a UUID)."""
    return str(uuid.UUID(hashlib.sha256(f"{message_id}|{attempt.chain}".encode()).hexdigest()[:32]))


def job(kind: str, conversation_id: str, message_id: str, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "conversation_id": conversation_id, "message_id": message_id, **fields}


def send_job(parcel: Parcel, **fields: Any) -> dict[str, Any]:
    m = parcel.message
    return job(SEND, m.conversation_id, m.id, seq=m.seq, base_url=parcel.base_url, **fields)


class Tries:
    def __init__(self, *, threads: Threads, senders: Mapping[str, Sender], queue: WorkQueue,
                 callback_url: CallbackUrl, optouts: OptOuts, telemetry: Telemetry, timing: Timing) -> None:
        self._threads = threads
        self._senders = senders
        self._queue = queue
        self._callback_url = callback_url
        self._optouts = optouts
        self._telemetry = telemetry
        self._timing = timing

    def outbound(self, parcel: Parcel, attempt: Attempt) -> OutboundMessage:
        account, conversation, message = parcel.account, parcel.conversation, parcel.message
        return OutboundMessage(
            business=conversation.business, customer=conversation.customer, body=message.body, media=message.media,
            template=message.template, message_id=message.id, attempt_id=attempt_id(message.id, attempt),
            first_sent=attempt.chain_at, content=message.content,
            status_callback=self._callback_url(account, parcel.base_url, message.id) if parcel.base_url else None,
        )

    def make(self, parcel: Parcel, attempt: Attempt, ticket: Ticket, inline: bool) -> Message:
        """Try, record the answer; raises the provider's refusal when ``inline`` (a request)."""
        account, message = parcel.account, parcel.message
        try:
            with self._telemetry.span(metrics.PROVIDER_SEND, provider=account.provider, message_id=message.id,
                                      attempt=str(attempt.number)):
                sent = self._senders[account.provider].send(account, self.outbound(parcel, attempt))
        except ProviderError as exc:
            return self._failed(parcel, attempt, ticket, exc, inline)
        self._telemetry.tag(provider_message_id=sent.provider_message_id)
        self._telemetry.count(metrics.MESSAGES_OUT, provider=account.provider, channel=account.channel)
        status = statuses.normalise(sent.status)
        self._record(parcel, ticket, sent, status)
        log.info("sent message %s as provider message %s (try %d)", message.id, sent.provider_message_id,
                 attempt.number)
        return replace(message, provider_message_id=sent.provider_message_id, status=status, error_code=None,
                       error_message=None)  # an earlier try's error is past, as on its row

    def _record(self, parcel: Parcel, ticket: Ticket, sent: SendResult, status: str) -> None:
        message = parcel.message
        try:
            self._threads.record_sent(thread_of(message.conversation_id), message, sent.provider_message_id, status)
        except StorageUnavailable:
            log.warning("message %s sent, its record left to the outbox queue", message.id)
            self.requeue(ticket, job(RECORD, message.conversation_id, message.id, seq=message.seq,
                                     provider_message_id=sent.provider_message_id, status=status), 0)
            return
        self.quietly(lambda: self._queue.delete(ticket))

    def _failed(self, parcel: Parcel, attempt: Attempt, ticket: Ticket, exc: ProviderError, inline: bool) -> Message:
        """A try in doubt is always asked about before the message fails (the job's next
        step), however many tries it was; a transient failure waits for the next try."""
        account, message = parcel.account, parcel.message
        if not (exc.outcome_unknown or (exc.transient and attempt.number < self._timing.max_attempts)):
            self.give_up(parcel, attempt.number, ticket, exc.provider_code, exc.message, exc)
            if inline:
                raise exc
            return replace(message, status=statuses.FAILED, error_code=exc.provider_code, error_message=exc.message)
        delay = backoff(attempt.number, exc, self._timing)
        self.requeue(ticket, send_job(parcel), delay)
        try:
            self._threads.mark_retrying(thread_of(message.conversation_id), message, exc.provider_code, exc.message,
                                        attempt.number, in_doubt=exc.outcome_unknown)
        except StorageUnavailable:  # its job, queued, follows the try up all the same
            log.warning("message %s: its retrying was not recorded; its job follows it up", message.id)
        self._telemetry.count(metrics.SEND_RETRIES, provider=account.provider)
        log.warning("send of message %s failed (try %d, provider code %s); again in %.0f s", message.id,
                    attempt.number, exc.provider_code, delay)
        return replace(message, status=statuses.RETRYING, error_code=exc.provider_code, error_message=exc.message,
                       attempts=attempt.number, in_doubt=exc.outcome_unknown)

    def give_up(self, parcel: Parcel, attempt: int, ticket: Ticket | None, code: str | None, reason: str,
                exc: ProviderError | None = None) -> None:
        """``failed`` for good: a permanent refusal, or out of tries (the job then kept in
        ``outbox-poison``, with ids and the reason only: a poison queue outlives an erasure
        that removed the customer's template parameters)."""
        account, message = parcel.account, parcel.message
        self._threads.mark_failed(thread_of(message.conversation_id), message, code, reason, attempts=attempt)
        self._telemetry.count(metrics.SEND_FAILURES, provider=account.provider,
                              code=code or (exc.code if exc else "out_of_tries"))
        if exc is None or exc.transient:
            poisoned = job(SEND, message.conversation_id, message.id, seq=message.seq, attempt=attempt,
                           provider_code=code or (exc.code if exc else None))
            self.quietly(lambda: self._queue.poison(poisoned))
            self._telemetry.count(metrics.SENDS_POISONED, provider=account.provider)
        if ticket is not None:
            self.quietly(lambda: self._queue.delete(ticket))
        log.warning("send of message %s failed for good (try %d, provider code %s)", message.id, attempt, code)
        if isinstance(exc, ProviderRecipientOptedOut):
            self._optouts.refused_by_provider(message.conversation_id)

    def requeue(self, ticket: Ticket | None, owed: Mapping[str, Any], delay: float) -> None:
        """Make the ticket's job ``owed``, due in ``delay``; a job a worker took meanwhile
        (or none) is put anew."""
        try:
            if ticket is None:
                raise JobGone("no ticket")
            self._queue.update(ticket, owed, delay)
        except JobGone:
            self.quietly(lambda: self._queue.put(owed, delay))
        except StorageUnavailable:
            log.warning("outbox queue unavailable: the job already queued covers this step")

    @staticmethod
    def quietly(call: Callable[[], Any]) -> None:
        """A queue call whose failure the rest of the protocol covers (the guard, the
        job already due, the status callback)."""
        try:
            call()
        except (StorageUnavailable, JobGone):
            log.warning("outbox queue unavailable (or its job taken); the job already queued covers this step")
