"""An agent's reaction as we send it to ACS, checked against the published Messages API
contracts (Prism): 2024-11-15-preview, the first version with a reaction, takes it (and an
empty emoji); 2024-08-30, the version the SDK speaks, knows no such kind and refuses it."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterator

import pytest

from azure.communication.messages import NotificationMessagesClient
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError

from channels.acs_send import REACTIONS_API, AcsSender, reaction_content
from core.content import REACTION, Content
from core.messages import OutboundMessage
from core.records import Account
from tests.support import contracts
from tests.support.acs import ACCESS_KEY, CHANNEL_ID, CUSTOMER_DIGITS, connection_string
from tests.support.recorder import Recorder

SEND = r"/messages/notifications:send"
WAMID = "wamid.HBgLMTQyNTQzNjAwOTcVAgASGBQzQUZCMTY0MDc2MUYwNzBDNTY5MAA="


@pytest.fixture(scope="module")
def reactions_api() -> Iterator[Recorder]:
    yield from contracts.recorded_prism(contracts.acs_messages_reactions())


@pytest.fixture(scope="module")
def sdk_version_api() -> Iterator[Recorder]:
    yield from contracts.recorded_prism(contracts.acs_messages())


def account(endpoint: str) -> Account:
    now = datetime.now(timezone.utc)
    return Account(id="a1", name="Contoso WhatsApp", channel="whatsapp", provider="acs",
                   credentials={"connection_string": connection_string(endpoint)}, numbers=(), created_at=now,
                   updated_at=now)


def reaction(emoji: str) -> OutboundMessage:
    return OutboundMessage(business=CHANNEL_ID, customer=CUSTOMER_DIGITS, body="", message_id="m1",
                           attempt_id="3f0c3f5e-6f0e-4d59-9a55-2c0a7c1c1a01", first_sent=datetime.now(timezone.utc),
                           content=Content(kind=REACTION, reacts_to=WAMID, emoji=emoji))


def test_a_reaction_is_a_valid_send_of_the_version_that_publishes_it(reactions_api):
    result = AcsSender({"retry_total": 0}).send(account(reactions_api.base_url), reaction("👍"))
    assert result.provider_message_id and result.status == "accepted"
    [call] = reactions_api.calls("POST", SEND)
    assert call.query["api-version"] == [REACTIONS_API] and call.status == 202
    assert call.json() == {"channelRegistrationId": CHANNEL_ID, "to": [CUSTOMER_DIGITS], "kind": "reaction",
                           "emoji": "👍", "messageId": WAMID}
    assert call.headers["Repeatability-Request-ID"] == "3f0c3f5e-6f0e-4d59-9a55-2c0a7c1c1a01"


def test_taking_a_reaction_back_is_a_valid_send_too(reactions_api):
    AcsSender({"retry_total": 0}).send(account(reactions_api.base_url), reaction(""))
    assert reactions_api.calls("POST", SEND)[-1].json()["emoji"] == ""


def test_the_version_the_sdk_speaks_has_no_reaction(sdk_version_api):
    # The same body under 2024-08-30's contract, whose kinds end at template: Prism refuses it.
    client = NotificationMessagesClient(sdk_version_api.base_url, AzureKeyCredential(ACCESS_KEY), retry_total=0)
    sent = reaction("👍")
    with pytest.raises(HttpResponseError) as refused:
        client.send(reaction_content(sent, sent.content))
    assert refused.value.status_code == 422
