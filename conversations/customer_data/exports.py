"""Exports: a conversation's transcript (for an admin, and for an agent who took part in
it), and everything stored about one customer (the subject-access request, for admins)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conversations.access import Scope
from conversations.admin.numbers import PhoneReader
from conversations.messaging.lookup import Lookup
from conversations.customer_data.subjects import is_phone, parse_subject, threads_of
from core.custody import Purge, Subject
from core.errors import NotFound
from core.ports import Accounts, Contacts
from core.records import OPTED_OUT, Contact, Conversation


@dataclass(frozen=True)
class CustomerData:
    subject: Subject
    conversations: list[Conversation]  # with messages and history, oldest first
    contact: Contact | None
    opted_out_on: list[str]  # business addresses the customer opted out of


class Exports:
    def __init__(self, lookup: Lookup, purge: Purge, accounts: Accounts, contacts: Contacts,
                 phones: PhoneReader) -> None:
        self._lookup = lookup
        self._purge = purge
        self._accounts = accounts
        self._contacts = contacts
        self._phones = phones

    def transcript(self, conversation_id: str, scope: Scope) -> Conversation:
        """The conversation with its messages; for anyone but an admin, only one they held,
        answered in or acted on (else not found, as out of scope)."""
        conversation = scope.visible(self._lookup.conversation(conversation_id))
        if scope.is_admin or _took_part(conversation, scope.principal.id):
            return conversation
        raise NotFound(f"conversation {conversation_id} not found")

    def customer(self, body: Any) -> CustomerData:
        subject = parse_subject(body, self._phones)
        conversations: list[Conversation] = []
        opted_out: list[str] = []
        for thread in sorted(set(threads_of(subject, self._accounts)) | self._purge.threads_named(subject)):
            contents = self._purge.read_thread(thread)
            conversations += contents.conversations
            if contents.head is not None and contents.head.conversation.consent.state == OPTED_OUT:
                opted_out.append(contents.head.conversation.business)
        contact = self._contacts.by_phone(subject.address) if is_phone(subject) else None
        return CustomerData(subject, sorted(conversations, key=lambda c: c.created_at), contact, opted_out)


def _took_part(c: Conversation, principal_id: str) -> bool:
    actors = [c.agent, c.previous_agent, *(m.agent for m in c.messages), *(e.actor for e in c.events)]
    return any(a is not None and a.id == principal_id for a in actors)
