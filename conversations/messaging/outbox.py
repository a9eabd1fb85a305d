"""The outbox: agents' replies and templates, automated and proactive messages, all sent
through one path: stored first, then delivered once (conversations/messaging/delivery.py)."""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping

from conversations.messaging import consent as consents
from conversations.messaging import policies
from conversations.access import Scope
from conversations.distribution.assignment import Assignments
from conversations.messaging.composing import Compose, Composing
from conversations.messaging.delivery import Delivery, Parcel
from conversations.messaging.lookup import Lookup
from conversations.messaging.opening import Opener
from conversations.messaging.writer import Writer
from conversations.reactions import Reactions
from core import status as statuses
from core.clock import Clock
from core.content import REACTION, Content, Interactive, offering
from core.errors import Conflict, ProviderError, StorageUnavailable, SwitchboardError
from core.identity import Actor
from core.ids import new_conversation_id, thread_key, thread_of
from core.ports import Accounts, Deadlines, DuplicateMarker, Rates, TemplateCatalogues, Threads, Workstreams
from core.records import (
    ACTIVE, CLOSED, OPEN, OUTBOUND, Account, Conversation, Media, Message,
)
from core.retry import until_committed
from core.settings import BOT, CLOSING, SURVEY, WorkstreamSettings
from core.status import NOT_SENT

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class _Origin:
    """Who a message is from: an agent answering (``scope``: checked, and they take a
    conversation nobody holds), someone sending proactively (``author`` only),
    Switchboard itself (an ``automated`` message), or the workstream's bot; ``fallback``:
    whose closed-window template the workstream may send in its place."""

    author: Actor | None = None
    scope: Scope | None = None
    automated: str | None = None
    bot: bool = False
    fallback: str | None = None

    @property
    def held_back(self) -> bool:
        """The rules hold its message back (stored as not sent) rather than refuse the caller."""
        return self.automated is not None or self.bot

    @classmethod
    def agent(cls, scope: Scope) -> _Origin:
        return cls(author=scope.principal.actor, scope=scope)


@dataclass(frozen=True)
class _Stored:
    """A message stored for sending, with what sending it needs; ``replayed`` when it had
    been stored before under its id (a retry of the request that stored it)."""

    account: Account
    conversation: Conversation
    message: Message
    refusal: SwitchboardError | None
    replayed: bool = False


class Outbox:
    def __init__(self, *, threads: Threads, writer: Writer, reactions: Reactions, deadlines: Deadlines,
                 accounts: Accounts, workstreams: Workstreams, lookup: Lookup, opener: Opener, delivery: Delivery,
                 assignments: Assignments, catalogues: TemplateCatalogues, rates: Rates, clock: Clock) -> None:
        self._threads = threads
        self._composing = Composing(lookup=lookup, workstreams=workstreams, catalogues=catalogues, rates=rates)
        self._writer = writer
        self._reactions = reactions
        self._assignments = assignments
        self._deadlines = deadlines
        self._accounts = accounts
        self._lookup = lookup
        self._opener = opener
        self._delivery = delivery
        self._clock = clock

    def reply(self, conversation_id: str, body: str | None, scope: Scope, base_url: str,
              media: tuple[Media, ...] = (), key: str | None = None,
              interactive: Interactive | None = None) -> Message:
        """Store an agent's free-form reply, send it through the provider, record the outcome;
        an agent who answers a conversation nobody holds takes it. With an idempotency
        ``key``, the reply is stored (and sent) once however often it is asked for; with
        ``interactive``, it offers reply buttons or a list (its content)."""
        compose = self._composing.reply(body, media, interactive)
        self._assignments.take(conversation_id, scope, self._answerable(compose))
        return self._send(conversation_id, _Origin.agent(scope), base_url, compose, key, offering(interactive))

    def react(self, conversation_id: str, reaction: Content, check: Callable[[Conversation, datetime], None],
              scope: Scope, base_url: str, key: str) -> Message:
        """An agent's reaction (conversations/messaging/reacting.py), sent as a reply is: stored
        with no body, once per ``key``; ``check`` refuses it against the conversation as read."""
        def compose(conversation: Conversation, now: datetime):
            check(conversation, now)
            return "", (), None

        self._assignments.take(conversation_id, scope, self._answerable(compose))
        return self._send(conversation_id, _Origin.agent(scope), base_url, compose, key, reaction)

    def send_template(self, conversation_id: str, name: str, language: str | None, parameters: object,
                      scope: Scope, base_url: str, key: str | None = None) -> Message:
        """Send one of the workstream's approved templates; allowed outside the reply window."""
        compose = self._composing.template(name, language, parameters)
        self._assignments.take(conversation_id, scope, self._answerable(compose))
        return self._send(conversation_id, _Origin.agent(scope), base_url, compose, key)

    def proactive_compose(self, account: Account, business: str, body: object,
                          template: tuple[str, str | None, object] | None, scope: Scope) -> Compose:
        """What a proactive message sends, checked once for a whole batch: who may send from
        ``business`` (403), and the body, or the template (name, language, parameters) in
        its workstream (422)."""
        scope.check_sends_from(self._lookup.workstream_for(account, business))
        if template is None:
            return self._composing.reply(body, ())
        name, language, parameters = template
        self._composing.check_template(account.id, business, name, language, parameters)
        return self._composing.template(name, language, parameters)

    def send_proactive(self, account: Account, business: str, customer: str, compose: Compose,
                       base_url: str, author: Actor | None = None, key: str | None = None) -> Message:
        """Send a business-initiated message (see proactive_compose) to ``customer``, in their
        live conversation or a new one. Every rule of a reply holds (consent, templates only
        outside the WhatsApp window), and a message the rules refuse opens no conversation."""
        conversation_id = self._open_outbound(account, business, customer, compose)
        return self._send(conversation_id, _Origin(author=author), base_url, compose,
                          f"{key}|{customer}" if key else None)

    def run_job(self, job: Mapping[str, Any]) -> None:
        """A due job of the outbox queue (conversations/messaging/delivery.py)."""
        self._delivery.run(job)

    def automated(self, conversation_id: str, kind: str, settings: WorkstreamSettings, base_url: str | None,
                  text: str | None = None, key: str | None = None, interactive: Interactive | None = None) -> None:
        """Send one of the workstream's automated messages, when it is set and allowed; or,
        with ``text``, one whose text the caller wrote (a queue's waiting message, an
        overflow's, with the buttons or list it offers), when automated messages are
        allowed. With ``key``, it is sent once however often it is asked for.

        It never fails the caller (a webhook must not be retried for it): a refusal is
        stored as not sent, a provider failure as failed, and both are logged. The
        workstream's own may offer buttons or a list, where the provider takes them.
        """
        offered = offering(settings.offered(kind) if text is None else interactive)
        text = settings.automated_text(kind) if text is None else text if settings.allow_automated_messages else None
        if not text:
            return
        try:
            self._send(conversation_id, _Origin(automated=kind, fallback=kind), base_url,
                       lambda _c, _now: (text, (), None), key, offered)
        except SwitchboardError as exc:
            log.warning("automated %s message for conversation %s failed: %s", kind, conversation_id, exc.code)

    def from_bot(self, conversation_id: str, key: str, body: str, media: tuple[Media, ...],
                 base_url: str | None, first: bool = True, interactive: Interactive | None = None) -> Message:
        """A bot's reply (conversations/bots/relay.py), held back like an automated message when
        the rules refuse it; ``key`` (its activity id and part) stores and sends it once
        however often the activity is read. Only a reply's ``first`` part falls back to the
        workstream's template when it comes after the window closed, so that goes once;
        ``interactive``: its suggested actions as reply buttons or a list."""
        origin = _Origin(bot=True, fallback=BOT if first else None)
        return self._send(conversation_id, origin, base_url, lambda _c, _now: (body, media, None), key,
                          offering(interactive))

    def after_close(self, conversation: Conversation, base_url: str | None) -> None:
        """The workstream's closing message and survey, into the just-closed conversation."""
        workstream = self._lookup.workstream_of(conversation)
        if workstream is not None:
            # keyed by the conversation, which closes once: sent once whoever closes it
            self.automated(conversation.id, CLOSING, workstream.settings, base_url, key=conversation.id)
            self.automated(conversation.id, SURVEY, workstream.settings, base_url, key=conversation.id)

    def _open_outbound(self, account: Account, business: str, customer: str, compose: Compose) -> str:
        """The customer's live conversation on ``business``, or a new one with no customer
        message yet (so the WhatsApp window is closed until they write), opened only when
        ``compose`` and the customer's consent allow the message."""
        thread = thread_key(account.id, business, customer)
        new_id = new_conversation_id(thread)
        scheduled: list[bool] = []

        def attempt() -> str:
            now = self._clock()
            head = self._threads.read_head(thread)
            if head is not None and head.conversation.state != CLOSED:
                return head.conversation.id
            workstream = self._lookup.workstream_for(account, business)
            conversation = self._opener.open(account, workstream, business, customer, "", new_id, now,
                                             self._opener.consent(thread, head), customer_wrote_at=None)
            consents.ensure_reachable(conversation)  # refused before anything is stored
            compose(conversation, now)
            if not scheduled:  # before the conversation exists, so no conversation lacks a deadline
                self._deadlines.schedule(new_id, now + timedelta(minutes=conversation.auto_close_after_minutes))
                scheduled.append(True)
            self._reactions.after(self._writer.commit(thread, head, conversation, head.seq if head else 0))
            log.info("opened conversation %s for a proactive message", new_id)
            return new_id

        return until_committed(attempt, "open")

    def _answerable(self, compose: Compose) -> Callable[[Conversation], object]:
        """The rules an agent's answer must pass (as ``_store`` checks them), for a
        conversation as it is now."""
        def check(conversation: Conversation) -> None:
            now = self._clock()
            _refusal(conversation, now, held_back=False)
            compose(conversation, now)

        return check

    def _send(self, conversation_id: str, origin: _Origin, base_url: str | None, compose: Compose,
              key: str | None = None, content: Content | None = None) -> Message:
        """Guard, store, then deliver (conversations/messaging/delivery.py); a message stored before
        under the same id (an idempotency key, or this call's own write whose answer was
        lost) is not stored twice.

        An automated message that the rules refuse (opt-out, the WhatsApp window) is stored
        as ``not_sent`` with the reason instead of raising; it may also follow a conversation
        that was just closed (closing message, survey).
        """
        message_id = _message_id(origin, key)
        guard = self._delivery.guard(conversation_id, message_id, base_url)
        stored = until_committed(lambda: self._store(conversation_id, origin, compose, message_id, content),
                                 "take the reply")
        if stored.refusal is not None:
            self._delivery.drop(guard)
            log.info("%s message %s not sent: %s", origin.automated or "bot", message_id, stored.refusal.code)
            return stored.message
        parcel = Parcel(stored.account, stored.conversation, stored.message, base_url)
        if not stored.replayed:
            return self._delivery.deliver(parcel, guard)
        message = self._delivery.resume(parcel, guard)
        if message.status == statuses.FAILED and not origin.held_back:  # as the first request was answered
            raise ProviderError(message.error_message or "the provider refused the message",
                                provider_code=message.error_code)
        return message

    def _store(self, conversation_id: str, origin: _Origin, compose: Compose, message_id: str,
               content: Content | None) -> _Stored:
        automated = origin.automated
        head = self._lookup.head(conversation_id, allow_closed=automated is not None, scope=origin.scope)
        conversation = head.conversation
        if origin.scope is not None:
            origin.scope.check_answer(conversation)
        account = self._accounts.get(conversation.account_id)
        if account is None:
            raise Conflict("the conversation's messaging account no longer exists", code="account_missing")
        now = self._clock()
        (body, media, template), refusal, fallback_for = self._composing.composed(
            conversation, now, origin.fallback, compose, _refusal(conversation, now, origin.held_back))
        message = Message(
            id=message_id, conversation_id=conversation_id, direction=OUTBOUND, body=body, media=media,
            status=NOT_SENT if refusal else statuses.SENDING, provider_message_id=None, created_at=now,
            seq=head.seq + 1, agent=origin.author, automated=automated, error_code=refusal.code if refusal else None,
            error_message=refusal.message if refusal else None, from_bot=origin.bot, template=template,
            content=None if fallback_for else self._composing.offerable(conversation, content),
            fallback_for=fallback_for,  # a template instead: it offers no buttons
            cost=None if refusal or (content and content.kind == REACTION) else self._composing.cost(conversation,
                                                                                                     template),
        )
        updated = replace(
            conversation, last_activity_at=conversation.last_activity_at if refusal else now,
            state=ACTIVE if conversation.state == OPEN and origin.scope else conversation.state,
        )
        try:
            updated = self._reactions.after(self._writer.commit(thread_of(conversation_id), head, updated,
                                                                message.seq, [message])).conversation
        except DuplicateMarker:
            existing = self._threads.find_message(thread_of(conversation_id), message_id)
            if existing is None:
                raise StorageUnavailable("the message is being stored, try again") from None
            return _Stored(account, conversation, existing, None, replayed=True)
        return _Stored(account, updated, message, refusal)


def _message_id(origin: _Origin, key: str | None) -> str:
    """A new message's id: random, or, for an idempotency key, the same for the same
    caller and key (so the thread's marker of that id stores it once)."""
    if key is None:
        return uuid.uuid4().hex
    who = origin.author.id if origin.author else origin.automated or ("bot" if origin.bot else "switchboard")
    return hashlib.sha256(f"{who}|{key}".encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _refusal(conversation: Conversation, now: datetime, held_back: bool) -> Conflict | None:
    """What stops an automated or bot message (consent, the WhatsApp window), to store it
    as not sent; for anyone else's message the same rules raise."""
    try:
        consents.ensure_reachable(conversation)
        if held_back:
            policies.check_free_form_reply(conversation, now)
    except Conflict as exc:
        if not held_back:
            raise
        return exc
    return None
