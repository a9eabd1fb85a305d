"""Checking ACS credentials: one signed call that lists templates; 401 means a wrong key."""

from __future__ import annotations

import pytest

from channels.acs_send import AcsSender
from core.errors import ProviderError, ProviderUnreachable
from localhost.services import Prism, free_port
from tests.support import contracts
from tests.support.acs import CHANNEL_ID, sms_account, whatsapp_account
from tests.support.recorder import recording

TEMPLATES = rf"/messages/channels/{CHANNEL_ID}/templates"


@pytest.fixture
def acs_api():
    with recording() as recorder:
        yield recorder


def validate(make_services, body):
    services = make_services(senders={"acs": AcsSender({"retry_total": 0})})
    account = services.admin.accounts.create(body)
    return services.admin.accounts.validate(account.id)


def test_a_signed_listing_that_acs_answers_means_valid(make_services, acs_api):
    acs_api.on("GET", TEMPLATES, (200, {"value": []}))
    result = validate(make_services, whatsapp_account(acs_api.base_url))
    assert result.valid
    [call] = acs_api.calls("GET", TEMPLATES)
    assert call.headers["Authorization"].startswith("HMAC-SHA256")


def test_a_refused_signature_means_invalid(make_services, acs_api):
    acs_api.on("GET", TEMPLATES, (401, {"error": {"code": "Denied", "message": "Denied by the authentication"}}))
    result = validate(make_services, whatsapp_account(acs_api.base_url))
    assert not result.valid and "401" in result.detail


def test_an_sms_account_asks_about_an_unknown_channel_and_404_still_means_valid(make_services, acs_api):
    acs_api.on("GET", r"/messages/channels/[^/]+/templates",
               (404, {"error": {"code": "NotFound", "message": "channel not found"}}))
    assert validate(make_services, sms_account(acs_api.base_url)).valid


def test_a_failing_acs_is_not_reported_as_invalid(make_services, acs_api):
    acs_api.on("GET", TEMPLATES, (500, {"error": {"code": "InternalError", "message": "boom"}}))
    with pytest.raises(ProviderError):
        validate(make_services, whatsapp_account(acs_api.base_url))


def test_an_unreachable_acs_is_not_reported_as_invalid(make_services):
    with pytest.raises(ProviderUnreachable):
        validate(make_services, whatsapp_account(f"http://127.0.0.1:{free_port()}"))


def test_the_listing_is_a_request_the_contract_accepts(make_services):
    with Prism.start(contracts.acs_messages()) as prism:
        assert validate(make_services, whatsapp_account(prism.base_url)).valid
