"""TeleSign SMS over HTTP: an admin registers a TeleSign account, signed MO callbacks
become a conversation, an agent's reply goes out through the Messaging API, delivery
reports move its status, keywords move consent, and validate asks TeleSign once."""

from __future__ import annotations

import base64

import pytest

from tests.support.telesign import (
    API_KEY, BUSINESS_E164, CUSTOMER, account_body, fixture_json, message_accepted, refused,
)

MESSAGING = "/v1/messaging"
PROBE = "/v1/messaging/" + "0" * 32


@pytest.fixture(scope="module")
def account(api):
    response = api.call("POST", "/admin/accounts", account_body())
    assert response.status_code == 201, response.text
    return response.json()


def mo(reference_id: str, customer: str = CUSTOMER, **user_response) -> dict:
    payload = fixture_json("telesign_mo_sms.json", phone_number=customer.lstrip("+"), **user_response)
    return {**payload, "reference_id": reference_id}


def report(reference_id: str, code: int, description: str, customer: str = CUSTOMER) -> dict:
    return {**fixture_json("telesign_delivery_report.json"), "reference_id": reference_id,
            "status": {"code": code, "description": description, "updated_on": "2026-11-23T09:06:00.000000Z"},
            "external_id": f"{BUSINESS_E164}|{customer}"}


def conversations_of(api, customer: str) -> list[dict]:
    return [c for c in api.call("GET", "/conversations").json()["conversations"] if c["customer"] == customer]


def test_account_answer_masks_the_key_and_gives_one_callback_url(api, account):
    assert account["credentials"]["api_key"] == "****" + API_KEY[-4:]
    assert API_KEY not in api.call("GET", f"/admin/accounts/{account['id']}").text
    url = f"{api.base}/telesign/{account['id']}/inbound"
    assert (account["callback"]["inbound_url"], account["callback"]["status_url"]) == (url, url)
    assert "TeleSign support" in account["callback"]["setup"]


@pytest.mark.parametrize("credentials,field", [
    ({"customer_id": "not-a-guid", "api_key": API_KEY}, "credentials.customer_id"),
    ({"customer_id": "FFFFFFFF-EEEE-DDDD-1234-AB1234567890", "api_key": "not base64!"}, "credentials.api_key"),
    ({"customer_id": "FFFFFFFF-EEEE-DDDD-1234-AB1234567890", "api_key": API_KEY, "apikey": API_KEY},
     "credentials.apikey"),
])
def test_malformed_credentials_are_refused_naming_the_field(api, credentials, field):
    body = account_body(credentials=credentials, numbers=[{"number": "12065550190", "type": "long_code"}])
    response = api.call("POST", "/admin/accounts", body)
    assert response.status_code == 422 and response.json()["error"]["field"] == field


def test_signed_mo_opens_a_conversation_once_and_the_reply_goes_out_through_telesign(api, account):
    aid = account["id"]
    first = api.telesign_callback(aid, mo("35E63E88CB000E049196AD1CFCFFB89C"))
    assert first.status_code == 200, first.text
    assert api.telesign_callback(aid, mo("35E63E88CB000E049196AD1CFCFFB89C")).status_code == 200  # a retry
    [conversation] = conversations_of(api, CUSTOMER)
    assert (conversation["provider"], conversation["business"]) == ("telesign", BUSINESS_E164)
    assert conversation["consent"] == {"state": "opted_in", "changed_at": None, "source": None}
    cid = conversation["id"]

    api.telesign.on("POST", MESSAGING, message_accepted("B56259E45884010488343BAA15FB0002"))
    reply = api.call("POST", f"/conversations/{cid}/messages", {"body": "Yes! How can we help?", "agent": "alice"})
    assert reply.status_code == 201, reply.text
    assert (reply.json()["provider_message_id"], reply.json()["status"]) == ("B56259E45884010488343BAA15FB0002",
                                                                             "queued")
    sent = api.telesign.calls("POST", MESSAGING)[-1]
    assert sent.form["phone_number"] == [CUSTOMER[1:]] and sent.form["sender_id"] == [BUSINESS_E164[1:]]
    assert sent.form["message"] == ["Yes! How can we help?"] and sent.form["message_type"] == ["ARN"]
    assert sent.headers["Authorization"].startswith("TSA ")

    delivered = report("B56259E45884010488343BAA15FB0002", 200, "Delivered to handset")
    assert api.telesign_callback(aid, delivered).status_code == 200
    late = report("B56259E45884010488343BAA15FB0002", 203, "Delivered to gateway")
    assert api.telesign_callback(aid, late).status_code == 200
    messages = api.call("GET", f"/conversations/{cid}").json()["messages"]
    assert [(m["direction"], m["body"], m["status"]) for m in messages] == [
        ("inbound", "Hello, is anyone there?", "received"), ("outbound", "Yes! How can we help?", "delivered")]


def test_wrong_or_missing_signature_is_401_and_stores_nothing(api, account):
    aid = account["id"]
    customer = "+12065550121"
    payload = mo("0123456789ABCDEF0123456789ABCDE1", customer)
    unsigned = api.telesign_callback(aid, payload, signed=False)
    assert unsigned.status_code == 401 and unsigned.json()["error"]["code"] == "invalid_signature"
    other_key = base64.b64encode(b"k" * 64).decode()
    assert api.telesign_callback(aid, payload, api_key=other_key).status_code == 401
    assert api.telesign_callback("unknown", payload).status_code == 404
    assert conversations_of(api, customer) == []


def test_reports_for_messages_we_never_sent_and_other_notifications_are_acknowledged(api, account):
    aid = account["id"]
    assert api.telesign_callback(aid, report("F" * 32, 200, "Delivered to handset", "+12065550122")).status_code == 200
    template = {"reference_id": "B" * 32, "name": "WAMarketingTemplate1", "channel": "whatsapp"}
    assert api.telesign_callback(aid, template).status_code == 200


def test_stop_action_opts_out_and_nothing_is_sent_until_start(api, account):
    aid = account["id"]
    customer = "+12065550123"
    assert api.telesign_callback(aid, mo("A" * 31 + "1", customer, mo_message="hi")).status_code == 200
    [conversation] = conversations_of(api, customer)
    cid = conversation["id"]
    stop = mo("A" * 31 + "2", customer, mo_message="Arret", action="stop", keyword="arret")
    assert api.telesign_callback(aid, stop).status_code == 200
    shown = api.call("GET", f"/conversations/{cid}").json()
    assert (shown["consent"]["state"], shown["consent"]["source"]) == ("opted_out", "provider_keyword")
    assert shown["messages"][-1]["keyword"] == "stop"

    before = len(api.telesign.requests)
    refused_reply = api.call("POST", f"/conversations/{cid}/messages", {"body": "Sorry to see you go"})
    assert refused_reply.status_code == 409 and refused_reply.json()["error"]["code"] == "recipient_opted_out"
    assert len(api.telesign.requests) == before

    start = mo("A" * 31 + "3", customer, mo_message="START", action="start", keyword="start")
    assert api.telesign_callback(aid, start).status_code == 200
    api.telesign.on("POST", MESSAGING, message_accepted("C" * 32))
    assert api.call("POST", f"/conversations/{cid}/messages", {"body": "Welcome back"}).status_code == 201
    assert len(api.telesign.requests) == before + 1


def test_validate_asks_telesign_once_and_tells_invalid_from_unreachable(api, account):
    path = f"/admin/accounts/{account['id']}/validate"
    api.telesign.on("GET", PROBE, (404, {"errors": [{"code": -10001, "description": "CustomerID/ReferenceID not found"}]}))
    before = len(api.telesign.requests)
    assert api.call("POST", path).json()["valid"] is True
    assert len(api.telesign.requests) == before + 1

    api.telesign.on("GET", PROBE, refused(401, -30006, "Invalid signature"))
    invalid = api.call("POST", path)
    assert invalid.status_code == 200 and invalid.json()["valid"] is False
    assert "-30006" in invalid.json()["detail"]

    def hang_up(_request):
        raise ConnectionResetError("the stand-in hangs up, as an unreachable provider would")

    api.telesign.on("GET", PROBE, hang_up)
    unreachable = api.call("POST", path)
    assert unreachable.status_code == 502, unreachable.text
    assert unreachable.json()["error"]["code"] == "provider_unreachable"
    assert "valid" not in unreachable.json()
    assert api.call("POST", "/admin/accounts/unknown/validate").status_code == 404
