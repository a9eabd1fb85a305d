"""The conversation engine: ingest customer messages, apply delivery reports, and carry
out agents' actions. It talks to storage through the repositories and to providers
through the Sender protocol; it never sees HTTP."""

from __future__ import annotations

import logging
import random
import secrets
import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Callable, Mapping

from channels.base import FetchedMedia, InboundMessage, MediaFetcher, OutboundMessage, Sender, StatusUpdate, TemplateRef
from conversations import consent as consents
from conversations import policies, templates
from conversations import status as statuses
from conversations.errors import (
    Conflict, NotFound, ProviderError, ProviderRecipientOptedOut, StorageUnavailable, SwitchboardError,
    ValidationFailed,
)
from conversations.models import (
    ACTIVE, CLOSED, CLOSED_BY_AGENT, CLOSED_FOR_INACTIVITY, INBOUND, OPEN, OUTBOUND, WAITING,
    Account, Consent, Conversation, Media, Message, Workstream,
)
from conversations.phone import country_of
from conversations.routing import route
from conversations.status import NOT_SENT
from conversations.workstream_settings import CLOSING, GREETING, OUT_OF_HOURS, SURVEY, WorkstreamSettings
from storage.accounts import AccountStore
from storage.contacts import ContactStore
from storage.deadlines import DeadlineStore
from storage.threads import ConcurrencyConflict, DuplicateMarker, Head, ThreadStore, partition_of, thread_key
from storage.workstreams import WorkstreamStore

log = logging.getLogger(__name__)

MAX_BODY = 1600
_ATTEMPTS = 40
_CONVERSATION_ID_LENGTH = 44

Clock = Callable[[], datetime]
# What to send, decided against the conversation as read: (body, media, template).
Compose = Callable[[Conversation, datetime], tuple[str, tuple[Media, ...], TemplateRef | None]]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Ingested:
    conversation_id: str | None
    message_id: str | None
    duplicate: bool


class Engine:
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
        new_id = pk + secrets.token_hex((_CONVERSATION_ID_LENGTH - len(pk)) // 2)
        scheduled = False
        keyword, source = consents.keyword_of(inbound.body, inbound.keyword)
        workstream = self._workstream_for(account, inbound.business)
        settings = workstream.settings if workstream else None
        media, dropped = inbound.media, 0
        if settings is not None and media and not settings.customers_can_send_attachments:
            media, dropped = (), len(media)  # the text is kept; the message notes what was dropped
        for attempt in range(_ATTEMPTS):
            now = self._clock()
            head = self._threads.read_head(pk)
            live = head.conversation if head and head.conversation.state != CLOSED else None
            consent = consents.after_keyword(head.conversation.consent if head else Consent(), keyword, source, now)
            if live is None:
                conversation = self._open(account, workstream, inbound.business, inbound.customer, inbound.body,
                                          new_id, now, consent, customer_name=inbound.customer_name)
                if not scheduled:  # before the conversation exists, so no conversation lacks a deadline
                    self._deadlines.schedule(new_id, now + timedelta(minutes=conversation.auto_close_after_minutes))
                    scheduled = True
            else:
                state = (ACTIVE if live.agent else OPEN) if live.state == WAITING else live.state
                conversation = replace(live, state=state, last_activity_at=now, last_customer_message_at=now,
                                       consent=consent, customer_name=inbound.customer_name or live.customer_name)
            conversation, tell_closed = _out_of_hours(conversation, settings, now)
            seq = (head.seq if head else 0) + 1
            message = Message(
                id=uuid.uuid4().hex, conversation_id=conversation.id, direction=INBOUND, body=inbound.body,
                media=media, status="received", provider_message_id=inbound.provider_message_id,
                created_at=now, seq=seq, keyword=keyword, media_dropped=dropped,
            )
            try:
                self._threads.commit(pk, head, conversation, seq, [message], [(inbound.provider_message_id, message)])
            except ConcurrencyConflict:
                _back_off(attempt)
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

    def _workstream_for(self, account: Account, business: str) -> Workstream | None:
        workstream = self._workstreams.for_number(business)
        return workstream if workstream is not None and workstream.account_id == account.id else None

    def _open(self, account: Account, workstream: Workstream | None, business: str, customer: str, body: str,
              conversation_id: str, now: datetime, consent: Consent, customer_wrote: bool = True,
              customer_name: str | None = None) -> Conversation:
        contact = self._contacts.by_phone(customer) if customer.startswith("+") else None
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
            last_activity_at=now, last_customer_message_at=now if customer_wrote else None,
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
        conversation = self._threads.get_conversation(conversation_id) if _well_formed(conversation_id) else None
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
        workstream = self._workstreams.get(conversation.workstream_id) if conversation.workstream_id else None
        if workstream is not None:
            self._automated(conversation.id, CLOSING, workstream.settings, base_url)
            self._automated(conversation.id, SURVEY, workstream.settings, base_url)

    def reply(self, conversation_id: str, body: str | None, agent: str | None, base_url: str,
              media: tuple[Media, ...] = ()) -> Message:
        """Store an agent's free-form reply, send it through the provider, record the outcome."""
        if body is None and media:
            body = ""
        if not isinstance(body, str) or (not body.strip() and not media):
            raise ValidationFailed("body", "must be a non-empty string")
        if len(body) > MAX_BODY:
            raise ValidationFailed("body", f"must be at most {MAX_BODY} characters, got {len(body)}")

        def compose(conversation: Conversation, now: datetime):
            if media:
                workstream = self._workstreams.get(conversation.workstream_id) if conversation.workstream_id else None
                policies.check_agent_attachments(workstream.settings if workstream else None)
            policies.check_media(conversation.provider, conversation.channel, body, media)
            policies.check_free_form_reply(conversation, now)
            return body, media, None

        return self._send(conversation_id, agent, base_url, compose)

    def send_template(self, conversation_id: str, name: str, language: str | None, parameters: object,
                      agent: str | None, base_url: str) -> Message:
        """Send one of the workstream's approved templates; allowed outside the reply window."""

        def compose(conversation: Conversation, _now: datetime):
            template = self._template(conversation, name, language)
            filled = templates.fill(template, parameters)
            return (templates.render(template, filled), (),
                    TemplateRef(template.name, template.language, filled, template.content_sid))

        return self._send(conversation_id, agent, base_url, compose)

    def send_proactive(self, account: Account, business: str, customer: str, body: str | None,
                       template: tuple[str, str | None, object] | None, base_url: str) -> Message:
        """Open (or reuse) the customer's conversation and send it a business-initiated
        message: ``body``, or ``template`` as (name, language, parameters). Every rule of
        a reply holds: length, consent, and templates only outside the WhatsApp window."""
        conversation_id = self._open_outbound(account, business, customer)
        if template is not None:
            name, language, parameters = template
            return self.send_template(conversation_id, name, language, parameters, None, base_url)
        return self.reply(conversation_id, body, None, base_url)

    def _open_outbound(self, account: Account, business: str, customer: str) -> str:
        """The customer's live conversation on ``business``, or a new one with no customer
        message yet (so the WhatsApp window is closed until they write)."""
        pk = thread_key(account.id, business, customer)
        new_id = pk + secrets.token_hex((_CONVERSATION_ID_LENGTH - len(pk)) // 2)
        scheduled = False
        for attempt in range(_ATTEMPTS):
            now = self._clock()
            head = self._threads.read_head(pk)
            if head is not None and head.conversation.state != CLOSED:
                return head.conversation.id
            workstream = self._workstream_for(account, business)
            conversation = self._open(account, workstream, business, customer, "", new_id, now,
                                      head.conversation.consent if head else Consent(), customer_wrote=False)
            consents.ensure_reachable(conversation)  # no conversation is opened for an opted-out customer
            if not scheduled:
                self._deadlines.schedule(new_id, now + timedelta(minutes=conversation.auto_close_after_minutes))
                scheduled = True
            try:
                self._threads.commit(pk, head, conversation, head.seq if head else 0)
                log.info("opened conversation %s for a proactive message", new_id)
                return new_id
            except ConcurrencyConflict:
                _back_off(attempt)
        raise StorageUnavailable("the conversation is too busy to open now, try again")

    def _template(self, conversation: Conversation, name: str, language: str | None):
        workstream = (self._workstreams.get(conversation.workstream_id) if conversation.workstream_id
                      else self._workstreams.for_number(conversation.business))
        if workstream is not None and workstream.account_id != conversation.account_id:
            workstream = None
        found = [t for t in (workstream.templates_named(name) if workstream else ())
                 if language is None or t.language == language]
        if not found:
            raise ValidationFailed("name", f"no template {name!r}" + (f" in {language}" if language else "")
                                   + " in the conversation's workstream")
        if len(found) > 1:
            raise ValidationFailed("language", f"template {name!r} exists in several languages; name one")
        return found[0]

    def _send(self, conversation_id: str, agent: str | None, base_url: str | None, compose: Compose,
              automated: str | None = None) -> Message:
        """Store the outbound message first, then send it, then record the provider's id.

        An automated message (``automated`` names it) that the rules refuse (opt-out, the
        WhatsApp window) is stored as ``not_sent`` with the reason instead of raising; it
        may also follow a conversation that was just closed (closing message, survey).
        """
        pk = partition_of(conversation_id)
        for attempt in range(_ATTEMPTS):
            head = self._head_for(conversation_id, allow_closed=automated is not None)
            conversation = head.conversation
            account = self._accounts.get(conversation.account_id)
            if account is None:
                raise Conflict("the conversation's messaging account no longer exists", code="account_missing")
            now = self._clock()
            refusal: Conflict | None = None
            try:
                consents.ensure_reachable(conversation)
                if automated is not None:
                    policies.check_free_form_reply(conversation, now)
            except Conflict as exc:
                if automated is None:
                    raise
                refusal = exc
            body, media, template = compose(conversation, now)
            seq = head.seq + 1
            message = Message(
                id=uuid.uuid4().hex, conversation_id=conversation_id, direction=OUTBOUND, body=body, media=media,
                status=NOT_SENT if refusal else "sending", provider_message_id=None, created_at=now, seq=seq,
                agent=agent, automated=automated, error_code=refusal.code if refusal else None,
                error_message=refusal.message if refusal else None,
            )
            updated = replace(
                conversation, last_activity_at=conversation.last_activity_at if refusal else now,
                state=ACTIVE if conversation.state == OPEN and agent else conversation.state,
                agent=conversation.agent or agent,
            )
            try:
                self._threads.commit(pk, head, updated, seq, [message])
                break
            except ConcurrencyConflict:
                _back_off(attempt)
        else:
            raise StorageUnavailable("the conversation is too busy to take the reply now, try again")
        if refusal is not None:
            log.info("automated %s message %s not sent: %s", automated, message.id, refusal.code)
            return message
        outbound = OutboundMessage(
            business=conversation.business, customer=conversation.customer, body=body, media=media,
            template=template, message_id=message.id,
            status_callback=self._callback_urls(account, base_url).get("status_url") if base_url else None,
        )
        try:
            sent = self._senders[account.provider].send(account, outbound)
        except ProviderError as exc:
            self._threads.mark_failed(pk, message, exc.provider_code, exc.message)
            log.warning("send of message %s failed: provider code %s", message.id, exc.provider_code)
            if isinstance(exc, ProviderRecipientOptedOut):
                self._opt_out(conversation_id, consents.PROVIDER_ERROR)
            raise
        sent_status = statuses.normalise(sent.status)
        self._threads.record_sent(pk, message, sent.provider_message_id, sent_status, statuses.supersedes)
        log.info("sent message %s as provider message %s", message.id, sent.provider_message_id)
        return replace(message, provider_message_id=sent.provider_message_id, status=sent_status)

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
        for attempt in range(_ATTEMPTS):
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
                _back_off(attempt)
        raise StorageUnavailable("the conversation is too busy to record the opt-out now, try again")

    def _automated(self, conversation_id: str, kind: str, settings: WorkstreamSettings, base_url: str | None) -> None:
        """Send one of the workstream's automated messages, when it is set and allowed.

        It never fails the caller (a webhook must not be retried for it): a refusal is
        stored as not sent, a provider failure as failed, and both are logged.
        """
        text = (settings.survey.message() if settings.survey.enabled else None) if kind == SURVEY \
            else settings.automated(kind)
        if not text:
            return

        try:
            self._send(conversation_id, None, base_url, lambda _c, _now: (text, (), None), automated=kind)
        except SwitchboardError as exc:
            log.warning("automated %s message for conversation %s failed: %s", kind, conversation_id, exc.code)

    def _head_for(self, conversation_id: str, allow_closed: bool = False) -> Head:
        """The thread head while ``conversation_id`` is its current conversation (and live,
        unless ``allow_closed``)."""
        head = self._threads.read_head(partition_of(conversation_id)) if _well_formed(conversation_id) else None
        if head is None or head.conversation.id != conversation_id:
            self.get(conversation_id)  # raises NotFound when it never existed
            raise Conflict(f"conversation {conversation_id} is closed", code="conversation_closed")
        if head.conversation.state == CLOSED and not allow_closed:
            raise Conflict(f"conversation {conversation_id} is closed", code="conversation_closed")
        return head

    def _live_head(self, conversation_id: str) -> Head:
        return self._head_for(conversation_id)

    def _change(self, conversation_id: str, change: Callable[[Conversation], Conversation]) -> Conversation:
        for attempt in range(_ATTEMPTS):
            head = self._live_head(conversation_id)
            updated = change(head.conversation)
            try:
                self._threads.commit(partition_of(conversation_id), head, updated, head.seq)
                return updated
            except ConcurrencyConflict:
                _back_off(attempt)
        raise StorageUnavailable("the conversation is too busy to change now, try again")

    # -- the sweep ---------------------------------------------------------------------

    def sweep(self, limit: int = 1000, base_url: str | None = None) -> dict[str, int]:
        """Close conversations idle past their period; cost follows the deadlines due."""
        now = self._clock()
        counts = {"closed": 0, "rescheduled": 0, "dropped": 0}
        for deadline in self._deadlines.due(now, limit):
            counts[self._settle(deadline, now, base_url)] += 1
        if any(counts.values()):
            log.info("auto-close sweep: %s", counts)
        return counts

    def _settle(self, deadline, now: datetime, base_url: str | None) -> str:
        pk = partition_of(deadline.conversation_id)
        for attempt in range(_ATTEMPTS):
            head = self._threads.read_head(pk)
            if head is None or head.conversation.id != deadline.conversation_id or head.conversation.state == CLOSED:
                self._deadlines.remove(deadline)
                return "dropped"
            conversation = head.conversation
            workstream = self._workstreams.get(conversation.workstream_id) if conversation.workstream_id else None
            minutes = workstream.auto_close_after_minutes if workstream else conversation.auto_close_after_minutes
            due_at = conversation.last_activity_at + timedelta(minutes=minutes)
            if due_at > now:
                self._deadlines.move(deadline, due_at)
                return "rescheduled"
            closed = replace(conversation, state=CLOSED, closed_at=now, closed_reason=CLOSED_FOR_INACTIVITY)
            try:
                self._threads.commit(pk, head, closed, head.seq)
            except ConcurrencyConflict:
                _back_off(attempt)
                continue
            self._deadlines.remove(deadline)
            log.info("closed conversation %s for inactivity", conversation.id)
            self._after_close(closed, base_url)
            return "closed"
        raise StorageUnavailable("could not settle a deadline, will retry on the next run")


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


def _well_formed(conversation_id: str) -> bool:
    return len(conversation_id) == _CONVERSATION_ID_LENGTH and all(c in "0123456789abcdef" for c in conversation_id)


def _back_off(attempt: int) -> None:
    time.sleep(random.uniform(0, min(0.2, 0.005 * (2 ** min(attempt, 6)))))
