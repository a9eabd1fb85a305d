"""Delivery: every stored message reaches its provider once, through provider and storage
failures and processes killed at any moment, with the outbox queue (core.ports.WorkQueue)
owing what a request could not finish and the message's tries (core.ports.Attempts)
telling who may try it and whether a try may have gone out.

1. Before the message is stored, a *guard* job goes into the queue, due in guard_after.
2. Once stored, the request records its try (``claim``), then calls the provider
   (conversations/messaging/tries.py). A try's number is taken once, so the guard, a
   retry of the request and the queue's jobs never try one message at the same time.
3. The answer closes the try (tries.py): sent, failed, or retrying after a backoff.
4. A job that comes due settles the message (conversations/messaging/attempts.py):
   nobody tried it (its request died or was answered an error first): ``not_sent``; a try
   that is open or whose answer never came is *in doubt*: the provider is asked first
   where it can be (Sender.find_sent; a provider that dedupes repeated tries is sent the
   same try again), and the message is tried again only when it did not go out; otherwise
   the next try, up to max_attempts, then ``failed`` and the job kept in ``outbox-poison``.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Mapping

from conversations.messaging import attempts as steps, policies
from conversations.messaging.optouts import OptOuts
from conversations.messaging.tries import (
    MAX_BACKOFF, RECORD, SEND, CallbackUrl, Parcel, Timing, Tries, job, send_job,
)
from core import status as statuses
from core import telemetry as metrics
from core.clock import Clock
from core.errors import ProviderError, RecipientOptedOut, StorageUnavailable
from core.ids import thread_of
from core.ports import Accounts, Attempts, Sender, Telemetry, Threads, Ticket, WorkQueue
from core.records import OPTED_OUT, Attempt, Message, TemplateRef

log = logging.getLogger(__name__)

REQUEST_FAILED = "request_failed"
LOOK_BACK = timedelta(seconds=30)  # clocks differ: a provider's record of a try may predate ours
# A guard that finds no message yet comes back while its request may still be storing it
# (the Functions host answers an HTTP request within 230 seconds).
REQUEST_TIME = timedelta(seconds=240)


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
        self._telemetry = telemetry
        self._clock = clock
        self._tries = Tries(threads=threads, senders=senders, queue=queue, callback_url=callback_url,
                            optouts=optouts, telemetry=telemetry, timing=timing)

    def guard(self, conversation_id: str, message_id: str, base_url: str | None) -> Ticket:
        """Step 1; StorageUnavailable when the queue is down (nothing is stored then)."""
        return self._queue.put(job(SEND, conversation_id, message_id, base_url=base_url,
                                   at=self._clock().isoformat()), self._timing.guard_after)

    def drop(self, ticket: Ticket) -> None:
        """The guard of a message that will not be sent (held back, or stored before)."""
        self._tries.quietly(lambda: self._queue.delete(ticket))

    def deliver(self, parcel: Parcel, guard: Ticket) -> Message:
        """Steps 2 and 3, in the request that stored the message; raises the provider's
        error when it refused for good."""
        self._telemetry.tag(conversation_id=parcel.message.conversation_id, message_id=parcel.message.id)
        attempt = steps.first(self._clock())
        if not self._attempts.claim(parcel.message, attempt):
            return self._taken(parcel.message)  # its guard stays: it follows up whatever took the try
        return self._tries.make(parcel, attempt, guard, inline=True)

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
                return self._tries.make(replace(parcel, message=replace(message, status=statuses.SENDING)),
                                        attempt, guard, inline=True)
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

    def run(self, due: Mapping[str, Any]) -> None:
        """Step 4: one due job (the queue trigger)."""
        self._telemetry.tag(kind=due["kind"], conversation_id=due["conversation_id"], message_id=due["message_id"])
        if due["kind"] == RECORD:
            message = self._threads.message(due["conversation_id"], int(due["seq"]))
            if message is not None and message.id == due["message_id"]:
                self._threads.record_sent(thread_of(message.conversation_id), message, due["provider_message_id"],
                                          due["status"])
            return
        message = self._message(due)
        if message is None:
            self._unstored(due)
        elif steps.owed(message):
            self._next(due, message)

    def _next(self, due: Mapping[str, Any], message: Message) -> None:
        step = steps.next_step(message, self._attempts.of(message), self._clock(), self._timing.lease)
        if isinstance(step, steps.Void):
            if self._attempts.void(message, REQUEST_FAILED, "not sent: the request that stored it failed before "
                                                            "it was sent"):
                log.info("message %s not sent: its request failed after storing it", message.id)
            else:  # its request tried it meanwhile: follow that try up
                self._queue.put(due, self._timing.unknown_after)
        elif isinstance(step, steps.Wait):
            self._queue.put(due, math.ceil((step.until - self._clock()).total_seconds()))
        elif isinstance(step, steps.Try):
            parcel = self._parcel(due, message)
            if parcel is not None:
                self._settle(parcel, step, due)

    def _unstored(self, due: Mapping[str, Any]) -> None:
        """A guard whose message is not stored: its request died before storing it, or is
        still at it (then the guard comes back)."""
        queued = datetime.fromisoformat(due["at"]) if due.get("at") else None
        if queued is not None and self._clock() - queued < REQUEST_TIME:
            self._queue.put(due, self._timing.guard_after)

    def _message(self, due: Mapping[str, Any]) -> Message | None:
        """The job's message: by its place in the thread when the job knows it (one read)."""
        if "seq" not in due:
            return self._threads.find_message(thread_of(due["conversation_id"]), due["message_id"])
        message = self._threads.message(due["conversation_id"], int(due["seq"]))
        return message if message is not None and message.id == due["message_id"] else None

    def _parcel(self, due: Mapping[str, Any], message: Message) -> Parcel | None:
        """The message with its conversation as it is now, and the thread's consent (a STOP
        after the conversation closed went to the next one): one read, the head, while the
        message's conversation is the thread's latest."""
        head = self._threads.read_head(thread_of(message.conversation_id))
        conversation = head.conversation if head and head.conversation.id == message.conversation_id \
            else self._threads.current(message.conversation_id)
        if conversation is not None and head is not None:  # consent and WhatsApp's window are the thread's
            latest = max((t for t in (conversation.last_customer_message_at,
                                      head.conversation.last_customer_message_at) if t), default=None)
            conversation = replace(conversation, consent=head.conversation.consent, last_customer_message_at=latest)
        account = self._accounts.get(conversation.account_id) if conversation else None
        if conversation is None or account is None:
            self._threads.mark_failed(thread_of(message.conversation_id), message, "account_missing",
                                      "the conversation's messaging account no longer exists")
            return None
        if message.template is None and due.get("template"):  # a job queued by an earlier version
            message = replace(message, template=TemplateRef.from_dict(due["template"]))
        return Parcel(account, conversation, message, due.get("base_url"))

    def _settle(self, parcel: Parcel, step: steps.Try, due: Mapping[str, Any]) -> None:
        """A due try: ask the provider about the one in doubt first, then try."""
        if step.doubt is not None and self._look(parcel, step.doubt, due) is not False:
            return
        if parcel.conversation.consent.state == OPTED_OUT:
            self._withheld(parcel, step.attempt.number - 1, RecipientOptedOut.code,
                           "not sent: the customer opted out before it could go out")
            return
        if parcel.message.template is None and not policies.window_open(parcel.conversation, self._clock()):
            self._withheld(parcel, step.attempt.number - 1, policies.WINDOW_CLOSED,
                           "not sent: the WhatsApp 24-hour window closed before it could go out; send a template")
            return
        if step.attempt.number > self._timing.max_attempts:
            self._tries.give_up(parcel, step.attempt.number - 1, None, "out_of_tries",
                                "not sent: the answer to its last try never came, and it could not be learnt that "
                                "it went out")
            return
        ticket = self._queue.put(send_job(parcel), self._timing.unknown_after)  # owes this try, should we die
        if self._attempts.claim(parcel.message, step.attempt):  # else another job tries it; ours follows it up
            self._tries.make(parcel, step.attempt, ticket, inline=False)

    def _withheld(self, parcel: Parcel, tried: int, code: str, reason: str) -> None:
        """A message that may no longer go out since it was stored (its customer opted out,
        or WhatsApp's window closed, while it waited to be tried again) is not sent:
        ``not_sent``, as a send refused for that reason at once is."""
        message = parcel.message
        self._threads.mark_failed(thread_of(message.conversation_id), message, code, reason,
                                  status=statuses.NOT_SENT, attempts=tried)
        self._telemetry.count(metrics.SEND_FAILURES, provider=parcel.account.provider, code=code)
        log.info("message %s not sent: %s after it was stored", message.id, code)

    def _look(self, parcel: Parcel, doubt: Attempt, due: Mapping[str, Any]) -> bool | None:
        """Whether the try in doubt went out (recorded then), False when it did not (as far
        as the provider can tell), None when the provider could not be asked (asked again
        later, with a backoff, until the tries are out)."""
        account, message = parcel.account, parcel.message
        try:
            candidates = self._senders[account.provider].find_sent(account, self._tries.outbound(parcel, doubt),
                                                                   doubt.at - LOOK_BACK)
        except ProviderError as exc:
            self._unasked(parcel, doubt, due, exc)
            return None
        thread = thread_of(message.conversation_id)
        for found in candidates:
            owner = self._threads.owner(thread, found.provider_message_id)
            if owner is None:
                self._threads.record_sent(thread, message, found.provider_message_id, statuses.normalise(found.status))
            elif owner != (message.conversation_id, message.seq):
                continue  # another of our messages
            self._telemetry.count(metrics.SENDS_IN_DOUBT, provider=account.provider, outcome="found")
            log.info("message %s in doubt had gone out as provider message %s (try %d)", message.id,
                     found.provider_message_id, doubt.number)
            return True
        self._telemetry.count(metrics.SENDS_IN_DOUBT, provider=account.provider, outcome="resent")
        log.info("message %s in doubt: the provider has no record of try %d; trying again", message.id, doubt.number)
        return False

    def _unasked(self, parcel: Parcel, doubt: Attempt, due: Mapping[str, Any], exc: ProviderError) -> None:
        asked = int(due.get("looked", 0)) + 1
        if asked >= self._timing.max_attempts:
            self._tries.give_up(parcel, doubt.number, None, exc.provider_code or exc.code,
                                "not sent: the answer to its last try never came, and the provider could not be "
                                "asked whether it went out")
            return
        log.warning("message %s in doubt: %s could not be asked (%s); asking again later", parcel.message.id,
                    parcel.account.provider, exc.code)
        self._queue.put(send_job(parcel, looked=asked), min(MAX_BACKOFF, self._timing.retry_base * 2 ** asked))

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
