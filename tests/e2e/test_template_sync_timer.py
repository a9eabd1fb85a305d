"""The template sync timer (TEMPLATE_SYNC_SCHEDULE) as the local host runs it: every
WhatsApp account's templates come from its provider without an admin asking."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_template_sync import LISTING, by_name, content_api, content_env  # noqa: F401 - a fixture
from tests.support.twilio import whatsapp_account_body
from tests.support.waiting import until


@pytest.fixture(scope="module")
def extra_env(content_api) -> dict[str, str]:
    return content_env(content_api, "*/2 * * * * *")


def test_the_timer_syncs_every_whatsapp_account(api, content_api):
    account: dict[str, Any] = api.call("POST", "/admin/accounts", whatsapp_account_body()).json()

    def synced() -> dict[str, Any]:
        return by_name(api.call("GET", f"/admin/accounts/{account['id']}/templates").json()["templates"])

    until(lambda: len(synced()) == 3, timeout=20)
    assert synced()["promo"]["status"] == "pending"
    assert any(r.path == LISTING for r in content_api.requests)
