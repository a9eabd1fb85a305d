"""A read receipt as we send it to ACS, checked against the published Messages API contract
(Prism): 2025-09-01-preview, the first version with one, takes ours, and refuses a body
the contract does not allow, so the check is real; the version the SDK speaks (2024-08-30)
has no such path."""

from __future__ import annotations

from typing import Iterator

import pytest

from channels.acs_send import READ_RECEIPTS_API, AcsSender
from core.errors import ProviderError
from tests.contract.test_acs_reactions import WAMID, account
from tests.support import contracts
from tests.support.acs import CHANNEL_ID
from tests.support.recorder import Recorder

READ = r"/messages/readreceipts:send"


@pytest.fixture(scope="module")
def read_receipts_api() -> Iterator[Recorder]:
    yield from contracts.recorded_prism(contracts.acs_messages_read_receipts())


@pytest.fixture(scope="module")
def sdk_version_api() -> Iterator[Recorder]:
    yield from contracts.recorded_prism(contracts.acs_messages())


def test_a_read_receipt_is_a_valid_call_of_the_version_that_publishes_it(read_receipts_api):
    AcsSender().mark_read(account(read_receipts_api.base_url), CHANNEL_ID, WAMID)
    [call] = read_receipts_api.calls("POST", READ)
    assert call.query["api-version"] == [READ_RECEIPTS_API] and call.status == 202
    assert call.json() == {"channelRegistrationId": CHANNEL_ID, "messageId": WAMID}
    with pytest.raises(ProviderError) as refused:  # the channel registration id must be a UUID
        AcsSender().mark_read(account(read_receipts_api.base_url), "not-a-channel-id", WAMID)
    assert refused.value.http_status == 422


def test_the_sdk_version_has_no_read_receipt(sdk_version_api):
    with pytest.raises(ProviderError) as refused:
        AcsSender().mark_read(account(sdk_version_api.base_url), CHANNEL_ID, WAMID)
    assert refused.value.http_status == 404
