"""Storage goes away under a running host: webhooks answer 5xx (so Twilio's retry comes),
nothing is half-written, and the retry after storage is back is stored once."""

from __future__ import annotations

import secrets

import pytest

from localhost.services import Azurite, LocalHost, free_port
from tests.e2e.conftest import Api
from tests.support.twilio import AUTH_TOKEN, account_body, fixture_form


@pytest.fixture
def outage_api(tmp_path, sealing_key, twilio_api):
    port = free_port()
    storage = Azurite.start(tmp_path / "azurite", port=port)
    env = {"AzureWebJobsStorage": storage.connection_string, "SWITCHBOARD_SEALING_KEY": sealing_key,
           "SWITCHBOARD_TABLE_PREFIX": "o" + secrets.token_hex(4), "TWILIO_API_BASE_URL": twilio_api.base_url}
    host = LocalHost.start(env)
    try:
        yield Api(host, twilio_api, None, env), storage, tmp_path / "azurite", port
    finally:
        host.stop()
        storage.stop()


def test_outage_answers_5xx_and_the_retry_is_stored_once(outage_api):
    api, storage, data_dir, port = outage_api
    account = api.call("POST", "/admin/accounts", account_body()).json()
    path = f"/twilio/{account['id']}/inbound"
    first = fixture_form("twilio_sms_inbound.txt", MessageSid="SM" + "a" * 32, Body="before")
    assert api.webhook(path, first, AUTH_TOKEN).status_code == 200

    storage.stop()
    during = fixture_form("twilio_sms_inbound.txt", MessageSid="SM" + "b" * 32, Body="during")
    answer = api.webhook(path, during, AUTH_TOKEN)
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "storage_unavailable"
    assert "Traceback" not in answer.text
    assert api.call("GET", "/health", key=False).status_code == 503

    storage = Azurite.start(data_dir, port=port)
    try:
        for _ in range(2):  # Twilio's retry, and one more for good measure
            assert api.webhook(path, during, AUTH_TOKEN).status_code == 200
        [conversation] = api.call("GET", "/conversations").json()["conversations"]
        messages = api.call("GET", f"/conversations/{conversation['id']}").json()["messages"]
        assert [m["body"] for m in messages] == ["before", "during"]
    finally:
        storage.stop()
