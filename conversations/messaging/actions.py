"""What agents do with conversations: read them (a contact card's names and numbers read on
the way: contact_cards.py), park and close them, and open customers' attachments (who holds
them: conversations/distribution/assignment.py)."""

from __future__ import annotations

import uuid

from dataclasses import replace
from typing import Callable, Mapping

from conversations.access import Scope
from conversations.admin.labels import LabelCatalogue
from conversations.messaging import wrap_up
from conversations.messaging.contact_cards import ContactCards
from conversations.messaging.lookup import Lookup
from conversations.messaging.outbox import Outbox
from conversations.messaging.read_receipts import ReadReceipting
from conversations.messaging.writer import Writer
from conversations.reactions import Reactions
from core.clock import Clock
from core.errors import Conflict, NotFound
from core.ids import thread_of
from core.messages import FetchedMedia
from core.ports import Accounts, MediaFetcher
from core.records import (CLOSED, CLOSED_BY_AGENT, INBOUND, PARKED, SEEN_BY, WAITING, Conversation, Event,
                          Workstream, internal_note)
from core.retry import until_committed


class AgentActions:
    def __init__(self, *, writer: Writer, reactions: Reactions, accounts: Accounts, lookup: Lookup, outbox: Outbox,
                 media_fetchers: Mapping[str, MediaFetcher], labels: LabelCatalogue, cards: ContactCards,
                 receipts: ReadReceipting, clock: Clock) -> None:
        self._writer = writer
        self._receipts = receipts
        self._cards = cards
        self._labels = labels
        self._reactions = reactions
        self._accounts = accounts
        self._lookup = lookup
        self._outbox = outbox
        self._media_fetchers = media_fetchers
        self._clock = clock

    def get(self, conversation_id: str, scope: Scope) -> Conversation:
        return self._cards.read(scope.visible(self._lookup.conversation(conversation_id)))

    def seen(self, conversation_id: str, scope: Scope) -> Conversation:
        """The caller opened the conversation and saw its customer messages: its unread
        count for them is cleared (kept for the SEEN_BY agents who opened it last); nothing
        is written when there was nothing unseen. Once a rise is committed by the agent who holds
        it, the provider is told the customer's latest message was read, where it can be
        (read_receipts.py)."""
        def attempt() -> tuple[Conversation, bool]:
            try:
                head = self._lookup.head(conversation_id, allow_closed=True, scope=scope)
            except Conflict:  # an earlier conversation of its thread: nothing more arrives in it
                return self.get(conversation_id, scope), False
            c, me = head.conversation, scope.principal.id
            if dict(c.seen).get(me, 0) >= c.facts.customer_messages:
                return c, False
            seen = ((me, c.facts.customer_messages), *((a, n) for a, n in c.seen if a != me))[:SEEN_BY]
            return self._reactions.after(self._writer.commit(thread_of(c.id), head, replace(c, seen=seen),
                                                             head.seq)).conversation, True

        opened, rose = until_committed(attempt, "mark it seen")
        if rose:
            self._receipts.opened(opened, scope.principal.id)
        return opened

    def label(self, conversation_id: str, names: object, scope: Scope) -> Conversation:
        """Give the live conversation exactly these labels (each a label admins defined);
        lists filter by labels, so a change re-places it as a move does."""
        labels = self._labels.known(names)

        def attempt() -> Conversation:
            head = self._lookup.head(conversation_id, allow_closed=True, scope=scope)
            if head.conversation.labels == labels:
                return head.conversation
            return self._reactions.after(self._writer.commit(thread_of(conversation_id), head,
                                                             replace(head.conversation, labels=labels),
                                                             head.seq)).conversation

        return until_committed(attempt, "label it")

    def wait(self, conversation_id: str, scope: Scope) -> Conversation:
        return self._change(conversation_id, scope, scope.check_answer, PARKED,
                            lambda c: c if c.state == WAITING else replace(c, state=WAITING))

    def close(self, conversation_id: str, scope: Scope, base_url: str | None = None, disposition: object = None,
              note: object = None) -> Conversation:
        """Close it with the agent's wrap-up (a disposition of its workstream's, needed where
        it says so, and a note, kept as an internal note), then send the workstream's closing
        message and survey (when set)."""
        now = self._clock()

        def closing(c: Conversation) -> Conversation:
            chosen = wrap_up.disposition(disposition, self._lookup.workstream_of(c))
            return replace(c, state=CLOSED, closed_at=now, closed_reason=CLOSED_BY_AGENT, offer=None,
                           disposition=chosen)

        closed = self._change(conversation_id, scope, scope.check_close, CLOSED, closing, wrap_up.note(note))
        self._outbox.after_close(closed, base_url)
        return closed

    def media(self, conversation_id: str, message_id: str, index: int, scope: Scope) -> FetchedMedia:
        """An attachment of a message, fetched from the provider with the account's credentials."""
        conversation = self.get(conversation_id, scope)
        message = next((m for m in conversation.messages if m.id == message_id), None)
        if message is None or not 0 <= index < len(message.media):
            raise NotFound(f"message {message_id} has no attachment {index}")
        account = self._accounts.get(conversation.account_id)
        fetcher = self._media_fetchers.get(conversation.provider)
        if account is None or fetcher is None or message.direction != INBOUND:
            raise NotFound("this attachment cannot be fetched through Switchboard", code="media_unavailable")
        return fetcher.fetch_media(account, message.media[index])

    def workstream(self, conversation: Conversation) -> Workstream | None:
        """The workstream an agent answers the conversation under, as configured now."""
        return self._lookup.workstream_of(conversation)

    def fetches_media(self, provider: str) -> bool:
        """Whether customers' attachments on this provider can be opened through Switchboard."""
        return provider in self._media_fetchers

    def _change(self, conversation_id: str, scope: Scope, check: Callable[[Conversation], None], action: str,
                change: Callable[[Conversation], Conversation], note: str | None = None) -> Conversation:
        """Change the live conversation, once ``check`` allows it, and record who did what
        (and the caller's ``note``, an internal note after it); a change that changes nothing
        (a repeat) records nothing."""
        note_id = uuid.uuid4().hex

        def attempt() -> Conversation:
            head = self._lookup.head(conversation_id, scope=scope)
            check(head.conversation)
            updated, now = change(head.conversation), self._clock()
            if updated is head.conversation:
                return updated
            event = Event(conversation_id, head.seq + 1, now, action, scope.principal.actor,
                          CLOSED_BY_AGENT if action == CLOSED else None)
            notes = [internal_note(note_id, conversation_id, note, event.seq + 1, now, scope.principal.actor)] if note \
                else []
            return self._reactions.after(self._writer.commit(thread_of(conversation_id), head, updated,
                                                             event.seq + len(notes), notes,
                                                             events=[event])).conversation

        return until_committed(attempt, "change")
