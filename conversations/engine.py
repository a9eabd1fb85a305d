"""The conversation engine: ingest customer messages, apply delivery reports, and carry
out agents' actions; sending (conversations/sending.py) and the auto-close sweep
(conversations/sweep.py) are its other two parts. It talks to storage through the
repositories and to providers through the Sender protocol; it never sees HTTP."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Callable, Mapping

from channels.base import FetchedMedia, InboundMessage, MediaFetcher, Sender, StatusUpdate
from conversations import consent as consents
from conversations import status as statuses
from conversations.concurrency import ATTEMPTS, back_off, new_conversation_id, well_formed
from conversations.errors import Conflict, NotFound, StorageUnavailable
from conversations.models import (
    ACTIVE,
    CLOSED,
    CLOSED_BY_AGENT,
    INBOUND,
    OPEN,
    WAITING,
    Account,
    Consent,
    Conversation,
    Message,
    Workstream,
)
from conversations.phone import country_of, is_e164
from conversations.routing import route
from conversations.sending import Sending
from conversations.sweep import Sweep
from conversations.workstream_settings import CLOSING, GREETING, OUT_OF_HOURS, SURVEY, WorkstreamSettings
from storage.accounts import AccountStore
from storage.contacts import ContactStore
from storage.deadlines import DeadlineStore
from storage.threads import ConcurrencyConflict, DuplicateMarker, Head, ThreadStore, partition_of, thread_key
from storage.workstreams import WorkstreamStore

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Far above any provider's limit (SMS 1600, WhatsApp 4096), well below what one table
# property holds (32K characters): a longer body is cut rather than refused.
MAX_INBOUND_BODY = 16_000


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Ingested:
    conversation_id: str | None
    message_id: str | None
    duplicate: bool


class Engine(Sending, Sweep):
    def __init__(
        self,
        threads: ThreadStore,
        deadlines: DeadlineStore,
        accounts: AccountStore,
        workstreams: WorkstreamStore,
        contacts: ContactStore,
        senders: Mapping[str, Sender],
        callback_urls: Callable[[Account, str], dict[str, str]],
        default_auto_close_minutes: int,
        clock: Clock = utcnow,
        media_fetchers: Mapping[str, MediaFetcher] | None = None,
    ) -> None:
        self._threads = threads
        self._deadlines = deadlines
        self._accounts = accounts
        self._workstreams = workstreams
        self._contacts = contacts
        self._senders = senders
        self._callback_urls = callback_urls
        self._default_auto_close = default_auto_close_minutes
        self._clock = clock
        self._media_fetchers = media_fetchers or {}

    # -- customers ---------------------------------------------------------------------

    def ingest(self, account: Account, inbound: InboundMessage, base_url: str | None = None) -> Ingested:
        """Store a customer's message once, in the customer's live conversation or a new one,
        then send the workstream's greeting or out-of-hours message when they are due."""
        pk = thread_key(account.id, inbound.business, inbound.customer)
        new_id = new_conversation_id(pk)
        scheduled = False
        keyword, source = consents.keyword_of(inbound.body, inbound.keyword)
        workstream = self._workstream_for(account, inbound.business)
        settings = workstream.settings if workstream else None
        body = inbound.body[:MAX_INBOUND_BODY]
        if len(inbound.body) > MAX_INBOUND_BODY:
            log.warning("provider message %s: body of %d characters cut to %d", inbound.provider_message_id,
                        len(inbound.body), MAX_INBOUND_BODY)
        media, dropped = inbound.media, 0
        if settings is not None and media and not settings.customers_can_send_attachments:
            media, dropped = (), len(media)  # the text is kept; the message notes what was dropped
        for attempt in range(ATTEMPTS):
            now = self._clock()
            head = self._threads.read_head(pk)
            live = head.conversation if head and head.conversation.state != CLOSED else None
            consent = consents.after_keyword(head.conversation.consent if head else Consent(), keyword, source, now)
            wrote_at = _written_at(inbound, now)
            if live is None:
                conversation = self._open(account, workstream, inbound.business, inbound.customer, inbound.body,
                                          new_id, now, consent, wrote_at, customer_name=inbound.customer_name)
                if not scheduled:  # before the conversation exists, so no conversation lacks a deadline
                    self._deadlines.schedule(new_id, now + timedelta(minutes=conversation.auto_close_after_minutes))
                    scheduled = True
            else:
                state = (ACTIVE if live.agent else OPEN) if live.state == WAITING else live.state
                latest = max(wrote_at, live.last_customer_message_at) if live.last_customer_message_at else wrote_at
                conversation = replace(live, state=state, last_activity_at=now, last_customer_message_at=latest,
                                       consent=consent, customer_name=inbound.customer_name or live.customer_name)
            conversation, tell_closed = _out_of_hours(conversation, settings, now)
            seq = (head.seq if head else 0) + 1
            message = Message(
                id=uuid.uuid4().hex, conversation_id=conversation.id, direction=INBOUND, body=body,
                media=media, status="received", provider_message_id=inbound.provider_message_id,
                created_at=now, seq=seq, keyword=keyword, media_dropped=dropped,
            )
            try:
                self._threads.commit(pk, head, conversation, seq, [message], [(inbound.provider_message_id, message)])
            except ConcurrencyConflict:
                back_off(attempt)
                continue
            except DuplicateMarker:
                log.info("duplicate delivery of provider message %s ignored", inbound.provider_message_id)
                return Ingested(None, None, duplicate=True)
            log.info("stored inbound message %s in conversation %s", message.id, conversation.id)
            if settings is not None and live is None:
                self._automated(conversation.id, GREETING, settings, base_url)
            if settings is not None and tell_closed:
                self._automated(conversation.id, OUT_OF_HOURS, settings, base_url)
            return Ingested(conversation.id, message.id, duplicate=False)
        raise StorageUnavailable("the conversation is too busy to take the message now, try again")

    def _workstream_of(self, conversation: Conversation) -> Workstream | None:
        """The workstream the conversation opened under, as it is configured now."""
        return self._workstreams.get(conversation.workstream_id) if conversation.workstream_id else None

    def _workstream_for(self, account: Account, business: str) -> Workstream | None:
        workstream = self._workstreams.for_number(business)
        return workstream if workstream is not None and workstream.account_id == account.id else None

    def _open(self, account: Account, workstream: Workstream | None, business: str, customer: str, body: str,
              conversation_id: str, now: datetime, consent: Consent, customer_wrote_at: datetime | None,
              customer_name: str | None = None) -> Conversation:
        contact = self._contacts.by_phone(customer) if is_e164(customer) else None
        queue = None
        if workstream is not None:
            facts = {"body": body, "customer": customer, "country": country_of(customer),
                     **{f"contact.{k}": v for k, v in (contact.fields if contact else {}).items()}}
            if contact is not None:
                facts["contact.name"] = contact.name
            queue = route(workstream.settings.routing_rules, facts, workstream.settings.default_queue)
        return Conversation(
            id=conversation_id, state=OPEN, channel=account.channel, provider=account.provider,
            account_id=account.id, workstream_id=workstream.id if workstream else None,
            customer=customer, business=business, agent=None, created_at=now,
            last_activity_at=now, last_customer_message_at=customer_wrote_at,
            auto_close_after_minutes=workstream.auto_close_after_minutes if workstream else self._default_auto_close,
            queue=queue, contact_id=contact.id if contact else None, contact_name=contact.name if contact else None,
            consent=consent, customer_name=customer_name,
        )

    def apply_status(self, update: StatusUpdate) -> bool:
        pk = thread_key(update.account_id, update.business, update.customer)
        return self._threads.apply_status(pk, update.provider_message_id, statuses.normalise(update.status),
                                          update.error_code, update.error_message, statuses.supersedes)

    # -- agents ------------------------------------------------------------------------

    def list(self, filters: Mapping[str, str], limit: int) -> list[Conversation]:
        return self._threads.list_conversations(filters, limit)

    def get(self, conversation_id: str) -> Conversation:
        conversation = self._threads.get_conversation(conversation_id) if well_formed(conversation_id) else None
        if conversation is None:
            raise NotFound(f"conversation {conversation_id} not found")
        return conversation

    def accept(self, conversation_id: str, agent: str) -> Conversation:
        return self._change(conversation_id, lambda c: replace(c, state=ACTIVE, agent=agent))

    def wait(self, conversation_id: str) -> Conversation:
        return self._change(conversation_id, lambda c: replace(c, state=WAITING))

    def close(self, conversation_id: str, base_url: str | None = None) -> Conversation:
        """Close it, then send the workstream's closing message and survey (when set)."""
        now = self._clock()
        closed = self._change(
            conversation_id, lambda c: replace(c, state=CLOSED, closed_at=now, closed_reason=CLOSED_BY_AGENT)
        )
        self._after_close(closed, base_url)
        return closed

    def _after_close(self, conversation: Conversation, base_url: str | None) -> None:
        workstream = self._workstream_of(conversation)
        if workstream is not None:
            self._automated(conversation.id, CLOSING, workstream.settings, base_url)
            self._automated(conversation.id, SURVEY, workstream.settings, base_url)

    def media(self, conversation_id: str, message_id: str, index: int) -> FetchedMedia:
        """An attachment of a message, fetched from the provider with the account's credentials."""
        conversation = self.get(conversation_id)
        message = next((m for m in conversation.messages if m.id == message_id), None)
        if message is None or not 0 <= index < len(message.media):
            raise NotFound(f"message {message_id} has no attachment {index}")
        account = self._accounts.get(conversation.account_id)
        fetcher = self._media_fetchers.get(conversation.provider)
        if account is None or fetcher is None or message.direction != INBOUND:
            raise NotFound("this attachment cannot be fetched through Switchboard", code="media_unavailable")
        return fetcher.fetch_media(account, message.media[index])

    def fetches_media(self, provider: str) -> bool:
        """Whether customers' attachments on this provider can be opened through Switchboard."""
        return provider in self._media_fetchers

    def _opt_out(self, conversation_id: str, source: str) -> None:
        """Mark the conversation's customer opted out on its business number (the thread head)."""
        pk = partition_of(conversation_id)
        for attempt in range(ATTEMPTS):
            head = self._threads.read_head(pk)
            if head is None:
                return
            consent = consents.opted_out(head.conversation.consent, source, self._clock())
            if consent == head.conversation.consent:
                return
            try:
                self._threads.commit(pk, head, replace(head.conversation, consent=consent), head.seq)
                log.info("customer of conversation %s opted out (%s)", head.conversation.id, source)
                return
            except ConcurrencyConflict:
                back_off(attempt)
        raise StorageUnavailable("the conversation is too busy to record the opt-out now, try again")

    def _head_for(self, conversation_id: str, allow_closed: bool = False) -> Head:
        """The thread head while ``conversation_id`` is its current conversation (and live,
        unless ``allow_closed``)."""
        head = self._threads.read_head(partition_of(conversation_id)) if well_formed(conversation_id) else None
        if head is None or head.conversation.id != conversation_id:
            self.get(conversation_id)  # raises NotFound when it never existed
            raise Conflict(f"conversation {conversation_id} is closed", code="conversation_closed")
        if head.conversation.state == CLOSED and not allow_closed:
            raise Conflict(f"conversation {conversation_id} is closed", code="conversation_closed")
        return head

    def _change(self, conversation_id: str, change: Callable[[Conversation], Conversation]) -> Conversation:
        for attempt in range(ATTEMPTS):
            head = self._head_for(conversation_id)
            updated = change(head.conversation)
            try:
                self._threads.commit(partition_of(conversation_id), head, updated, head.seq)
                return updated
            except ConcurrencyConflict:
                back_off(attempt)
        raise StorageUnavailable("the conversation is too busy to change now, try again")


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
