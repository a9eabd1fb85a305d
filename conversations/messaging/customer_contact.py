"""The customer's contact kept from a conversation's pane, by the agents and supervisors
who may act on it (admins also have /api/admin/contacts): its name and fields saved on the
contact (created for the customer's number when none holds it), and the conversation
linked to it, so search finds it by the name."""

from __future__ import annotations

from dataclasses import replace

from conversations.access import Scope
from conversations.admin.contacts import ContactAdmin
from conversations.messaging.lookup import Lookup
from conversations.messaging.writer import Writer
from conversations.reactions import Reactions
from core.addresses import is_e164
from core.errors import Conflict
from core.ids import thread_of
from core.records import Contact, Conversation
from core.retry import until_committed


class CustomerContact:
    def __init__(self, *, contacts: ContactAdmin, lookup: Lookup, writer: Writer, reactions: Reactions) -> None:
        self._contacts = contacts
        self._lookup = lookup
        self._writer = writer
        self._reactions = reactions

    def save(self, conversation_id: str, body: object, scope: Scope) -> tuple[Contact, bool]:
        """The contact as saved, and whether it is new."""
        conversation = self._lookup.head(conversation_id, allow_closed=True, scope=scope).conversation
        scope.check_contact(conversation)
        if not conversation.contact_id and not is_e164(conversation.customer):
            raise Conflict("the customer wrote from no phone number a contact could hold", code="no_customer_number")
        contact, created = self._contacts.for_customer(conversation.customer, conversation.contact_id, body)
        self._link(conversation_id, contact, scope)
        return contact, created

    def _link(self, conversation_id: str, contact: Contact, scope: Scope) -> Conversation:
        def attempt() -> Conversation:
            head = self._lookup.head(conversation_id, allow_closed=True, scope=scope)
            c = head.conversation
            if (c.contact_id, c.contact_name) == (contact.id, contact.name):
                return c
            linked = replace(c, contact_id=contact.id, contact_name=contact.name)
            return self._reactions.after(self._writer.commit(thread_of(c.id), head, linked, head.seq)).conversation

        return until_committed(attempt, "link the contact")
