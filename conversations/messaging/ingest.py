"""Ingest: a customer's message into their live conversation or a new one (or, when it
answers the survey question, their closed one), once however often the provider delivers
it, and delivery reports onto the messages they are about."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from conversations.bots import stage as bot_stage
from conversations.messaging import consent as consents
from conversations.messaging import satisfaction
from conversations.bots.relay import Bots
from conversations.distribution.distributor import Distributor
from conversations.messaging.lookup import Lookup
from conversations.messaging.opening import Opener
from conversations.messaging.outbox import Outbox
from conversations.messaging.writer import Writer
from conversations.reactions import Reactions
from conversations.service_levels.queues import QueueWatch
from core import status as statuses
from core import telemetry as metrics
from core.clock import Clock
from core.content import CHOICE, REACTION
from core.ids import new_conversation_id, thread_key, thread_of
from core.messages import MAX_NAMED_ID, InboundMessage, StatusUpdate
from core.bots import BOT
from core.ports import Deadlines, DuplicateMarker, Head, MessageReactions, Telemetry, Threads
from core.records import (ACTIVE, CLOSED, HANDED_OFF, INBOUND, OPEN, WAITING, Account, Conversation, Event,
                          Media, Message, Workstream, preview_of)
from core.retry import until_committed
from core.settings import GREETING, OUT_OF_HOURS, SURVEY_THANKS, WorkstreamSettings
from core.telemetry import NoTelemetry

log = logging.getLogger(__name__)

# Far above any provider's limit (SMS 1600, WhatsApp 4096), well below what one table
# property holds (32K characters): a longer body is cut rather than refused.
MAX_INBOUND_BODY = 16_000


@dataclass(frozen=True)
class Ingested:
    conversation_id: str | None
    message_id: str | None
    duplicate: bool


@dataclass(frozen=True)
class _Taken:
    """A customer message as stored, and what follows it."""

    conversation: Conversation
    message: Message
    opened: bool = False  # it opened the conversation: the greeting is due
    first_words: bool = False  # the customer's first in a conversation we opened (a proactive message)
    queued_before: bool = False  # ... which someone had put in its queue already (a transfer, an unassign)
    tell_closed: bool = False  # the out-of-hours message is due
    survey_answer: bool = False  # it answered the closed conversation's survey question: the thanks is due


@dataclass(frozen=True)
class _Incoming:
    """A customer message as it will be stored, whatever the thread holds."""

    inbound: InboundMessage
    workstream: Workstream | None
    body: str
    media: tuple[Media, ...]  # what is kept of its attachments
    media_dropped: int
    keyword: str | None
    keyword_source: str | None

    @property
    def settings(self) -> WorkstreamSettings | None:
        return self.workstream.settings if self.workstream else None


class Ingest:
    def __init__(self, *, threads: Threads, customer_reactions: MessageReactions, writer: Writer, reactions: Reactions,
                 distributor: Distributor, deadlines: Deadlines, lookup: Lookup, opener: Opener, outbox: Outbox,
                 bots: Bots, queues: QueueWatch, clock: Clock, telemetry: Telemetry = NoTelemetry()) -> None:
        self._customer_reactions = customer_reactions
        self._queues = queues
        self._distributor = distributor
        self._telemetry = telemetry
        self._bots = bots
        self._threads = threads
        self._writer = writer
        self._reactions = reactions
        self._deadlines = deadlines
        self._lookup = lookup
        self._opener = opener
        self._outbox = outbox
        self._clock = clock

    def message(self, account: Account, inbound: InboundMessage, base_url: str | None = None) -> Ingested:
        """Store a customer's message once, in the customer's live conversation or a new one,
        then send the workstream's greeting or out-of-hours message when they are due; or,
        when it answers the survey question of their closed conversation, in that one, with
        the workstream's thanks (conversations/messaging/satisfaction.py).

        One point read of the thread head and one batch; a retry of the provider's
        delivery collides on its marker and stores nothing. A new conversation is also
        placed in the inbox and offered to an agent (conversations/messaging/writer.py)."""
        self._telemetry.tag(account_id=account.id, provider_message_id=inbound.provider_message_id)
        thread = thread_key(account.id, inbound.business, inbound.customer)
        reacted = self._reacted(thread, inbound)
        if reacted is not None:
            return reacted
        incoming = self._incoming(account, inbound)
        new_id = new_conversation_id(thread)
        scheduled: list[str] = []

        def attempt() -> _Taken:
            now = self._clock()
            head = self._threads.read_head(thread)
            latest = head.conversation if head and incoming.keyword is None else None  # a keyword answers nothing
            score = satisfaction.score(latest, incoming.workstream, incoming.body, now, incoming.inbound.content.choice)
            if score is not None:
                return self._survey_answer(thread, head, incoming, score, now)
            return self._take(account, incoming, thread, head, new_id, scheduled, now)

        try:
            taken = until_committed(attempt, "take the message")
        except DuplicateMarker:
            log.info("duplicate delivery of provider message %s ignored", inbound.provider_message_id)
            return Ingested(None, None, duplicate=True)
        conversation, message = taken.conversation, taken.message
        self._telemetry.tag(conversation_id=conversation.id, message_id=message.id)
        log.info("stored inbound message %s in conversation %s", message.id, conversation.id)
        self._telemetry.count(metrics.MESSAGES_IN, provider=account.provider, channel=account.channel)
        self._answer(taken, incoming, base_url)
        return Ingested(conversation.id, message.id, duplicate=False)

    def _reacted(self, thread: str, inbound: InboundMessage) -> Ingested | None:
        """A reaction set on (or removed from) the message it reacts to: no line of its own,
        nothing reopened or counted. None when it is no reaction, or reacts to a message the
        thread does not hold: it is then kept as a line naming it."""
        content = inbound.content
        if content.kind != REACTION or not content.reacts_to:
            return None
        found = self._customer_reactions.react(thread, content.reacts_to, content.emoji,
                                               _written_at(inbound, self._clock()))
        if found is None:
            return None
        message, changed = found
        log.info("customer reaction on message %s %s", message.id, "recorded" if changed else "already known")
        return Ingested(message.conversation_id, message.id, duplicate=not changed)

    def _take(self, account: Account, incoming: _Incoming, thread: str, head: Head | None, new_id: str,
              scheduled: list[str], now: datetime) -> _Taken:
        """The message into the customer's live conversation, or a new one (``scheduled``:
        what earlier attempts of the same message scheduled already)."""
        conversation, opened = self._conversation(account, incoming, head, new_id, now)
        if opened and "deadline" not in scheduled:  # before the conversation exists, so none lacks a deadline
            self._deadlines.schedule(new_id, now + timedelta(minutes=conversation.auto_close_after_minutes))
            scheduled.append("deadline")
        before = conversation.stage
        conversation, waits = self._bot_stage(conversation, incoming, opened, now)
        if waits and self._bots and conversation.id not in scheduled:  # the wait's row first, as the deadline
            self._bots.wait(conversation.id, now)
            scheduled.append(conversation.id)
        conversation, tell_closed = _out_of_hours(conversation, incoming.settings, now)
        if conversation.last_customer_message_at in (None, _written_at(incoming.inbound, now)):
            # written last (an earlier one Event Grid delivers late changes neither): the last
            # words shown, and the message a read receipt names
            read_id = incoming.inbound.provider_message_id if incoming.inbound.content.kind != REACTION \
                and len(incoming.inbound.provider_message_id) <= MAX_NAMED_ID else None
            conversation = replace(conversation, preview=preview_of(incoming.body) or conversation.preview,
                                   latest_customer_message=read_id or conversation.latest_customer_message)
        message = _stored(incoming, conversation.id, head, now)
        handed = (before == BOT or opened) and conversation.stage != BOT and conversation.handoff  # a keyword
        events = [Event(conversation.id, message.seq + 1, now, HANDED_OFF, None, conversation.handoff.reason)] \
            if handed else []
        conversation = self._commit(thread, head, conversation, message, events, opened)
        first_words = not opened and head is not None and head.conversation.last_customer_message_at is None
        return _Taken(conversation, message, opened=opened, tell_closed=tell_closed, first_words=first_words,
                      queued_before=first_words and head.conversation.queued)

    def _survey_answer(self, thread: str, head: Head, incoming: _Incoming, score: int, now: datetime) -> _Taken:
        """The customer's answer to the survey question (conversations/messaging/satisfaction.py):
        kept in the closed conversation with its score, in one write whose marker makes a
        second delivery of it a duplicate; no conversation is opened."""
        message = _stored(incoming, head.conversation.id, head, now)
        conversation = satisfaction.answered(head.conversation, score, now, _written_at(incoming.inbound, now))
        commit = self._writer.commit(thread, head, conversation, message.seq, [message],
                                     [(message.provider_message_id, message)])
        log.info("conversation %s: the survey question was answered", conversation.id)
        return _Taken(self._reactions.after(commit).conversation, message, survey_answer=True)

    def _commit(self, thread: str, head: Head | None, conversation: Conversation, message: Message,
                events: list[Event], opened: bool) -> Conversation:
        """Commit the message; a new conversation is committed offered to an agent when one
        can take it (conversations/distribution/distributor.py ``opening``), so that it
        moves once rather than twice."""
        opening = self._distributor.opening(conversation, message.seq + len(events) + 1) if opened else None
        if opening is not None:
            conversation, events = opening.conversation, [*events, *opening.events]
        try:
            commit = self._writer.commit(thread, head, conversation, message.seq + len(events), [message],
                                         [(message.provider_message_id, message)], events,
                                         asked=opening is not None and opening.asked)
        except BaseException:
            if opening is not None:
                self._distributor.withdraw(opening)
            raise
        return self._reactions.after(commit).conversation

    def _answer(self, taken: _Taken, incoming: _Incoming, base_url: str | None) -> None:
        """After a stored message: thank an answer to the survey question; relay it to the
        bot in the bot stage, else the greeting a new conversation is due and what its queue
        does with it (conversations/service_levels/queues.py); the out-of-hours message when
        it is due."""
        conversation = taken.conversation
        if taken.survey_answer:
            self._outbox.automated(conversation.id, SURVEY_THANKS, incoming.settings, base_url)
        elif conversation.stage == BOT and self._bots is not None and incoming.workstream.bot is not None:
            self._bots.relay(conversation, taken.message, incoming.workstream, base_url)
        elif incoming.settings is not None and taken.opened:  # a bot greets for itself
            self._outbox.automated(conversation.id, GREETING, incoming.settings, base_url)
            self._queues.arrived(conversation, incoming.workstream, base_url)
        elif incoming.settings is not None and taken.first_words:  # now it waits for an agent
            self._queues.arrived(conversation, incoming.workstream, base_url, began=taken.queued_before)
        if incoming.settings is not None and taken.tell_closed:
            self._outbox.automated(conversation.id, OUT_OF_HOURS, incoming.settings, base_url)

    def status(self, update: StatusUpdate) -> bool:
        """Move a sent message's status forward; False when the report was stale."""
        self._telemetry.tag(account_id=update.account_id, provider_message_id=update.provider_message_id,
                            **({"message_id": update.message_id} if update.message_id else {}))
        thread = thread_key(update.account_id, update.business, update.customer)
        return self._threads.apply_status(thread, update.provider_message_id, statuses.normalise(update.status),
                                          update.error_code, update.error_message, update.message_id)

    @staticmethod
    def _bot_stage(conversation: Conversation, incoming: _Incoming, opened: bool,
                   now: datetime) -> tuple[Conversation, bool]:
        """A new conversation of a workstream with a bot starts with it; a message in the
        bot stage waits for its answer, or ends the stage (conversations/bots/stage.py)."""
        bot = incoming.workstream.bot if incoming.workstream else None
        if opened:
            return bot_stage.opening(conversation, bot, incoming.body, now) if bot else (conversation, False)
        return bot_stage.after_customer(conversation, bot, incoming.body, now)

    def _incoming(self, account: Account, inbound: InboundMessage) -> _Incoming:
        workstream = self._lookup.workstream_for(account, inbound.business)
        if len(inbound.body) > MAX_INBOUND_BODY:
            log.warning("provider message %s: body of %d characters cut to %d", inbound.provider_message_id,
                        len(inbound.body), MAX_INBOUND_BODY)
        media, dropped = inbound.media, inbound.media_unusable  # the text is kept; the message notes what was dropped
        if workstream is not None and media and not workstream.settings.customers_can_send_attachments:
            media, dropped = (), dropped + len(media)
        keyword, source = consents.keyword_of(inbound.body, inbound.keyword, chosen=inbound.content.kind == CHOICE)
        return _Incoming(inbound, workstream, inbound.body[:MAX_INBOUND_BODY], media, dropped, keyword, source)

    def _conversation(self, account: Account, incoming: _Incoming, head: Head | None, new_id: str,
                      now: datetime) -> tuple[Conversation, bool]:
        """The conversation the message goes to, as it will be after it, and whether it is new."""
        inbound = incoming.inbound
        live = head.conversation if head and head.conversation.state != CLOSED else None
        wrote_at = _written_at(inbound, now)
        consent = consents.after_keyword(self._opener.consent(thread_of(new_id), head), incoming.keyword,
                                         incoming.keyword_source, wrote_at)
        if live is None:
            return self._opener.open(account, incoming.workstream, inbound.business, inbound.customer, inbound.body,
                                     new_id, now, consent, wrote_at, customer_name=inbound.customer_name,
                                     previous=head.conversation if head else None), True
        state = (ACTIVE if live.agent else OPEN) if live.state == WAITING else live.state
        latest = max(wrote_at, live.last_customer_message_at) if live.last_customer_message_at else wrote_at
        queued_at = live.queued_at or now  # a proactive one's place in its queue: its wait begins
        return replace(live, state=state, last_activity_at=now, last_customer_message_at=latest, consent=consent,
                       customer_name=inbound.customer_name or live.customer_name, queued_at=queued_at), False


def _stored(incoming: _Incoming, conversation_id: str, head: Head | None, now: datetime) -> Message:
    """The customer's message as it is stored, next in its thread."""
    inbound = incoming.inbound
    return Message(
        id=uuid.uuid4().hex, conversation_id=conversation_id, direction=INBOUND, body=incoming.body,
        media=incoming.media, status="received",
        provider_message_id=inbound.provider_message_id, created_at=now, seq=(head.seq if head else 0) + 1,
        keyword=incoming.keyword, media_dropped=incoming.media_dropped,
        content=None if inbound.content.plain else inbound.content,
    )


def _written_at(inbound: InboundMessage, now: datetime) -> datetime:
    """When the customer wrote: the provider's time where it gives one (a delivery that
    arrives late must not reopen WhatsApp's window), else now; never in the future."""
    received = inbound.received_at
    return received if received is not None and received <= now else now


def _out_of_hours(conversation: Conversation, settings: WorkstreamSettings | None,
                  now: datetime) -> tuple[Conversation, bool]:
    """Whether the customer should hear that the team is closed: once per closed period,
    remembered on the conversation in the same write as the message."""
    hours = settings.operating_hours if settings else None
    if hours is None or not settings.automated(OUT_OF_HOURS) or hours.is_open(now):
        return conversation, False
    period = hours.closed_period(now)
    if conversation.out_of_hours_period == period:
        return conversation, False
    return replace(conversation, out_of_hours_period=period), True
