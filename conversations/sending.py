"""Sending: agents' replies and templates, automated messages and proactive messages,
all through one path that stores the message first, then sends it, then records the
provider's id. Mixed into the Engine, whose repositories and providers it uses."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Callable

from channels.base import OutboundMessage, TemplateRef
from conversations import consent as consents
from conversations import policies, templates
from conversations import status as statuses
from conversations.concurrency import ATTEMPTS, back_off, new_conversation_id
from conversations.errors import (
    Conflict, ProviderError, ProviderRecipientOptedOut, StorageUnavailable, SwitchboardError, ValidationFailed,
)
from conversations.models import (
    ACTIVE, CLOSED, OPEN, OUTBOUND, Account, Consent, Conversation, Media, Message, Template,
)
from conversations.status import NOT_SENT
from conversations.workstream_settings import SURVEY, WorkstreamSettings
from storage.threads import ConcurrencyConflict, partition_of, thread_key

log = logging.getLogger(__name__)

MAX_BODY = 1600
# What to send, decided against the conversation as read: (body, media, template).
Compose = Callable[[Conversation, datetime], tuple[str, tuple[Media, ...], TemplateRef | None]]


class Sending:
    """The Engine's sending half; it uses the Engine's repositories, senders and clock."""

    def reply(self, conversation_id: str, body: str | None, agent: str | None, base_url: str,
              media: tuple[Media, ...] = ()) -> Message:
        """Store an agent's free-form reply, send it through the provider, record the outcome."""
        return self._send(conversation_id, agent, base_url, self._reply_compose(body, media))

    def _reply_compose(self, body: object, media: tuple[Media, ...]) -> Compose:
        if body is None and media:
            body = ""
        if not isinstance(body, str) or (not body.strip() and not media):
            raise ValidationFailed("body", "must be a non-empty string")
        if len(body) > MAX_BODY:
            raise ValidationFailed("body", f"must be at most {MAX_BODY} characters, got {len(body)}")

        def compose(conversation: Conversation, now: datetime):
            if media:
                workstream = self._workstream_of(conversation)
                policies.check_agent_attachments(workstream.settings if workstream else None)
            policies.check_media(conversation.provider, conversation.channel, body, media)
            policies.check_free_form_reply(conversation, now)
            return body, media, None

        return compose

    def send_template(self, conversation_id: str, name: str, language: str | None, parameters: object,
                      agent: str | None, base_url: str) -> Message:
        """Send one of the workstream's approved templates; allowed outside the reply window."""
        return self._send(conversation_id, agent, base_url, self._template_compose(name, language, parameters))

    def _template_compose(self, name: str, language: str | None, parameters: object) -> Compose:
        def compose(conversation: Conversation, _now: datetime):
            template = self._template(conversation.account_id, conversation.workstream_id, conversation.business,
                                      name, language)
            filled = templates.fill(template, parameters)
            return (templates.render(template, filled), (),
                    TemplateRef(template.name, template.language, filled, template.content_sid))

        return compose

    def proactive_compose(self, account: Account, business: str, body: object,
                          template: tuple[str, str | None, object] | None) -> Compose:
        """What a proactive message sends, checked once for a whole batch: the body, or the
        template (name, language, parameters) in the workstream of ``business`` (422)."""
        if template is None:
            return self._reply_compose(body, ())
        name, language, parameters = template
        templates.fill(self._template(account.id, None, business, name, language), parameters)
        return self._template_compose(name, language, parameters)

    def send_proactive(self, account: Account, business: str, customer: str, compose: Compose,
                       base_url: str) -> Message:
        """Send a business-initiated message (see proactive_compose) to ``customer``, in their
        live conversation or a new one. Every rule of a reply holds (consent, templates only
        outside the WhatsApp window), and a message the rules refuse opens no conversation."""
        conversation_id = self._open_outbound(account, business, customer, compose)
        return self._send(conversation_id, None, base_url, compose)

    def _open_outbound(self, account: Account, business: str, customer: str, compose: Compose) -> str:
        """The customer's live conversation on ``business``, or a new one with no customer
        message yet (so the WhatsApp window is closed until they write), opened only when
        ``compose`` and the customer's consent allow the message."""
        pk = thread_key(account.id, business, customer)
        new_id = new_conversation_id(pk)
        scheduled = False
        for attempt in range(ATTEMPTS):
            now = self._clock()
            head = self._threads.read_head(pk)
            if head is not None and head.conversation.state != CLOSED:
                return head.conversation.id
            workstream = self._workstream_for(account, business)
            conversation = self._open(account, workstream, business, customer, "", new_id, now,
                                      head.conversation.consent if head else Consent(), customer_wrote_at=None)
            consents.ensure_reachable(conversation)  # refused before anything is stored
            compose(conversation, now)
            if not scheduled:
                self._deadlines.schedule(new_id, now + timedelta(minutes=conversation.auto_close_after_minutes))
                scheduled = True
            try:
                self._threads.commit(pk, head, conversation, head.seq if head else 0)
                log.info("opened conversation %s for a proactive message", new_id)
                return new_id
            except ConcurrencyConflict:
                back_off(attempt)
        raise StorageUnavailable("the conversation is too busy to open now, try again")

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

    def _send(self, conversation_id: str, agent: str | None, base_url: str | None, compose: Compose,
              automated: str | None = None) -> Message:
        """Store the outbound message first, then send it, then record the provider's id.

        An automated message (``automated`` names it) that the rules refuse (opt-out, the
        WhatsApp window) is stored as ``not_sent`` with the reason instead of raising; it
        may also follow a conversation that was just closed (closing message, survey).
        """
        pk = partition_of(conversation_id)
        for attempt in range(ATTEMPTS):
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
                back_off(attempt)
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
