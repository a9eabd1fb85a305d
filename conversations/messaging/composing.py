"""What an outgoing message says, decided against its conversation as read: an agent's
reply (body and attachments within the channel's rules), a template of the conversation's
workstream (approved in the account's synced catalogue, when it has one), the template
the workstream sends instead of a message the closed WhatsApp window refused
(conversations/messaging/window_fallback.py), and what a WhatsApp message is estimated to
cost. The outbox (conversations/messaging/outbox.py) stores and sends what these say."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from conversations.admin.numbers import calling_code_of
from conversations.messaging import policies, templates, window_fallback
from conversations.messaging.lookup import Lookup
from core.content import Content, Interactive
from core.errors import Conflict, SwitchboardError, ValidationFailed
from core.interactive import check_body, check_sendable
from core.ports import Rates, TemplateCatalogues, Workstreams
from core.pricing import Cost, estimate
from core.records import WHATSAPP, Conversation, Media, Template, TemplateRef

MAX_BODY = 1600
# What to send, decided against the conversation as read: (body, media, template).
Sent = tuple[str, tuple[Media, ...], TemplateRef | None]
Compose = Callable[[Conversation, datetime], Sent]


class Composing:
    def __init__(self, *, lookup: Lookup, workstreams: Workstreams, catalogues: TemplateCatalogues,
                 rates: Rates) -> None:
        self._lookup = lookup
        self._workstreams = workstreams
        self._catalogues = catalogues
        self._rates = rates

    def reply(self, body: object, media: tuple[Media, ...], interactive: Interactive | None = None) -> Compose:
        """A free-form reply: its body checked now (422), the channel's rules once the
        conversation is read; with ``interactive`` (reply buttons or a list, read within
        their limits) no attachment, and what the conversation's provider takes."""
        if body is None and media:
            body = ""
        if not isinstance(body, str) or (not body.strip() and not media):
            raise ValidationFailed("body", "must be a non-empty string")
        if len(body) > MAX_BODY:
            raise ValidationFailed("body", f"must be at most {MAX_BODY} characters, got {len(body)}")
        if interactive is not None:
            if media:
                raise ValidationFailed("media", "an interactive message carries no attachment; send it on its own")
            check_body(body)

        def compose(conversation: Conversation, now: datetime) -> Sent:
            if interactive is not None:
                check_sendable(interactive, conversation.provider, conversation.channel)
            if media:
                workstream = self._lookup.workstream_of(conversation)
                policies.check_agent_attachments(workstream.settings if workstream else None)
            policies.check_media(conversation.provider, conversation.channel, body, media)
            policies.check_free_form_reply(conversation, now)
            return body, media, None

        return compose

    def offerable(self, conversation: Conversation, content: Content | None) -> Content | None:
        """The content as sent: buttons or a list an automated message or a bot offers go
        only where the conversation's provider takes them, its text alone elsewhere (an
        agent's were refused before)."""
        if content is None or content.interactive is None:
            return content
        try:
            check_sendable(content.interactive, conversation.provider, conversation.channel)
        except SwitchboardError:
            return None
        return content

    def template(self, name: str, language: str | None, parameters: object) -> Compose:
        def compose(conversation: Conversation, _now: datetime) -> Sent:
            template = self.template_named(conversation.account_id, conversation.workstream_id,
                                           conversation.business, name, language)
            body, ref = templates.prepared(template, self._catalogues.read(conversation.account_id), parameters)
            return body, (), ref

        return compose

    def check_template(self, account_id: str, business: str, name: str, language: str | None,
                       parameters: object) -> None:
        """Refuses (422, 409) a template that could not be sent from ``business`` (a
        proactive message's, whose ``template`` field names it)."""
        templates.prepared(self.template_named(account_id, None, business, name, language, field="template"),
                           self._catalogues.read(account_id), parameters, field="template")

    def template_named(self, account_id: str, workstream_id: str | None, business: str, name: str,
                       language: str | None, field: str = "name") -> Template:
        """The named template of the conversation's workstream (or of the number's);
        ``field``: what the request calls the name, for a refusal."""
        workstream = self._workstreams.get(workstream_id) if workstream_id else self._workstreams.for_number(business)
        if workstream is not None and workstream.account_id != account_id:
            workstream = None
        found = [t for t in (workstream.templates_named(name) if workstream else ())
                 if language is None or t.language == language]
        if not found:
            raise ValidationFailed(field, f"no template {name!r}" + (f" in {language}" if language else "")
                                   + (" in the conversation's workstream" if workstream_id else
                                      " in the workstream of the number"))
        if len(found) > 1:
            raise ValidationFailed("language", f"template {name!r} exists in several languages; name one")
        return found[0]

    def cost(self, conversation: Conversation, template: TemplateRef | None) -> Cost | None:
        """A WhatsApp message's estimated cost, priced as it is stored (the rate table read
        through its cache): by its template's category, or a free-form reply's."""
        if conversation.channel != WHATSAPP:
            return None
        return estimate(self._rates.read(), calling_code_of(conversation.customer),
                        template.category if template else None, template is not None)

    def composed(self, conversation: Conversation, now: datetime, fallback_kind: str | None, compose: Compose,
                 refusal: SwitchboardError | None) -> tuple[Sent, SwitchboardError | None, str | None]:
        """What the message sends, what refuses it, and whose fallback it is: the template the
        workstream names for a message of ``fallback_kind`` the closed window refused, or,
        when that template may not be sent, the message not sent with that reason."""
        sent = compose(conversation, now)
        workstream = self._lookup.workstream_of(conversation) if refusal and fallback_kind else None
        settings = workstream.settings if workstream else None
        fallback = window_fallback.chosen(settings, fallback_kind or "", refusal)
        if fallback is None:
            return sent, refusal, None
        try:
            instead = window_fallback.sent(fallback, conversation, now, settings, self.template)
        except (Conflict, ValidationFailed) as exc:
            return sent, exc, fallback_kind
        return instead, None, fallback_kind
