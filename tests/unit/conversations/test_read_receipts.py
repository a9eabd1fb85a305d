"""Which openings tell the provider: the holder's opening of a live ACS WhatsApp conversation
whose latest customer message has a provider id gets one call naming it; anyone else's, a
closed conversation's, SMS, Twilio and a conversation from before the id was kept get none;
a refusal, or an account gone, is counted by provider and code, not raised."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from conversations.messaging.read_receipts import ReadReceipting
from core import telemetry as names
from core.errors import ProviderError
from core.identity import Actor
from core.records import CLOSED, Account, Conversation

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=timezone.utc)
RAE = Actor("rae-id", "Rae")
ACCOUNT = Account(id="a", name="Contoso", channel="whatsapp", provider="acs", credentials={}, numbers=(),
                  created_at=NOW, updated_at=NOW)


class Accounts:
    def get(self, account_id: str) -> Account | None:
        return ACCOUNT if account_id == ACCOUNT.id else None


class Receipts:
    def __init__(self, refusal: ProviderError | None = None) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.refusal = refusal

    def mark_read(self, account: Account, business: str, provider_message_id: str) -> None:
        self.calls.append((account.id, business, provider_message_id))
        if self.refusal is not None:
            raise self.refusal


class Counted:
    def __init__(self) -> None:
        self.counts: list[tuple[str, dict[str, str]]] = []

    def count(self, name: str, value: int = 1, **attributes: str) -> None:
        self.counts.append((name, attributes))


def conversation(**changes) -> Conversation:
    c = Conversation("c" * 44, "active", "whatsapp", "acs", "a", None, "+14254360097", "chan", RAE, NOW, NOW, NOW,
                     480, latest_customer_message="wamid.3")
    return replace(c, **changes)


def opened(c: Conversation, receipts: Receipts, telemetry: Counted | None = None, by: str = RAE.id) -> None:
    ReadReceipting(accounts=Accounts(), receipts={"acs": receipts}, telemetry=telemetry or Counted()).opened(c, by)


def test_only_acs_whatsapp_with_a_message_id_is_told():
    receipts = Receipts()
    opened(conversation(), receipts)
    assert receipts.calls == [("a", "chan", "wamid.3")]
    for other in (conversation(channel="sms"), conversation(provider="twilio"),
                  conversation(latest_customer_message=None), conversation(state=CLOSED), conversation(agent=None)):
        opened(other, receipts)
    opened(conversation(), receipts, by="supervisor-id")  # looking on: nobody is answering
    assert receipts.calls == [("a", "chan", "wamid.3")]


def test_an_account_gone_is_counted():
    receipts, telemetry = Receipts(), Counted()
    opened(conversation(account_id="gone"), receipts, telemetry)
    assert receipts.calls == [] and telemetry.counts == [
        (names.READ_RECEIPT_FAILURES, {"provider": "acs", "code": "account_missing"})]


def test_a_refusal_is_counted_not_raised():
    receipts, telemetry = Receipts(ProviderError("busy", provider_code="InternalError", http_status=500)), Counted()
    opened(conversation(), receipts, telemetry)
    assert telemetry.counts == [(names.READ_RECEIPT_FAILURES, {"provider": "acs", "code": "InternalError"})]
