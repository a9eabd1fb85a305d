"""The customer's messages marked read at the provider when the agent who holds the
conversation opens it, over HTTP through the local host: on ACS WhatsApp one read receipt per
opening that saw something new, naming the customer's latest message; none when nothing new
was seen, none when someone who does not hold it looks (an admin, a supervisor), none on SMS
or Twilio; a provider that fails leaves the opening as it is. ACS is Prism on Messages API
2025-09-01-preview behind a recorder, each call checked against that contract."""

from __future__ import annotations

from typing import Any

import pytest

from localhost.easyauth import object_id_of
from tests.e2e.test_acs import conversations_of, deliver
from tests.support.acs import CHANNEL_ID, events, sms_account, whatsapp_with_workstream
from tests.support.recorder import Recorded
from tests.support.twilio import AUTH_TOKEN, MESSAGES_PATH, WHATSAPP_BUSINESS, fixture_form, message_created, \
    whatsapp_account_body

READ = r"/messages/readreceipts:send"
FAILING = "wamid.fails-1"  # the message whose read receipt the stand-in answers with 500


@pytest.fixture(scope="module")
def whatsapp(api, acs_read_receipts_api) -> dict[str, Any]:
    [prism] = [handler for method, _, handler in acs_read_receipts_api.routes if method == "POST"]

    def read_receipt(request: Recorded):
        if request.json().get("messageId") == FAILING:
            return 500, {"error": {"code": "InternalError", "message": "try later"}}
        return prism(request)

    acs_read_receipts_api.on("POST", READ, read_receipt)
    account, workstream = whatsapp_with_workstream(api, acs_read_receipts_api.base_url)
    assert api.call("GET", "/me", as_=("Rae", "agent")).status_code == 200
    assert api.call("PATCH", f"/admin/agents/{object_id_of('Rae')}", {
        "queues": [{"workstream_id": workstream["id"], "queue": None}]}).status_code == 200
    return account


def writes(api, account: dict[str, Any], customer: str, message_id: str) -> str:
    payload = events("advanced_message_received_text.json", event_id=message_id, message_id=message_id,
                     **{"from": customer})
    assert deliver(api, account, payload).status_code == 200
    [conversation] = conversations_of(api, account, "+" + customer)
    return conversation["id"]


def held_by_rae(api, cid: str) -> None:
    assigned = api.call("POST", f"/conversations/{cid}/assign", {"agent_id": object_id_of("Rae")})
    assert assigned.status_code == 200, assigned.text


def opens(api, cid: str, who: tuple[str, ...] = ("Rae", "agent")) -> dict[str, Any]:
    answer = api.call("POST", f"/conversations/{cid}/seen", as_=who)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_one_read_receipt_per_opening_names_the_latest_message(api, whatsapp, acs_read_receipts_api):
    for n in (1, 2, 3):
        cid = writes(api, whatsapp, "14255550301", f"wamid.read-{n}")
    assert acs_read_receipts_api.calls("POST", READ) == []  # arriving marks nothing read
    opens(api, cid, ("alice", "admin", "supervisor"))  # looking on, not answering: the customer is told nothing
    held_by_rae(api, cid)
    assert acs_read_receipts_api.calls("POST", READ) == []
    assert opens(api, cid)["id"] == cid
    [call] = acs_read_receipts_api.calls("POST", READ)
    assert call.query["api-version"] == ["2025-09-01-preview"] and call.status == 202  # Prism took it
    assert call.json() == {"channelRegistrationId": CHANNEL_ID, "messageId": "wamid.read-3"}
    assert call.headers.get("Authorization", "").startswith("HMAC-SHA256")

    opens(api, cid)  # nothing new seen: no call
    assert len(acs_read_receipts_api.calls("POST", READ)) == 1
    writes(api, whatsapp, "14255550301", "wamid.read-4")
    opens(api, cid)
    assert [c.json()["messageId"] for c in acs_read_receipts_api.calls("POST", READ)] == [
        "wamid.read-3", "wamid.read-4"]


def test_a_failing_provider_leaves_the_opening_as_it_was(api, whatsapp, acs_read_receipts_api):
    cid = writes(api, whatsapp, "14255550302", FAILING)
    held_by_rae(api, cid)
    before = len(acs_read_receipts_api.calls("POST", READ))
    opened = opens(api, cid)
    assert opened["id"] == cid and "messages" not in opened
    [failed] = acs_read_receipts_api.calls("POST", READ)[before:]
    assert failed.json()["messageId"] == FAILING and failed.status == 500
    opens(api, cid)  # the opening was committed: it is not tried again
    assert len(acs_read_receipts_api.calls("POST", READ)) == before + 1


def test_sms_and_twilio_openings_call_no_provider(api, twilio_api, acs_read_receipts_api):
    sms = api.call("POST", "/admin/accounts", sms_account(acs_read_receipts_api.base_url, number="18005550196"))
    assert sms.status_code == 201, sms.text
    sms_desk = api.call("POST", "/admin/workstreams", {"name": "ACS SMS", "account_id": sms.json()["id"],
                                                       "number": "+18005550196"}).json()
    payload = events("sms_received.json", event_id="sms-read-1", message_id="Incoming_read_1", message="hi",
                     to="18005550196", **{"from": "14255550303"})
    assert deliver(api, sms.json(), payload).status_code == 200
    twilio_api.on("POST", MESSAGES_PATH, message_created("SM" + "8" * 32))
    whatsapp = api.call("POST", "/admin/accounts", whatsapp_account_body()).json()
    twilio_desk = api.call("POST", "/admin/workstreams", {"name": "Twilio WhatsApp", "account_id": whatsapp["id"],
                                                          "number": WHATSAPP_BUSINESS}).json()
    works = api.call("GET", f"/admin/agents/{object_id_of('Rae')}").json()["queues"]
    assert api.call("PATCH", f"/admin/agents/{object_id_of('Rae')}", {"queues": works + [
        {"workstream_id": w["id"], "queue": None} for w in (sms_desk, twilio_desk)]}).status_code == 200
    api.webhook(f"/twilio/{whatsapp['id']}/inbound", fixture_form("twilio_whatsapp_inbound.txt"), AUTH_TOKEN)
    [sms_conversation] = conversations_of(api, sms.json(), "+14255550303")
    [twilio_conversation] = [c for c in api.call("GET", "/conversations").json()["conversations"]
                             if c["account_id"] == whatsapp["id"]]
    acs_before, twilio_before = len(acs_read_receipts_api.requests), len(twilio_api.requests)
    for conversation in (sms_conversation, twilio_conversation):
        held_by_rae(api, conversation["id"])
        assert opens(api, conversation["id"])["id"] == conversation["id"]
    assert len(acs_read_receipts_api.requests) == acs_before and len(twilio_api.requests) == twilio_before
