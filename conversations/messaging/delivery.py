"""Delivery: every stored message reaches its provider once, through provider and storage
failures and processes killed at any moment, with the outbox queue (core.ports.WorkQueue)
owing what a request could not finish and the message's tries (core.ports.Attempts)
telling who may try it and whether a try may have gone out.

1. Before the message is stored, a *guard* job goes into the queue, due in guard_after.
2. Once stored, the request records its try (``claim``), then calls the provider. A
   try's number is taken once, so the guard, a retry of the request and the queue's
   jobs never try one message at the same time.
3. The answer closes the try. Sent: the provider's id is recorded and the job deleted
   (when recording fails the job becomes a *record* job; the status callback, which
   names our message id, finds it too). Transient (429, 5xx, no answer): the job comes
   due again after a backoff with jitter (Retry-After honoured), the message shows
   ``retrying``. Permanent: ``failed``.
4. A job that comes due settles the message (conversations/messaging/attempts.py): nobody tried it
   (its request died or was answered an error first): ``not_sent``; a try that is open
   or whose answer never came is *in doubt*: the provider is asked first where it can
   be (Sender.find_sent; a provider that dedupes repeated tries is sent the same try
   again), and the message is tried again only when it did not go out; otherwise the
   next try, up to max_attempts, then ``failed`` and the job kept in ``outbox-poison``.
"""

from __future__ import annotations

import hashlib
import logging
import random
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Callable, Mapping

from conversations.messaging import attempts as steps
from conversations.messaging.optouts import OptOuts
from core import status as statuses
from core import telemetry as metrics
from core.clock import Clock
from core.errors import ProviderError, ProviderRecipientOptedOut, StorageUnavailable
from core.ids import thread_of
from core.messages import OutboundMessage, SendResult
from core.ports import Accounts, Attempts, JobGone, Sender, Telemetry, Threads, Ticket, WorkQueue
from core.records import Account, Attempt, Conversation, Message, TemplateRef

log = logging.getLogger(__name__)

MAX_BACKOFF = 15 * 60.0
GUARD, SEND, RECORD = "guard", "send", "record"  # guard: what queues of earlier versions may still hold
REQUEST_FAILED = "request_failed"
LOOK_BACK = timedelta(seconds=30)  # clocks differ: a provider's record of a try may predate ours


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


def backoff(attempt: int, error: ProviderError, timing: Timing) -> float:
    """Seconds before try ``attempt + 1``: exponential from ``retry_base``, jittered, at
    least the provider's Retry-After, and at least ``unknown_after`` when the last try may
    have gone out."""
    delay = min(MAX_BACKOFF, timing.retry_base * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)
    if error.outcome_unknown:
        delay = max(delay, timing.unknown_after)
    return max(delay, error.retry_after or 0.0)


def attempt_id(message_id: str, attempt: Attempt) -> str:
    """The id a provider that dedupes repeated requests knows a chain of tries by (a UUID)."""
    return str(uuid.UUID(hashlib.sha256(f"{message_id}|{attempt.chain}".encode()).hexdigest()[:32]))


def _job(kind: str, conversation_id: str, message_id: str, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "conversation_id": conversation_id, "message_id": message_id, **fields}


def _send_job(parcel: Parcel) -> dict[str, Any]:
    m = parcel.message
    return _job(SEND, m.conversation_id, m.id, seq=m.seq, base_url=parcel.base_url)


class Delivery:
    def __init__(self, *, threads: Threads, attempts: Attempts, accounts: Accounts, senders: Mapping[str, Sender],
                 queue: WorkQueue, callback_url: CallbackUrl, optouts: OptOuts, telemetry: Telemetry, clock: Clock,
                 timing: Timing = Timing()) -> None:
        self._timing = timing
        self._threads = threads
        self._attempts = attempts
        self._accounts = accounts
        self._senders = senders
        self._queue = queue
        self._callback_url = callback_url
        self._optouts = optouts
        self._telemetry = telemetry
        self._clock = clock

    def guard(self, conversation_id: str, message_id: str, base_url: str | None) -> Ticket:
        """Step 1; StorageUnavailable when the queue is down (nothing is stored then)."""
        return self._queue.put(_job(SEND, conversation_id, message_id, base_url=base_url), self._timing.guard_after)

    def drop(self, ticket: Ticket) -> None:
        """The guard of a message that will not be sent (held back, or stored before)."""
        self._quietly(lambda: self._queue.delete(ticket))

    def deliver(self, parcel: Parcel, guard: Ticket) -> Message:
        """Steps 2 and 3, in the request that stored the message; raises the provider's
        error when it refused for good."""
        self._telemetry.tag(conversation_id=parcel.message.conversation_id, message_id=parcel.message.id)
        attempt = steps.first(self._clock())
        if not self._attempts.claim(parcel.message, attempt):
            self.drop(guard)
            return self._taken(parcel.message)
        return self._try(parcel, attempt, guard, inline=True)

    def resume(self, parcel: Parcel, guard: Ticket) -> Message:
        """A retry of the request that stored the message (the same Idempotency-Key): it
        finishes what that request left undone, so its answer is the one the first would
        have had. A message its request never tried is tried now; one the guard marked
        ``not_sent`` for that is taken back and tried; one already tried is answered as
        it stands (the queue owes what is still open)."""
        message = parcel.message
        tries = self._attempts.of(message)
        latest = tries[-1] if tries else None
        reopen = message.status == statuses.NOT_SENT and message.error_code == REQUEST_FAILED
        if (latest is None and steps.owed(message)) or (reopen and latest is not None and latest.void):
            attempt = steps.following(latest, self._clock())
            if self._attempts.claim(message, attempt, reopen=reopen):
                log.info("message %s taken over by a retry of its request (try %d)", message.id, attempt.number)
                return self._try(replace(parcel, message=replace(message, status=statuses.SENDING)), attempt,
                                 guard, inline=True)
            self.drop(guard)
            return self._taken(message)
        self.drop(guard)
        return message

    def _taken(self, message: Message) -> Message:
        """The message as it stands once another process took the number of the try this
        one was about to make: the guard, which marked it not sent (then this request
        fails), or another copy of the request, which is trying it."""
        current = self._threads.find_message(thread_of(message.conversation_id), message.id) or message
        if current.status == statuses.NOT_SENT and current.error_code == REQUEST_FAILED:
            raise StorageUnavailable("the message could not be sent in time; send it again")
        return current

    def run(self, job: Mapping[str, Any]) -> None:
        """Step 4: one due job (the queue trigger)."""
        self._telemetry.tag(kind=job["kind"], conversation_id=job["conversation_id"], message_id=job["message_id"])
        thread = thread_of(job["conversation_id"])
        if job["kind"] == RECORD:
            message = self._threads.message(job["conversation_id"], int(job["seq"]))
            if message is not None and message.id == job["message_id"]:
                self._threads.record_sent(thread, message, job["provider_message_id"], job["status"])
            return
        message = self._message(job)
        if message is None or not steps.owed(message):
            return
        step = steps.next_step(message, self._attempts.of(message), self._clock(), self._timing.lease)
        if isinstance(step, steps.Void):
            self._void(message)
        elif isinstance(step, steps.Wait):
            self._queue.put(job, (step.until - self._clock()).total_seconds())
        elif isinstance(step, steps.Try):
            parcel = self._parcel(job, message)
            if parcel is not None:
                self._settle(parcel, step)

    def _message(self, job: Mapping[str, Any]) -> Message | None:
        """The job's message: by its place in the thread when the job knows it (one read)."""
        if "seq" not in job:
            return self._threads.find_message(thread_of(job["conversation_id"]), job["message_id"])
        message = self._threads.message(job["conversation_id"], int(job["seq"]))
        return message if message is not None and message.id == job["message_id"] else None

    def _void(self, message: Message) -> None:
        if self._attempts.void(message, REQUEST_FAILED, "not sent: the request that stored it failed before "
                                                        "it was sent"):
            log.info("message %s not sent: its request failed after storing it", message.id)

    def _parcel(self, job: Mapping[str, Any], message: Message) -> Parcel | None:
        conversation = self._threads.current(message.conversation_id)
        account = self._accounts.get(conversation.account_id) if conversation else None
        if conversation is None or account is None:
            self._threads.mark_failed(thread_of(message.conversation_id), message, "account_missing",
                                      "the conversation's messaging account no longer exists")
            return None
        if message.template is None and job.get("template"):  # a job queued by an earlier version
            message = replace(message, template=TemplateRef.from_dict(job["template"]))
        return Parcel(account, conversation, message, job.get("base_url"))

    def _settle(self, parcel: Parcel, step: steps.Try) -> None:
        """A due try: ask the provider about the one in doubt first, then try."""
        if step.doubt is not None and self._look(parcel, step.doubt) is not False:
            return
        message = parcel.message
        if step.attempt.number > self._timing.max_attempts:
            self._give_up(parcel, step.attempt.number - 1, None, "out_of_tries",
                          "not sent: the answer to its last try never came, and the provider has no record of it")
            return
        ticket = self._queue.put(_send_job(parcel), self._timing.unknown_after)  # owes this try, should we die
        if not self._attempts.claim(message, step.attempt):
            self._quietly(lambda: self._queue.delete(ticket))  # another job is trying it
            return
        self._try(parcel, step.attempt, ticket, inline=False)

    def _look(self, parcel: Parcel, doubt: Attempt) -> bool | None:
        """Whether the try in doubt went out (recorded then), False when it did not (as far
        as the provider can tell), None when the provider could not be asked (asked again later)."""
        account, message = parcel.account, parcel.message
        outbound = self._outbound(parcel, doubt)
        try:
            candidates = self._senders[account.provider].find_sent(account, outbound, doubt.at - LOOK_BACK)
        except ProviderError as exc:
            log.warning("message %s in doubt: %s could not be asked (%s); asking again later", message.id,
                        account.provider, exc.code)
            self._queue.put(_send_job(parcel), self._timing.retry_base)
            return None
        thread = thread_of(message.conversation_id)
        for found in candidates:
            if not self._threads.knows(thread, found.provider_message_id):
                self._threads.record_sent(thread, message, found.provider_message_id, statuses.normalise(found.status))
                self._telemetry.count(metrics.SENDS_IN_DOUBT, provider=account.provider, outcome="found")
                log.info("message %s in doubt had gone out as provider message %s (try %d)", message.id,
                         found.provider_message_id, doubt.number)
                return True
        self._telemetry.count(metrics.SENDS_IN_DOUBT, provider=account.provider, outcome="resent")
        log.info("message %s in doubt: the provider has no record of try %d; trying again", message.id, doubt.number)
        return False

    def _outbound(self, parcel: Parcel, attempt: Attempt) -> OutboundMessage:
        account, conversation, message = parcel.account, parcel.conversation, parcel.message
        return OutboundMessage(
            business=conversation.business, customer=conversation.customer, body=message.body, media=message.media,
            template=message.template, message_id=message.id, attempt_id=attempt_id(message.id, attempt),
            first_sent=attempt.chain_at,
            status_callback=self._callback_url(account, parcel.base_url, message.id) if parcel.base_url else None,
        )

    def _try(self, parcel: Parcel, attempt: Attempt, ticket: Ticket, inline: bool) -> Message:
        account, message = parcel.account, parcel.message
        try:
            with self._telemetry.span(metrics.PROVIDER_SEND, provider=account.provider, message_id=message.id,
                                      attempt=str(attempt.number)):
                sent = self._senders[account.provider].send(account, self._outbound(parcel, attempt))
        except ProviderError as exc:
            return self._failed(parcel, attempt, ticket, exc, inline)
        self._telemetry.tag(provider_message_id=sent.provider_message_id)
        self._telemetry.count(metrics.MESSAGES_OUT, provider=account.provider, channel=account.channel)
        status = statuses.normalise(sent.status)
        self._record(parcel, ticket, sent, status)
        log.info("sent message %s as provider message %s (try %d)", message.id, sent.provider_message_id,
                 attempt.number)
        return replace(message, provider_message_id=sent.provider_message_id, status=status)

    def _record(self, parcel: Parcel, ticket: Ticket, sent: SendResult, status: str) -> None:
        message = parcel.message
        try:
            self._threads.record_sent(thread_of(message.conversation_id), message, sent.provider_message_id, status)
        except StorageUnavailable:
            log.warning("message %s sent, its record left to the outbox queue", message.id)
            job = _job(RECORD, message.conversation_id, message.id, seq=message.seq,
                       provider_message_id=sent.provider_message_id, status=status)
            self._quietly(lambda: self._queue.update(ticket, job, 0))
            return
        self._quietly(lambda: self._queue.delete(ticket))

    def _failed(self, parcel: Parcel, attempt: Attempt, ticket: Ticket, exc: ProviderError, inline: bool) -> Message:
        account, message = parcel.account, parcel.message
        if exc.transient and attempt.number < self._timing.max_attempts:
            delay = backoff(attempt.number, exc, self._timing)
            self._quietly(lambda: self._queue.update(ticket, _send_job(parcel), delay))
            self._threads.mark_retrying(thread_of(message.conversation_id), message, exc.provider_code, exc.message,
                                        attempt.number, in_doubt=exc.outcome_unknown)
            self._telemetry.count(metrics.SEND_RETRIES, provider=account.provider)
            log.warning("send of message %s failed (try %d, provider code %s); again in %.0f s", message.id,
                        attempt.number, exc.provider_code, delay)
            return replace(message, status=statuses.RETRYING, error_code=exc.provider_code, error_message=exc.message,
                           attempts=attempt.number, in_doubt=exc.outcome_unknown)
        self._give_up(parcel, attempt.number, ticket, exc.provider_code, exc.message, exc)
        if inline:
            raise exc
        return replace(message, status="failed", error_code=exc.provider_code, error_message=exc.message)

    def _give_up(self, parcel: Parcel, attempt: int, ticket: Ticket | None, code: str | None, reason: str,
                 exc: ProviderError | None = None) -> None:
        """``failed`` for good: a permanent refusal, or out of tries (the job then kept in
        ``outbox-poison``, with ids and the reason only: a poison queue outlives an erasure
        that removed the customer's template parameters)."""
        account, message = parcel.account, parcel.message
        self._threads.mark_failed(thread_of(message.conversation_id), message, code, reason)
        self._telemetry.count(metrics.SEND_FAILURES, provider=account.provider,
                              code=code or (exc.code if exc else "out_of_tries"))
        if exc is None or exc.transient:
            poisoned = _job(SEND, message.conversation_id, message.id, seq=message.seq, attempt=attempt,
                            provider_code=code or (exc.code if exc else None))
            self._quietly(lambda: self._queue.poison(poisoned))
            self._telemetry.count(metrics.SENDS_POISONED, provider=account.provider)
        if ticket is not None:
            self._quietly(lambda: self._queue.delete(ticket))
        log.warning("send of message %s failed for good (try %d, provider code %s)", message.id, attempt, code)
        if isinstance(exc, ProviderRecipientOptedOut):
            self._optouts.refused_by_provider(message.conversation_id)

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
