"""Exports: a conversation's transcript (for an admin, and for an agent who took part in
it), and everything stored about one customer (the subject-access request, for admins)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conversations.access import Scope
from conversations.admin.numbers import PhoneReader
from conversations.messaging.lookup import Lookup
from conversations.customer_data.subjects import is_phone, opted_out, parse_subject, subject_id, threads_of
from core.custody import Digests, OptOuts, Purge, Subject
from core.errors import NotFound
from core.ports import Accounts, Contacts
from core.records import ACCEPTED, ASSIGNED, OUTBOUND, TRANSFERRED, Contact, Conversation


@dataclass(frozen=True)
class CustomerData:
    subject: Subject
    subject_id: str  # subjects.subject_id: what its audit entries name
    conversations: list[Conversation]  # with messages and history, oldest first
    contact: Contact | None
    opted_out_on: list[str]  # business addresses the customer opted out of


class Exports:
    def __init__(self, *, lookup: Lookup, purge: Purge, optouts: OptOuts, accounts: Accounts, contacts: Contacts,
                 phones: PhoneReader, digests: Digests) -> None:
        self._lookup = lookup
        self._digests = digests
        self._purge = purge
        self._optouts = optouts
        self._accounts = accounts
        self._contacts = contacts
        self._phones = phones

    def transcript(self, conversation_id: str, scope: Scope) -> Conversation:
        """The conversation with its messages; for anyone but an admin, only one they held
        or answered in (in their queues or not any more), or acted on in their scope (else
        not found)."""
        conversation = self._lookup.conversation(conversation_id)
        if scope.is_admin or _took_part(conversation, scope.principal.id, scope.sees(conversation)):
            return conversation
        raise NotFound(f"conversation {conversation_id} not found")

    def customer(self, body: Any) -> CustomerData:
        subject = parse_subject(body, self._phones)
        conversations: list[Conversation] = []
        opted_out_on: list[str] = []
        businesses = threads_of(subject, self._accounts)
        for thread in sorted(set(businesses) | self._purge.threads_named(subject)):
            contents = self._purge.read_thread(thread)
            conversations += contents.conversations
            known = contents.head.conversation if contents.head else next(iter(contents.conversations), None)
            business = known.business if known else businesses.get(thread)
            if business and opted_out(thread, contents, self._optouts):  # kept after its head went, too
                opted_out_on.append(business)
        contact = self._contacts.by_phone(subject.address) if is_phone(subject) else None
        return CustomerData(subject, subject_id(subject, self._digests), sorted(conversations, key=lambda c: c.created_at),
                            contact, opted_out_on)


def _took_part(c: Conversation, principal_id: str, in_scope: bool) -> bool:
    """Whether they held it or answered the customer in it, wherever it is now; or acted on
    it (an offer declined, a transfer, a note, a reaction), or held the customer's
    conversation before it, while it is still theirs to see."""
    held = [e.actor if e.action == ACCEPTED else e.subject for e in c.events if e.action in (ACCEPTED, ASSIGNED,
                                                                                           TRANSFERRED)]
    answered = [m.agent for m in c.messages if m.direction == OUTBOUND and not m.agent_reaction]
    acted = [c.previous_agent, *(e.actor for e in c.events), *(m.agent for m in c.messages)] if in_scope else []
    actors = [c.agent, *held, *answered, *acted]
    return any(a is not None and a.id == principal_id for a in actors)
