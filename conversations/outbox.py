"""The outbox: agents' replies and templates, automated and proactive messages, all sent
through one path that stores the message first, then sends it, then records the
provider's id."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Callable, Mapping

from conversations import consent as consents
from conversations import policies, templates
from conversations.access import Scope
from conversations.lookup import Lookup
from conversations.opening import Opener
from conversations.writer import Writer
from core import status as statuses
from core.clock import Clock
from core.errors import Conflict, ProviderError, ProviderRecipientOptedOut, SwitchboardError, ValidationFailed
from core.identity import Actor
from core.ids import new_conversation_id, thread_key, thread_of
from core.messages import OutboundMessage, TemplateRef
from core.ports import Accounts, Deadlines, Sender, Threads, Workstreams
from core.records import ACTIVE, CLOSED, OPEN, OUTBOUND, Account, Consent, Conversation, Media, Message, Template
from core.retry import until_committed
from core.settings import CLOSING, SURVEY, WorkstreamSettings
from core.status import NOT_SENT

log = logging.getLogger(__name__)

MAX_BODY = 1600
# What to send, decided against the conversation as read: (body, media, template).
Compose = Callable[[Conversation, datetime], tuple[str, tuple[Media, ...], TemplateRef | None]]
CallbackUrls = Callable[[Account, str], dict[str, str]]
Take = Callable[[str, Scope], None]  # the caller accepts a conversation nobody holds before answering it


@dataclass(frozen=True)
class _Origin:
    """Who a message is from: an agent answering (``scope``: checked, and they take a
    conversation nobody holds), someone sending proactively (``author`` only), or
    Switchboard itself (an ``automated`` message)."""

    author: Actor | None = None
    scope: Scope | None = None
    automated: str | None = None

    @classmethod
    def agent(cls, scope: Scope) -> _Origin:
        return cls(author=scope.principal.actor, scope=scope)


@dataclass(frozen=True)
class _Stored:
    """A message stored for sending, with what sending it needs."""

    account: Account
    conversation: Conversation
    message: Message
    template: TemplateRef | None
    refusal: Conflict | None


class Outbox:
    def __init__(self, threads: Threads, writer: Writer, deadlines: Deadlines, accounts: Accounts,
                 workstreams: Workstreams, lookup: Lookup, opener: Opener, senders: Mapping[str, Sender],
                 callback_urls: CallbackUrls, take: Take, clock: Clock) -> None:
        self._threads = threads
        self._writer = writer
        self._take = take
        self._deadlines = deadlines
        self._accounts = accounts
        self._workstreams = workstreams
        self._lookup = lookup
        self._opener = opener
        self._senders = senders
        self._callback_urls = callback_urls
        self._clock = clock

    def reply(self, conversation_id: str, body: str | None, scope: Scope, base_url: str,
              media: tuple[Media, ...] = ()) -> Message:
        """Store an agent's free-form reply, send it through the provider, record the outcome;
        an agent who answers a conversation nobody holds takes it."""
        compose = self._reply_compose(body, media)
        self._take(conversation_id, scope)
        return self._send(conversation_id, _Origin.agent(scope), base_url, compose)

    def send_template(self, conversation_id: str, name: str, language: str | None, parameters: object,
                      scope: Scope, base_url: str) -> Message:
        """Send one of the workstream's approved templates; allowed outside the reply window."""
        self._take(conversation_id, scope)
        return self._send(conversation_id, _Origin.agent(scope), base_url,
                          self._template_compose(name, language, parameters))

    def proactive_compose(self, account: Account, business: str, body: object,
                          template: tuple[str, str | None, object] | None, scope: Scope) -> Compose:
        """What a proactive message sends, checked once for a whole batch: who may send from
        ``business`` (403), and the body, or the template (name, language, parameters) in
        its workstream (422)."""
        scope.check_sends_from(self._lookup.workstream_for(account, business))
        if template is None:
            return self._reply_compose(body, ())
        name, language, parameters = template
        templates.fill(self._template(account.id, None, business, name, language), parameters)
        return self._template_compose(name, language, parameters)

    def send_proactive(self, account: Account, business: str, customer: str, compose: Compose,
                       base_url: str, author: Actor | None = None) -> Message:
        """Send a business-initiated message (see proactive_compose) to ``customer``, in their
        live conversation or a new one. Every rule of a reply holds (consent, templates only
        outside the WhatsApp window), and a message the rules refuse opens no conversation."""
        conversation_id = self._open_outbound(account, business, customer, compose)
        return self._send(conversation_id, _Origin(author=author), base_url, compose)

    def automated(self, conversation_id: str, kind: str, settings: WorkstreamSettings, base_url: str | None) -> None:
        """Send one of the workstream's automated messages, when it is set and allowed.

        It never fails the caller (a webhook must not be retried for it): a refusal is
        stored as not sent, a provider failure as failed, and both are logged.
        """
        text = (settings.survey.message() if settings.survey.enabled else None) if kind == SURVEY \
            else settings.automated(kind)
        if not text:
            return
        try:
            self._send(conversation_id, _Origin(automated=kind), base_url, lambda _c, _now: (text, (), None))
        except SwitchboardError as exc:
            log.warning("automated %s message for conversation %s failed: %s", kind, conversation_id, exc.code)

    def after_close(self, conversation: Conversation, base_url: str | None) -> None:
        """The workstream's closing message and survey, into the just-closed conversation."""
        workstream = self._lookup.workstream_of(conversation)
        if workstream is not None:
            self.automated(conversation.id, CLOSING, workstream.settings, base_url)
            self.automated(conversation.id, SURVEY, workstream.settings, base_url)

    def _reply_compose(self, body: object, media: tuple[Media, ...]) -> Compose:
        if body is None and media:
            body = ""
        if not isinstance(body, str) or (not body.strip() and not media):
            raise ValidationFailed("body", "must be a non-empty string")
        if len(body) > MAX_BODY:
            raise ValidationFailed("body", f"must be at most {MAX_BODY} characters, got {len(body)}")

        def compose(conversation: Conversation, now: datetime):
            if media:
                workstream = self._lookup.workstream_of(conversation)
                policies.check_agent_attachments(workstream.settings if workstream else None)
            policies.check_media(conversation.provider, conversation.channel, body, media)
            policies.check_free_form_reply(conversation, now)
            return body, media, None

        return compose

    def _template_compose(self, name: str, language: str | None, parameters: object) -> Compose:
        def compose(conversation: Conversation, _now: datetime):
            template = self._template(conversation.account_id, conversation.workstream_id, conversation.business,
                                      name, language)
            filled = templates.fill(template, parameters)
            return (templates.render(template, filled), (),
                    TemplateRef(template.name, template.language, filled, template.content_sid))

        return compose

    def _template(self, account_id: str, workstream_id: str | None, business: str, name: str,
                  language: str | None) -> Template:
        """The named template of the conversation's workstream (or of the number's)."""
        workstream = self._workstreams.get(workstream_id) if workstream_id else self._workstreams.for_number(business)
        if workstream is not None and workstream.account_id != account_id:
            workstream = None
        found = [t for t in (workstream.templates_named(name) if workstream else ())
                 if language is None or t.language == language]
        if not found:
            raise ValidationFailed("name", f"no template {name!r}" + (f" in {language}" if language else "")
                                   + " in the conversation's workstream")
        if len(found) > 1:
            raise ValidationFailed("language", f"template {name!r} exists in several languages; name one")
        return found[0]

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
                                             head.conversation.consent if head else Consent(), customer_wrote_at=None)
            consents.ensure_reachable(conversation)  # refused before anything is stored
            compose(conversation, now)
            if not scheduled:  # before the conversation exists, so no conversation lacks a deadline
                self._deadlines.schedule(new_id, now + timedelta(minutes=conversation.auto_close_after_minutes))
                scheduled.append(True)
            self._writer.commit(thread, head, conversation, head.seq if head else 0)
            log.info("opened conversation %s for a proactive message", new_id)
            return new_id

        return until_committed(attempt, "open")

    def _send(self, conversation_id: str, origin: _Origin, base_url: str | None, compose: Compose) -> Message:
        """Store the outbound message first, then send it, then record the provider's id.

        An automated message that the rules refuse (opt-out, the WhatsApp window) is stored
        as ``not_sent`` with the reason instead of raising; it may also follow a conversation
        that was just closed (closing message, survey).
        """
        stored = until_committed(lambda: self._store(conversation_id, origin, compose), "take the reply")
        if stored.refusal is not None:
            log.info("automated %s message %s not sent: %s", origin.automated, stored.message.id, stored.refusal.code)
            return stored.message
        return self._deliver(stored, base_url)

    def _store(self, conversation_id: str, origin: _Origin, compose: Compose) -> _Stored:
        automated = origin.automated
        head = self._lookup.head(conversation_id, allow_closed=automated is not None, scope=origin.scope)
        conversation = head.conversation
        if origin.scope is not None:
            origin.scope.check_answer(conversation)
        account = self._accounts.get(conversation.account_id)
        if account is None:
            raise Conflict("the conversation's messaging account no longer exists", code="account_missing")
        now = self._clock()
        refusal = _refusal(conversation, now, automated)
        body, media, template = compose(conversation, now)
        message = Message(
            id=uuid.uuid4().hex, conversation_id=conversation_id, direction=OUTBOUND, body=body, media=media,
            status=NOT_SENT if refusal else "sending", provider_message_id=None, created_at=now, seq=head.seq + 1,
            agent=origin.author, automated=automated, error_code=refusal.code if refusal else None,
            error_message=refusal.message if refusal else None,
        )
        updated = replace(
            conversation, last_activity_at=conversation.last_activity_at if refusal else now,
            state=ACTIVE if conversation.state == OPEN and origin.scope else conversation.state,
        )
        updated = self._writer.commit(thread_of(conversation_id), head, updated, message.seq, [message]).conversation
        return _Stored(account, updated, message, template, refusal)

    def _deliver(self, stored: _Stored, base_url: str | None) -> Message:
        account, message = stored.account, stored.message
        conversation_id = message.conversation_id
        outbound = OutboundMessage(
            business=stored.conversation.business, customer=stored.conversation.customer, body=message.body,
            media=message.media, template=stored.template, message_id=message.id,
            status_callback=self._callback_urls(account, base_url).get("status_url") if base_url else None,
        )
        thread = thread_of(conversation_id)
        try:
            sent = self._senders[account.provider].send(account, outbound)
        except ProviderError as exc:
            self._threads.mark_failed(thread, message, exc.provider_code, exc.message)
            log.warning("send of message %s failed: provider code %s", message.id, exc.provider_code)
            if isinstance(exc, ProviderRecipientOptedOut):
                self._opt_out(conversation_id, consents.PROVIDER_ERROR)
            raise
        status = statuses.normalise(sent.status)
        self._threads.record_sent(thread, message, sent.provider_message_id, status)
        log.info("sent message %s as provider message %s", message.id, sent.provider_message_id)
        return replace(message, provider_message_id=sent.provider_message_id, status=status)

    def _opt_out(self, conversation_id: str, source: str) -> None:
        """Mark the conversation's customer opted out on its business number (the thread head)."""
        thread = thread_of(conversation_id)

        def attempt() -> None:
            head = self._threads.read_head(thread)
            if head is None:
                return
            consent = consents.opted_out(head.conversation.consent, source, self._clock())
            if consent == head.conversation.consent:
                return
            self._writer.commit(thread, head, replace(head.conversation, consent=consent), head.seq)
            log.info("customer of conversation %s opted out (%s)", head.conversation.id, source)

        until_committed(attempt, "record the opt-out")


def _refusal(conversation: Conversation, now: datetime, automated: str | None) -> Conflict | None:
    """What stops an automated message (consent, the WhatsApp window), to store it as not
    sent; for anyone else's message the same rules raise."""
    try:
        consents.ensure_reachable(conversation)
        if automated is not None:
            policies.check_free_form_reply(conversation, now)
    except Conflict as exc:
        if automated is None:
            raise
        return exc
    return None
