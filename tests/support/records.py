"""Records as the storage hands them to the code under test, for unit tests that need one."""

from __future__ import annotations

from datetime import datetime, timezone

from core.records import Account


def account(provider: str = "twilio", channel: str = "sms", account_id: str = "acc") -> Account:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    return Account(id=account_id, name="Test", channel=channel, provider=provider, credentials={}, numbers=(),
                   created_at=now, updated_at=now)
