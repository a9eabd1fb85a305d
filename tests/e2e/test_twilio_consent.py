"""Twilio over HTTP: opt-out keywords and OptOutType, error 21610 on a send, a multi-media
MMS, and credential validation — asserting what reached (and never reached) Twilio."""

from __future__ import annotations

import pytest

from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN, account_body, fixture_form, message_created

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
ACCOUNT = f"/2010-04-01/Accounts/{ACCOUNT_SID}.json"


@pytest.fixture(scope="module")
def account(api):
    response = api.call("POST", "/admin/accounts", account_body())
    assert response.status_code == 201, response.text
    return response.json()


def inbound(api, account, fixture: str, customer: str, sid: str, **fields: str) -> str:
    form = fixture_form(fixture, From=customer, MessageSid=sid, SmsMessageSid=sid, SmsSid=sid, **fields)
    assert api.webhook(f"/twilio/{account['id']}/inbound", form, AUTH_TOKEN).status_code == 200
    [conversation] = [c for c in api.call("GET", "/conversations").json()["conversations"]
                      if c["customer"] == customer and c["state"] != "closed"]
    return conversation["id"]


def reply(api, cid: str, body: str):
    return api.call("POST", f"/conversations/{cid}/messages", {"body": body, "agent": "alice"})


def test_opt_out_type_stop_blocks_replies_until_the_customer_starts_again(api, account):
    customer = "+12065550131"
    cid = inbound(api, account, "twilio_sms_optout_stop.txt", customer, "SM" + "a1" * 16)
    shown = api.call("GET", f"/conversations/{cid}").json()
    assert (shown["consent"]["state"], shown["consent"]["source"]) == ("opted_out", "provider_keyword")
    assert shown["consent"]["changed_at"] is not None
    assert [(m["body"], m["keyword"]) for m in shown["messages"]] == [("Stop", "stop")]

    before = len(api.twilio.requests)
    refused = reply(api, cid, "We are sorry to see you go")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "recipient_opted_out"
    assert len(api.twilio.requests) == before
    assert len(api.call("GET", f"/conversations/{cid}").json()["messages"]) == 1

    inbound(api, account, "twilio_sms_inbound.txt", customer, "SM" + "a2" * 16, Body=" help ")
    inbound(api, account, "twilio_sms_inbound.txt", customer, "SM" + "a3" * 16, Body="Start")
    shown = api.call("GET", f"/conversations/{cid}").json()
    assert (shown["consent"]["state"], shown["consent"]["source"]) == ("opted_in", "customer_keyword")
    assert [m["keyword"] for m in shown["messages"]] == ["stop", "help", "start"]
    api.twilio.on("POST", MESSAGES, message_created("SM" + "a4" * 16))
    assert reply(api, cid, "Welcome back").status_code == 201
    assert api.twilio.calls("POST", MESSAGES)[-1].form["To"] == [customer]


def test_error_21610_on_a_send_opts_the_customer_out(api, account):
    customer = "+12065550132"
    cid = inbound(api, account, "twilio_sms_inbound.txt", customer, "SM" + "b1" * 16)
    api.twilio.on("POST", MESSAGES, (400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient",
                                           "more_info": "https://www.twilio.com/docs/errors/21610", "status": 400}))
    refused = reply(api, cid, "hello?")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "recipient_opted_out"
    assert refused.json()["error"]["provider_code"] == "21610"
    shown = api.call("GET", f"/conversations/{cid}").json()
    assert (shown["consent"]["state"], shown["consent"]["source"]) == ("opted_out", "provider_error")
    assert (shown["messages"][-1]["status"], shown["messages"][-1]["error"]["code"]) == ("failed", "21610")
    sends = len(api.twilio.calls("POST", MESSAGES))
    assert reply(api, cid, "hello again?").status_code == 409
    assert len(api.twilio.calls("POST", MESSAGES)) == sends


def test_a_multi_media_mms_keeps_every_item(api, account):
    cid = inbound(api, account, "twilio_mms_inbound_two_media.txt", "+12065550133", "MM" + "c1" * 16)
    [message] = api.call("GET", f"/conversations/{cid}").json()["messages"]
    assert message["body"] == "Here are the photos"
    assert [m["content_type"] for m in message["media"]] == ["image/jpeg", "image/png"]
    assert message["media"][1]["url"].endswith("/Media/ME" + "2" * 32)


def test_validate_fetches_the_twilio_account_once(api, account):
    path = f"/admin/accounts/{account['id']}/validate"
    api.twilio.on("GET", ACCOUNT, (200, {"sid": ACCOUNT_SID, "status": "active", "friendly_name": "Contoso"}))
    before = len(api.twilio.calls("GET", ACCOUNT))
    valid = api.call("POST", path)
    assert valid.status_code == 200 and valid.json()["valid"] is True, valid.text
    assert len(api.twilio.calls("GET", ACCOUNT)) == before + 1
    api.twilio.on("GET", ACCOUNT, (401, {"code": 20003, "message": "Authenticate", "status": 401}))
    invalid = api.call("POST", path).json()
    assert invalid["valid"] is False and "20003" in invalid["detail"]
