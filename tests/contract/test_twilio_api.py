"""Our Twilio requests checked against Twilio's published OpenAPI contract (Prism)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterator

import pytest

from core.messages import OutboundMessage
from channels.twilio_api import TwilioSender
from core.errors import ProviderError
from core.records import Account, Number
from localhost.services import Prism
from tests.support import contracts
from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN, BUSINESS_E164, CUSTOMER


@pytest.fixture(scope="module")
def prism() -> Iterator[Prism]:
    with Prism.start(contracts.TWILIO) as service:
        yield service


def account() -> Account:
    now = datetime.now(timezone.utc)
    return Account(id="a1", name="t", channel="sms", provider="twilio",
                   credentials={"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN},
                   numbers=(Number(BUSINESS_E164, "long_code"),), created_at=now, updated_at=now)


def test_a_reply_is_a_valid_messages_create(prism):
    result = TwilioSender(prism.base_url).send(account(), OutboundMessage(
        business=BUSINESS_E164, customer=CUSTOMER, body="Ahoy!",
        status_callback="https://sb.example.com/api/twilio/a1/status"))
    assert result.provider_message_id.startswith("SM") and result.status == "queued"


def test_a_request_the_contract_refuses_surfaces_as_a_provider_error(prism):
    # Prism answers 422 for a body over the spec's limits, as Twilio would refuse it.
    with pytest.raises(ProviderError):
        TwilioSender(prism.base_url).send(account(), OutboundMessage(
            business=BUSINESS_E164, customer=CUSTOMER, body="x" * 2000, status_callback="not a url"))


def test_looking_for_a_try_in_doubt_is_a_valid_messages_list(prism):
    # Prism answers the list with the contract's example (a message from 2016): nothing
    # created since the try began, so nothing is taken for it.
    since = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    found = TwilioSender(prism.base_url).find_sent(account(), OutboundMessage(
        business=BUSINESS_E164, customer=CUSTOMER, body="Ahoy!"), since)
    assert found == []
