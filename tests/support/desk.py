"""A contact center in a test, without HTTP: an SMS account, a workstream with queues and
a distribution, and agents who sign in, join queues and set their presence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conversations.access import Scope
from conversations.distribution.inboxes import Query
from core.identity import AGENT, SUPERVISOR, Principal
from core.records import Account, Conversation
from functions.wiring import Services
from localhost.easyauth import object_id_of
from tests.support.scopes import ALICE
from tests.support.twilio import BUSINESS, account_body, inbound


@dataclass
class Desk:
    services: Services
    account: Account
    workstream_id: str
    clock: Any = None  # a FakeClock: time moves on a little with every customer message
    scopes: dict[str, Scope] = field(default_factory=dict)
    sent: int = 0

    def agent(self, name: str, capacity: int = 3, queue: str | None = "general", available: bool = True,
              roles: tuple[str, ...] = (AGENT,)) -> Scope:
        """``name`` signs in, works ``queue`` with ``capacity`` SMS conversations at once."""
        directory = self.services.admin.directory
        principal = Principal(object_id_of(name), name, frozenset(roles))
        directory.seen(principal)
        queues = [{"workstream_id": self.workstream_id, "queue": queue}] if AGENT in roles else []
        supervises = [self.workstream_id] if SUPERVISOR in roles else []
        directory.update(principal.id, {"queues": queues, "capacity": {"sms": capacity}, "supervises": supervises})
        scope = self.scopes[name] = directory.scope(principal)
        if available:
            self.services.distribution.presence.set(scope, "available")
        return scope

    def customer_writes(self, customer: str, body: str = "Hello") -> str:
        self.sent += 1
        if self.clock is not None:
            self.clock.advance(milliseconds=10)
        message = inbound(self.account.id, f"SM{self.sent:032d}", body=body, customer=customer)
        return self.services.messaging.ingest.message(self.account, message).conversation_id

    def conversation(self, conversation_id: str) -> Conversation:
        return self.services.distribution.lookup.conversation(conversation_id)

    def offered_to(self, conversation_id: str) -> str | None:
        offer = self.conversation(conversation_id).offer
        return offer.agent.name if offer else None

    def holder(self, conversation_id: str) -> str | None:
        agent = self.conversation(conversation_id).agent
        return agent.name if agent else None

    def offers(self, name: str) -> list[str]:
        return [c.id for c in self.services.distribution.inboxes.page(self.scopes[name], Query("offers"), 100).conversations]

    def mine(self, name: str) -> list[str]:
        return [c.id for c in self.services.distribution.inboxes.page(self.scopes[name], Query("mine"), 100).conversations]

    def waiting(self, queue: str = "general") -> list[Conversation]:
        query = Query("queue", self.workstream_id, queue, True)
        return self.services.distribution.inboxes.page(ALICE, query, 1000).conversations

    def load(self, name: str) -> int:
        return self.services.distribution.capacity.read(self.scopes[name].principal.id).load("sms")


def open_desk(services: Services, clock: Any = None, **distribution: Any) -> Desk:
    account = services.admin.accounts.create(account_body())
    workstream = services.admin.workstreams.create({
        "name": "Support", "channel": "sms", "account_id": account.id, "number": BUSINESS,
        "queues": ["general", "billing"], "default_queue": "general",
        "distribution": {"mode": "push", **distribution},
    })
    return Desk(services, account, workstream.id, clock)


def customer(i: int) -> str:
    return f"+1206555{i:04d}"
