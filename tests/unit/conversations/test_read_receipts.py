"""Which openings tell the provider: an ACS WhatsApp conversation whose latest customer
message has a provider id gets one call naming it; SMS, Twilio and a conversation from
before the id was kept get none; a refusal is counted by provider and code, not raised."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from conversations.messaging.read_receipts import ReadReceipting
from core import telemetry as names
from core.errors import ProviderError
from core.records import Account, Conversation

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=timezone.utc)
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
    c = Conversation("c" * 44, "active", "whatsapp", "acs", "a", None, "+14254360097", "chan", None, NOW, NOW, NOW,
                     480, latest_customer_message="wamid.3")
    return replace(c, **changes)


def opened(c: Conversation, receipts: Receipts, telemetry: Counted | None = None) -> None:
    ReadReceipting(accounts=Accounts(), receipts={"acs": receipts}, telemetry=telemetry or Counted()).opened(c)


def test_only_acs_whatsapp_with_a_message_id_is_told():
    receipts = Receipts()
    opened(conversation(), receipts)
    assert receipts.calls == [("a", "chan", "wamid.3")]
    for other in (conversation(channel="sms"), conversation(provider="twilio"),
                  conversation(latest_customer_message=None), conversation(account_id="gone")):
        opened(other, receipts)
    assert receipts.calls == [("a", "chan", "wamid.3")]


def test_a_refusal_is_counted_not_raised():
    receipts, telemetry = Receipts(ProviderError("busy", provider_code="InternalError", http_status=500)), Counted()
    opened(conversation(), receipts, telemetry)
    assert telemetry.counts == [(names.READ_RECEIPT_FAILURES, {"provider": "acs", "code": "InternalError"})]
