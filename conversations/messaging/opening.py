"""Opening a conversation: the contact it is linked to, the queue its workstream's rules
route it to, and its inactivity period."""

from __future__ import annotations

from datetime import datetime

from conversations.admin.numbers import country_of
from core.addresses import is_e164
from core.custody import OptOuts
from core.facts import Facts
from core.ports import Contacts, Head
from core.records import OPEN, OPTED_OUT, Account, Consent, Conversation, Workstream
from core.reports import filed, zone_of
from core.routing import route
from core.sla import ServiceLevel

KEPT_OPT_OUT = "kept_opt_out"  # Consent.source: the thread opted out before it was erased or expired


class Opener:
    def __init__(self, contacts: Contacts, optouts: OptOuts, default_auto_close_minutes: int) -> None:
        self._contacts = contacts
        self._optouts = optouts
        self._default_auto_close = default_auto_close_minutes

    def consent(self, thread: str, head: Head | None) -> Consent:
        """The thread's consent: on its head; for a thread with none yet (new, or erased),
        opted out when a hashed opt-out was kept for it (one point read)."""
        if head is not None:
            return head.conversation.consent
        return Consent(OPTED_OUT, None, KEPT_OPT_OUT) if self._optouts.held(thread) else Consent()

    def open(self, account: Account, workstream: Workstream | None, business: str, customer: str, body: str,
             conversation_id: str, now: datetime, consent: Consent, customer_wrote_at: datetime | None,
             customer_name: str | None = None, previous: Conversation | None = None) -> Conversation:
        """A new conversation (not stored yet), waiting in its queue from ``now``; ``body``
        is the customer's first message, empty when the business writes first;
        ``previous``, the thread's conversation before it (its agent: keep same agent)."""
        contact = self._contacts.by_phone(customer) if is_e164(customer) else None
        queue, skills = None, ()
        if workstream is not None:
            facts = {"body": body, "customer": customer, "country": country_of(customer),
                     **{f"contact.{k}": v for k, v in (contact.fields if contact else {}).items()}}
            if contact is not None:
                facts["contact.name"] = contact.name
            queue, skills = route(workstream.settings.routing_rules, facts, workstream.settings.default_queue)
        return Conversation(
            id=conversation_id, state=OPEN, channel=account.channel, provider=account.provider,
            account_id=account.id, workstream_id=workstream.id if workstream else None,
            customer=customer, business=business, agent=None, created_at=now,
            last_activity_at=now, last_customer_message_at=customer_wrote_at,
            auto_close_after_minutes=workstream.auto_close_after_minutes if workstream else self._default_auto_close,
            queue=queue, skills=skills, contact_id=contact.id if contact else None, contact_name=contact.name if contact else None,
            consent=consent, customer_name=customer_name, queued_at=now if customer_wrote_at else None,
            previous_agent=previous.agent if previous else None, facts=_filed(now, workstream),
            service_level=ServiceLevel.opening(workstream.settings.service_levels,
                                               workstream.settings.operating_hours) if workstream else None,
        )


def _filed(now: datetime, workstream: Workstream | None) -> Facts:
    """A new conversation's facts: where reports file it, for good (its workstream's day and
    hour now, whatever time zone the workstream has later)."""
    day, hour = filed(now, zone_of(workstream))
    return Facts(day=day, hour=hour)
