"""A customer's other conversations, for the pane beside one: those of every number of its
contact (its mobile phone and the person's other numbers: SMS and WhatsApp of one person),
or of the conversation's own number when no contact holds it; both channels, newest first,
only those the caller may see. One range of the search index per number (core/inbox.py
search_terms: the number's term ended by its "|", so only that very number matches, not
longer ones ending in it), then a point read of each conversation as it is now."""

from __future__ import annotations

from conversations.access import Scope
from core.addresses import is_e164
from core.errors import NotFound
from core.ids import well_formed
from core.inbox import this_number
from core.ports import Contacts, Inbox, Threads
from core.records import Conversation


class CustomerHistory:
    def __init__(self, *, inbox: Inbox, threads: Threads, contacts: Contacts) -> None:
        self._inbox = inbox
        self._threads = threads
        self._contacts = contacts

    def earlier(self, conversation_id: str, scope: Scope, limit: int) -> list[Conversation]:
        """At most ``limit`` of the customer's other conversations the caller may see, the
        newest first; the conversation itself must be in the caller's scope (NotFound)."""
        conversation = self._threads.current(conversation_id) if well_formed(conversation_id) else None
        if conversation is None:
            raise NotFound(f"conversation {conversation_id} not found")
        scope.visible(conversation)
        ids: dict[str, None] = {}
        for phone in self._numbers(conversation):
            found, _ = self._inbox.found(this_number(phone), limit + 1)  # +1: it may list this one
            ids.update(dict.fromkeys(found))
        ids.pop(conversation.id, None)
        others = (self._threads.current(i) for i in ids if well_formed(i))
        visible = [c for c in others if c is not None and scope.sees(c)]
        return sorted(visible, key=lambda c: c.created_at, reverse=True)[:limit]

    def _numbers(self, conversation: Conversation) -> tuple[str, ...]:
        """The customer's numbers: its contact's (the one linked, else the one holding its
        number now, as an admin may have linked it since), else its own."""
        contact = self._contacts.get(conversation.contact_id) if conversation.contact_id else None
        if contact is None and is_e164(conversation.customer):
            contact = self._contacts.by_phone(conversation.customer)
        if contact is not None:
            return contact.phones
        return (conversation.customer,) if is_e164(conversation.customer) else ()
