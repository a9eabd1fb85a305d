"""Delivery: every stored message reaches its provider once, through provider and storage
failures, with the outbox queue (core.ports.WorkQueue) owing what the request could not.

1. Before the message is stored, a *guard* job goes into the queue, due in guard_after:
   when the request that stores it fails (its answer lost, or the instance gone before
   the send began), the guard finds the message still unsent and marks it not_sent, so
   nothing goes out that its caller was told had failed.
2. Once stored, the guard becomes the *send* job (the claim): from then on the send is
   owed, and the queue delivers it should this instance die.
3. The inline attempt. Sent: the provider's id is recorded and the job deleted; when
   recording fails the job becomes a *record* job (and the status callback, which names
   our message id, finds the message too). A transient failure (429, 5xx, no answer):
   the job comes due again after a backoff with jitter (Retry-After honoured; a send
   whose answer never came waits unknown_after first, for the provider's status
   callback), and the message shows ``retrying``. A permanent one: ``failed``.
4. The queue-triggered function runs due jobs: send again while the message is still
   owed, up to max_attempts, then ``failed`` with the last reason and the job kept in
   ``outbox-poison``.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

from core import status as statuses
from core import telemetry as metrics
from core.errors import ProviderError, ProviderRecipientOptedOut, StorageUnavailable
from core.ids import thread_of
from core.messages import OutboundMessage, TemplateRef
from core.ports import Accounts, JobGone, Sender, Telemetry, Threads, Ticket, WorkQueue
from core.records import Account, Conversation, Message

log = logging.getLogger(__name__)

MAX_BACKOFF = 15 * 60.0
GUARD, SEND, RECORD = "guard", "send", "record"


@dataclass(frozen=True)
class Timing:
    guard_after: float = 90.0  # seconds: far longer than storing and one attempt take
    retry_base: float = 10.0  # the first backoff; each next one doubles
    unknown_after: float = 60.0  # a send whose answer was lost: time for the provider's callback first
    max_attempts: int = 6

CallbackUrl = Callable[[Account, str, str], str | None]  # (account, base URL, message id) -> status callback


@dataclass(frozen=True)
class Parcel:
    """A stored message with what sending it needs."""

    account: Account
    conversation: Conversation
    message: Message
    template: TemplateRef | None
    base_url: str | None


def backoff(attempt: int, error: ProviderError, timing: Timing) -> float:
    """Seconds before try ``attempt + 1``: exponential from ``retry_base``, jittered, at
    least the provider's Retry-After, and at least ``unknown_after`` when the last try may
    have gone out."""
    delay = min(MAX_BACKOFF, timing.retry_base * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)
    if error.outcome_unknown:
        delay = max(delay, timing.unknown_after)
    return max(delay, error.retry_after or 0.0)


def _job(kind: str, message: Message, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "conversation_id": message.conversation_id, "message_id": message.id, "seq": message.seq,
            **fields}


def _template(t: TemplateRef | None) -> dict[str, Any] | None:
    return None if t is None else {"name": t.name, "language": t.language, "parameters": list(t.parameters),
                                   "content_sid": t.content_sid}


class Delivery:
    def __init__(self, threads: Threads, accounts: Accounts, senders: Mapping[str, Sender], queue: WorkQueue,
                 callback_url: CallbackUrl, opted_out: Callable[[str], None], telemetry: Telemetry,
                 timing: Timing = Timing()) -> None:
        self._timing = timing
        self._threads = threads
        self._accounts = accounts
        self._senders = senders
        self._queue = queue
        self._callback_url = callback_url
        self._opted_out = opted_out
        self._telemetry = telemetry

    def guard(self, conversation_id: str, message_id: str) -> Ticket:
        """Step 1; StorageUnavailable when the queue is down (nothing is stored then)."""
        return self._queue.put({"kind": GUARD, "conversation_id": conversation_id, "message_id": message_id},
                               self._timing.guard_after)

    def drop(self, ticket: Ticket) -> None:
        """The guard of a message that will not be sent (held back, or stored before)."""
        self._quietly(lambda: self._queue.delete(ticket))

    def deliver(self, parcel: Parcel, guard: Ticket) -> Message:
        """Steps 2 and 3, in the request; raises the provider's error when it refused for good."""
        self._telemetry.tag(conversation_id=parcel.message.conversation_id, message_id=parcel.message.id)
        try:
            ticket = self._queue.update(guard, self._send_job(parcel, 1), self._timing.guard_after)
        except JobGone as exc:  # the guard came due before the claim: it settles the message
            raise StorageUnavailable("the message could not be sent in time; send it again") from exc
        return self._attempt(parcel, 1, ticket, inline=True)

    def run(self, job: Mapping[str, Any]) -> None:
        """Step 4: one due job (the queue trigger)."""
        self._telemetry.tag(kind=job["kind"], conversation_id=job["conversation_id"], message_id=job["message_id"])
        thread = thread_of(job["conversation_id"])
        if job["kind"] == GUARD:
            message = self._threads.find_message(thread, job["message_id"])
            if message is not None and message.status == statuses.SENDING and not message.provider_message_id:
                self._threads.mark_failed(thread, message, "request_failed", "not sent: the request that stored "
                                          "it failed before it was sent", status=statuses.NOT_SENT)
                log.info("message %s not sent: its request failed after storing it", message.id)
            return
        message = self._threads.message(job["conversation_id"], int(job["seq"]))
        if message is None or message.id != job["message_id"]:
            return
        if job["kind"] == RECORD:
            self._threads.record_sent(thread, message, job["provider_message_id"], job["status"])
            return
        parcel = self._parcel(job, message)
        if parcel is not None and message.status in statuses.PENDING:
            self._attempt(parcel, int(job["attempt"]), None, inline=False)

    def _parcel(self, job: Mapping[str, Any], message: Message) -> Parcel | None:
        conversation = self._threads.current(message.conversation_id)
        account = self._accounts.get(conversation.account_id) if conversation else None
        if conversation is None or account is None:
            self._threads.mark_failed(thread_of(message.conversation_id), message, "account_missing",
                                      "the conversation's messaging account no longer exists")
            return None
        t = job.get("template")
        template = TemplateRef(t["name"], t["language"], tuple(t["parameters"]), t.get("content_sid")) if t else None
        return Parcel(account, conversation, message, template, job.get("base_url"))

    def _send_job(self, parcel: Parcel, attempt: int) -> dict[str, Any]:
        return _job(SEND, parcel.message, attempt=attempt, template=_template(parcel.template),
                    base_url=parcel.base_url)

    def _attempt(self, parcel: Parcel, attempt: int, ticket: Ticket | None, inline: bool) -> Message:
        account, message = parcel.account, parcel.message
        outbound = OutboundMessage(
            business=parcel.conversation.business, customer=parcel.conversation.customer, body=message.body,
            media=message.media, template=parcel.template, message_id=message.id,
            status_callback=self._callback_url(account, parcel.base_url, message.id) if parcel.base_url else None,
        )
        try:
            with self._telemetry.span(metrics.PROVIDER_SEND, provider=account.provider, message_id=message.id,
                                      attempt=str(attempt)):
                sent = self._senders[account.provider].send(account, outbound)
        except ProviderError as exc:
            return self._failed(parcel, attempt, ticket, exc, inline)
        self._telemetry.tag(provider_message_id=sent.provider_message_id)
        status = statuses.normalise(sent.status)
        self._telemetry.count(metrics.MESSAGES_OUT, provider=account.provider, channel=account.channel)
        self._record(parcel, ticket, sent.provider_message_id, status)
        log.info("sent message %s as provider message %s (try %d)", message.id, sent.provider_message_id, attempt)
        return replace(message, provider_message_id=sent.provider_message_id, status=status)

    def _record(self, parcel: Parcel, ticket: Ticket | None, provider_message_id: str, status: str) -> None:
        thread = thread_of(parcel.message.conversation_id)
        try:
            self._threads.record_sent(thread, parcel.message, provider_message_id, status)
        except StorageUnavailable:
            log.warning("message %s sent, its record left to the outbox queue", parcel.message.id)
            job = _job(RECORD, parcel.message, provider_message_id=provider_message_id, status=status)
            self._quietly(lambda: self._queue.update(ticket, job, 0) if ticket else self._queue.put(job))
            return
        if ticket is not None:
            self._quietly(lambda: self._queue.delete(ticket))

    def _failed(self, parcel: Parcel, attempt: int, ticket: Ticket | None, exc: ProviderError,
                inline: bool) -> Message:
        account, message = parcel.account, parcel.message
        thread = thread_of(message.conversation_id)
        if exc.transient and attempt < self._timing.max_attempts:
            delay, job = backoff(attempt, exc, self._timing), self._send_job(parcel, attempt + 1)
            self._quietly(lambda: self._queue.update(ticket, job, delay) if ticket else self._queue.put(job, delay))
            self._threads.mark_retrying(thread, message, exc.provider_code, exc.message, attempt)
            self._telemetry.count(metrics.SEND_RETRIES, provider=account.provider)
            log.warning("send of message %s failed (try %d, provider code %s); again in %.0f s", message.id,
                        attempt, exc.provider_code, delay)
            return replace(message, status=statuses.RETRYING, error_code=exc.provider_code, error_message=exc.message)
        self._threads.mark_failed(thread, message, exc.provider_code, exc.message)
        self._telemetry.count(metrics.SEND_FAILURES, provider=account.provider, code=exc.provider_code or exc.code)
        if exc.transient:  # out of tries: kept for operators
            # ids and the reason only: the message is in its thread, and a poison queue is kept
            # long after an erasure has removed the customer's template parameters from it
            self._quietly(lambda: self._queue.poison(_job(SEND, parcel.message, attempt=attempt,
                                                          provider_code=exc.provider_code or exc.code)))
            self._telemetry.count(metrics.SENDS_POISONED, provider=account.provider)
        if ticket is not None:
            self._quietly(lambda: self._queue.delete(ticket))
        log.warning("send of message %s failed for good (try %d, provider code %s)", message.id, attempt,
                    exc.provider_code)
        if isinstance(exc, ProviderRecipientOptedOut):
            self._opted_out(message.conversation_id)
        if inline:
            raise exc
        return replace(message, status="failed", error_code=exc.provider_code, error_message=exc.message)

    def measure(self) -> None:
        """Tell operators how many jobs the outbox queue holds and how old the oldest
        waiting one is (the distribution timer, every run)."""
        try:
            depth, age = self._queue.depth()
        except StorageUnavailable:
            log.warning("outbox queue unavailable: its depth was not measured")
            return
        self._telemetry.record(metrics.OUTBOX_DEPTH, depth)
        if age is not None:
            self._telemetry.record(metrics.OUTBOX_AGE, age)

    @staticmethod
    def _quietly(call: Callable[[], Any]) -> None:
        """A queue call whose failure the rest of the protocol covers (the guard, the
        job already due, the status callback)."""
        try:
            call()
        except (StorageUnavailable, JobGone):
            log.warning("outbox queue unavailable (or its job taken); the job already queued covers this step")
