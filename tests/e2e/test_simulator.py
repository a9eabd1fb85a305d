"""The simulator against the local host: every kind it sends is taken as the provider's own,
and an Entra-guarded ACS account takes its tokens from the host's local tenant only."""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests

from localhost.entra import authority
from localhost.services import free_port
from localhost.simulate import acs
from localhost.simulate.__main__ import main
from localhost.simulate.delivery import Options
from localhost.simulate.target import find
from localhost.state import RunRecord
from tests.support import acs as acs_data
from tests.support import telesign as telesign_data
from tests.support import twilio as twilio_data

MESSAGES = f"/2010-04-01/Accounts/{twilio_data.ACCOUNT_SID}/Messages.json"
PUBLIC = "https://switchboard.example.com"


@pytest.fixture(scope="module")
def host_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def extra_env(host_port) -> dict[str, str]:
    return {"ENTRA_AUTHORITY_HOST": authority(f"http://127.0.0.1:{host_port}"),  # as `make run` sets it
            "PUBLIC_BASE_URL": PUBLIC}  # the address providers sign: not where the simulator calls


@pytest.fixture
def simulate(api, capsys):
    """Run the simulator as a user would, with the host's settings; its exit code and output."""

    def run(*argv: str, **environ: str) -> tuple[int, str]:
        code = main(list(argv), {**api.env, "SWITCHBOARD_URL": api.host.base_url, **environ})
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


def create(api, body: dict[str, Any]) -> str:
    response = api.call("POST", "/admin/accounts", body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def conversation_of(api, account_id: str, customer: str) -> dict[str, Any] | None:
    listed = api.call("GET", "/conversations").json()["conversations"]
    found = [c for c in listed if c["account_id"] == account_id and c["customer"] == customer]
    return api.call("GET", f"/conversations/{found[0]['id']}").json() if found else None


def reply(api, conversation: dict[str, Any], body: str = "On its way!") -> dict[str, Any]:
    answer = api.call("POST", f"/conversations/{conversation['id']}/messages", {"body": body, "agent": "alice"})
    assert answer.status_code == 201, answer.text
    return answer.json()


def numbers(number: str) -> list[dict[str, str]]:
    return [{"number": number, "type": "long_code"}]


def guarded(api, acs_messages_api, channel_id: str) -> str:
    """An ACS WhatsApp account that wants Entra delivery auth; its id."""
    body = acs_data.whatsapp_account(acs_messages_api.base_url, eventgrid_app_id=acs_data.APP_ID,
                                     eventgrid_tenant_id=acs_data.TENANT)
    body["channels"] = [{"name": "Guarded", "channel_id": channel_id}]
    return create(api, body)


def reply_is_reported_delivered(api, simulate, account: str, conversation: dict[str, Any], customer: str) -> None:
    """An agent's reply, then the simulator's delivery report for it, which must land on it."""
    sent = reply(api, conversation)["provider_message_id"]
    code, out = simulate("status", "--account", account, "--message-id", sent, "--to", customer)
    assert code == 0, out
    assert conversation_of(api, account, customer)["messages"][-1]["status"] == "delivered"


def test_a_twilio_sms_and_its_status_callbacks(api, simulate):
    account = create(api, twilio_data.account_body(numbers=numbers("14252306551")))
    code, out = simulate("message", "--account", account, "--from", "+15550100201", "--body", "Where is my order?")
    assert code == 0 and "MessageSid: SM" in out and "<Response/>" in out
    conversation = conversation_of(api, account, "+15550100201")
    assert conversation is not None and conversation["business"] == "+14252306551"
    assert [m["body"] for m in conversation["messages"]] == ["Where is my order?"]

    api.twilio.on("POST", MESSAGES, twilio_data.message_created("SM" + "5" * 32))
    sent = reply(api, conversation)["provider_message_id"]
    code, out = simulate("status", "--account", account, "--message-id", sent, "--to", "+15550100201",
                         "--status", "undelivered", "--error-code", "30003")
    assert code == 0 and "answer: 204" in out
    [_, outbound] = conversation_of(api, account, "+15550100201")["messages"]
    assert (outbound["status"], outbound["error"]["code"]) == ("undelivered", "30003")


def test_a_twilio_whatsapp_message_with_attachments(api, simulate):
    account = create(api, twilio_data.whatsapp_account_body(numbers=numbers("+14155238887")))
    media = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    code, out = simulate("message", "--account", account, "--from", "+5582982136276", "--media-url", media,
                         "--media-url", media + "2", "--media-type", "image/png", "--body", "Photos")
    assert code == 0 and "MessageSid: MM" in out
    conversation = conversation_of(api, account, "+5582982136276")
    assert conversation is not None and conversation["channel"] == "whatsapp"
    [message] = conversation["messages"]
    assert [(m["url"], m["content_type"]) for m in message["media"]] == [(media, "image/png"),
                                                                        (media + "2", "image/png")]


def test_a_telesign_message_and_its_delivery_report(api, simulate):
    account = create(api, telesign_data.account_body(numbers=numbers("14252306552")))
    code, out = simulate("message", "--account", account, "--from", "+15550100202")
    assert code == 0 and "reference_id: " in out
    conversation = conversation_of(api, account, "+15550100202")
    assert conversation is not None and len(conversation["messages"]) == 1

    api.telesign.on("POST", "/v1/messaging", telesign_data.message_accepted("C" * 32))
    reply_is_reported_delivered(api, simulate, account, conversation, "+15550100202")


def test_an_entra_guarded_acs_whatsapp_account_takes_the_local_tenants_tokens(api, simulate, acs_messages_api):
    account = guarded(api, acs_messages_api, "7d2e4f60-1a2b-4c3d-8e9f-0a1b2c3d4e5f")
    code, out = simulate("handshake", "--account", account)
    assert code == 0 and "validationResponse" in out
    code, out = simulate("handshake", "--account", account, "--cloudevents")
    assert code == 0 and "WebHook-Allowed-Origin: eventgrid.azure.net" in out
    code, out = simulate("message", "--account", account, "--from", "+14255550201", "--cloudevents")
    assert code == 0 and '"stored": 1' in out
    conversation = conversation_of(api, account, "+14255550201")
    assert conversation is not None and conversation["business"] == "7d2e4f60-1a2b-4c3d-8e9f-0a1b2c3d4e5f"

    reply_is_reported_delivered(api, simulate, account, conversation, "+14255550201")


def test_an_entra_guarded_account_refuses_other_keys_and_unsigned_tokens(api, simulate, acs_messages_api, tmp_path):
    account = guarded(api, acs_messages_api, "8e3f5a71-2b3c-4d4e-9f0a-1b2c3d4e5f60")
    # Another tenant's key: the simulator signs with the key of another state folder.
    code, out = simulate("message", "--account", account, "--from", "+14255550202",
                         SWITCHBOARD_LOCAL_DIR=str(tmp_path))
    assert code == 1 and "answer: 401" in out and "invalid_token" in out

    environ = {**api.env, "SWITCHBOARD_URL": api.host.base_url}
    delivery = acs.message(find(account, None, None, environ), Options(from_="+14255550202"))
    for authorization in (f"Bearer {acs_data.Entra.unsigned()}", None):
        headers = {k: v for k, v in delivery.headers.items() if k != "Authorization"}
        if authorization:
            headers["Authorization"] = authorization
        answer = requests.post(api.host.base_url + delivery.path, data=delivery.body, headers=headers, timeout=30)
        assert answer.status_code == 401, answer.text
    assert conversation_of(api, account, "+14255550202") is None


def test_an_acs_sms_and_its_delivery_report(api, simulate, acs_sms_api):
    account = create(api, acs_data.sms_account(acs_sms_api.base_url, number="18005550199"))
    code, out = simulate("message", "--account", account, "--from", "+14255550203", "--body", "Hi")
    assert code == 0 and "messageId: Incoming_" in out
    conversation = conversation_of(api, account, "+14255550203")
    assert conversation is not None and conversation["messages"][0]["body"] == "Hi"

    reply_is_reported_delivered(api, simulate, account, conversation, "+14255550203")


def test_an_event_for_a_channel_the_account_lacks_is_reported_as_not_taken(api, simulate, acs_sms_api):
    account = create(api, acs_data.sms_account(acs_sms_api.base_url, number="18005550198"))
    code, out = simulate("message", "--account", account, "--to", "+18005550197")
    assert code == 1 and "not taken" in out


def test_after_make_run_the_simulator_finds_its_storage_url_and_sealing_key(api, tmp_path, sealing_key):
    account = create(api, twilio_data.account_body(numbers=numbers("14252306553")))
    # What `make run` leaves: the development sealing key it gave the host, and its run record
    # (with the PUBLIC_BASE_URL it was started with, which the simulator's own settings lack).
    (tmp_path / "sealing.key").write_text(sealing_key)
    RunRecord(os.getpid(), api.host.base_url, api.env["AzureWebJobsStorage"], PUBLIC).write(tmp_path)
    environ = {"SWITCHBOARD_LOCAL_DIR": str(tmp_path), "AzureWebJobsStorage": "UseDevelopmentStorage=true",
               "SWITCHBOARD_TABLE_PREFIX": api.env["SWITCHBOARD_TABLE_PREFIX"]}
    assert main(["message", "--account", account, "--from", "+15550100204"], environ) == 0
    assert conversation_of(api, account, "+15550100204") is not None


def test_an_unknown_account_or_a_silent_host_says_what_to_do(api, simulate):
    code, out = simulate("message", "--account", "0" * 32)
    assert code == 2 and "no account" in out
    account = create(api, twilio_data.account_body(numbers=numbers("14252306554")))
    code, out = simulate("message", "--account", account, "--url", f"http://127.0.0.1:{free_port()}")
    assert code == 2 and "make run" in out
