"""The foundation's promise over HTTP: an admin registers a Twilio account, a signed
webhook becomes a conversation, and an agent accepts, answers and closes it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
import time

import pytest

from functions.settings import Settings
from functions.wiring import build
from tests.conftest import FakeClock
from tests.support.twilio import (
    ACCOUNT_SID, AUTH_TOKEN, BUSINESS_E164, CUSTOMER, account_body, fixture_form, inbound, message_created,
)

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


@pytest.fixture(scope="module")
def account(api):
    response = api.call("POST", "/admin/accounts", account_body())
    assert response.status_code == 201, response.text
    return response.json()


def test_health_is_open_and_ok(api):
    response = api.call("GET", "/health", key=False)
    assert response.status_code == 200 and response.json() == {"status": "ok",
                                                               "dependencies": {"tables": "ok", "queue": "ok"}}


def test_admin_api_needs_the_function_key(api):
    response = api.call("GET", "/admin/accounts", key=False)
    assert response.status_code == 401


def test_account_answer_masks_the_token_and_gives_callback_urls(api, account):
    assert account["credentials"] == {"account_sid": ACCOUNT_SID, "auth_token": "****" + AUTH_TOKEN[-4:]}
    assert AUTH_TOKEN not in api.call("GET", f"/admin/accounts/{account['id']}").text
    assert account["numbers"] == [{"number": BUSINESS_E164, "type": "long_code", "description": "Support line"}]
    callback = account["callback"]
    assert (callback["inbound_url"], callback["status_url"]) == (
        f"{api.base}/twilio/{account['id']}/inbound", f"{api.base}/twilio/{account['id']}/status")
    assert "A message comes in" in callback["setup"]


def test_a_misspelt_credential_is_refused_and_the_token_kept(api, account):
    """A token rotation with a field name Twilio accounts do not have: 422 naming it, not
    a 200 that dropped it and kept the old token."""
    response = api.call("PATCH", f"/admin/accounts/{account['id']}", {"credentials": {"auth_tokn": "f" * 32}})
    assert response.status_code == 422 and response.json()["error"]["field"] == "credentials.auth_tokn"
    stored = api.call("GET", f"/admin/accounts/{account['id']}").json()["credentials"]
    assert stored == {"account_sid": ACCOUNT_SID, "auth_token": "****" + AUTH_TOKEN[-4:]}


@pytest.mark.parametrize("number", ["++14252306549", "425-230-65", "+1 425 230 6549 ext", "1999", "19995550100"])
def test_a_wrong_number_is_refused_naming_the_field(api, number):
    body = account_body(numbers=[{"number": number, "type": "long_code"}])
    response = api.call("POST", "/admin/accounts", body)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "numbers[0].number"


def test_a_number_belongs_to_one_account_only(api, account):
    response = api.call("POST", "/admin/accounts", account_body(name="Copy"))
    assert response.status_code == 409
    assert "error" in response.json()


def test_bad_json_and_unknown_ids_are_clear_errors(api):
    response = api.call("POST", "/admin/accounts", data=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_request"
    assert api.call("GET", "/admin/accounts/nope").status_code == 404
    assert api.call("GET", "/admin/accounts/a%5Cb").status_code == 404
    assert api.call("GET", "/conversations/nope").status_code == 404
    deep = api.call("POST", "/admin/accounts", data=b"[" * 100_000, headers={"Content-Type": "application/json"})
    assert deep.status_code == 400 and deep.json()["error"]["code"] == "bad_request"
    odd_limit = api.call("GET", "/conversations", params={"limit": "\u00b2"})
    assert odd_limit.status_code == 422 and odd_limit.json()["error"]["field"] == "limit"
    odd_phone = api.call("GET", "/admin/contacts", params={"mobile_phone": "+1/2"})
    assert odd_phone.status_code == 422 and odd_phone.json()["error"]["field"] == "mobile_phone"


def test_workstream_rules(api, account):
    body = {"name": "Support", "channel": "sms", "account_id": account["id"], "number": BUSINESS_E164[1:],
            "auto_close_after_minutes": 0}
    too_short = api.call("POST", "/admin/workstreams", body)
    assert too_short.status_code == 422 and too_short.json()["error"]["field"] == "auto_close_after_minutes"
    created = api.call("POST", "/admin/workstreams", {**body, "auto_close_after_minutes": 30})
    assert created.status_code == 201, created.text
    second = api.call("POST", "/admin/workstreams", {**body, "name": "Other", "auto_close_after_minutes": 30})
    assert second.status_code == 409
    wid = created.json()["id"]
    patched = api.call("PATCH", f"/admin/workstreams/{wid}", {"auto_close_after_minutes": 45})
    assert patched.status_code == 200 and patched.json()["auto_close_after_minutes"] == 45
    renamed = api.call("PATCH", f"/admin/workstreams/{wid}", {"name": "Support"})
    assert renamed.json()["auto_close_after_minutes"] == 45  # left out: kept
    reset = api.call("PATCH", f"/admin/workstreams/{wid}", {"auto_close_after_minutes": None})
    assert reset.json()["auto_close_after_minutes"] == 480  # null: the default again
    assert api.call("PATCH", f"/admin/workstreams/{wid}", {"auto_close_after_minutes": 45}).ok
    in_use = api.call("DELETE", f"/admin/accounts/{account['id']}")
    assert in_use.status_code == 409  # named as the admin pages show them
    assert f"used by workstream Support ({wid})" in in_use.json()["error"]["message"]
    other_number = api.call("PATCH", f"/admin/accounts/{account['id']}",
                            {"numbers": [{"number": "+14252309998", "type": "long_code"}]})
    assert other_number.status_code == 409  # its number is the workstream's: named as the admin pages show it
    assert f"used by workstream Support ({wid})" in other_number.json()["error"]["message"]
    form = fixture_form("twilio_sms_inbound.txt", MessageSid="SM" + "9" * 32, From="+12065550999")
    assert api.webhook(f"/twilio/{account['id']}/inbound", form, AUTH_TOKEN).status_code == 200
    [live] = [c for c in api.call("GET", "/conversations").json()["conversations"] if c["customer"] == "+12065550999"]
    in_use = api.call("DELETE", f"/admin/workstreams/{wid}")  # it would be left answering to nothing
    assert in_use.status_code == 409 and in_use.json()["error"]["code"] == "workstream_in_use"
    assert live["id"] in in_use.json()["error"]["message"]
    assert api.call("POST", f"/conversations/{live['id']}/close").status_code == 200
    assert api.call("DELETE", f"/admin/workstreams/{wid}").status_code == 204
    assert api.call("GET", f"/admin/workstreams/{wid}").status_code == 404


def test_signed_sms_becomes_a_conversation_that_an_agent_answers_and_closes(api, account):
    aid = account["id"]
    form = fixture_form("twilio_sms_inbound.txt", MessageSid="SM" + "1" * 32)
    answer = api.webhook(f"/twilio/{aid}/inbound", form, AUTH_TOKEN)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/xml") and "<Response/>" in answer.text

    listed = api.call("GET", "/conversations", params={"state": "open"}).json()["conversations"]
    [conversation] = [c for c in listed if c["account_id"] == aid and c["customer"] == CUSTOMER]
    assert conversation["business"] == BUSINESS_E164 and conversation["channel"] == "sms"
    cid = conversation["id"]

    accepted = api.call("POST", f"/conversations/{cid}/accept", {"agent": "alice"})
    assert accepted.status_code == 200 and accepted.json()["state"] == "active"

    api.twilio.on("POST", MESSAGES, message_created("SM" + "2" * 32))
    reply = api.call("POST", f"/conversations/{cid}/messages", {"body": "Ahoy! How can we help?", "agent": "alice"})
    assert reply.status_code == 201, reply.text
    assert reply.json()["provider_message_id"] == "SM" + "2" * 32
    sent = api.twilio.calls("POST", MESSAGES)[-1]
    assert sent.form["To"] == [CUSTOMER] and sent.form["From"] == [BUSINESS_E164]
    assert sent.form["Body"] == ["Ahoy! How can we help?"]
    assert sent.form["StatusCallback"] == [f"{api.base}/twilio/{aid}/status?m={reply.json()['id']}"]

    delivered = fixture_form("twilio_status_delivered.txt", MessageSid="SM" + "2" * 32)
    assert api.webhook(f"/twilio/{aid}/status", delivered, AUTH_TOKEN).status_code == 204
    late = dict(delivered, MessageStatus="sent", SmsStatus="sent")
    assert api.webhook(f"/twilio/{aid}/status", late, AUTH_TOKEN).status_code == 204

    assert api.call("POST", f"/conversations/{cid}/wait").json()["state"] == "waiting"
    closed = api.call("POST", f"/conversations/{cid}/close")
    assert closed.status_code == 200 and closed.json()["closed_reason"] == "agent"

    full = api.call("GET", f"/conversations/{cid}").json()
    assert [(m["direction"], m["body"], m["status"]) for m in full["messages"]] == [
        ("inbound", "Ahoy", "received"), ("outbound", "Ahoy! How can we help?", "delivered")]
    after = api.call("POST", f"/conversations/{cid}/messages", {"body": "still there?"})
    assert after.status_code == 409 and after.json()["error"]["code"] == "conversation_closed"


def test_reply_rules_are_checked_before_anything_is_sent(api, account):
    form = fixture_form("twilio_sms_inbound.txt", MessageSid="SM" + "3" * 32, From="+12065550111")
    assert api.webhook(f"/twilio/{account['id']}/inbound", form, AUTH_TOKEN).status_code == 200
    cid = _conversation_of(api, "+12065550111")
    before = len(api.twilio.requests)
    too_long = api.call("POST", f"/conversations/{cid}/messages", {"body": "x" * 1601})
    assert too_long.status_code == 422 and too_long.json()["error"]["field"] == "body"
    assert len(api.twilio.requests) == before


def test_provider_error_answers_502_with_the_providers_code(api, account):
    form = fixture_form("twilio_sms_inbound.txt", MessageSid="SM" + "4" * 32, From="+12065550112")
    api.webhook(f"/twilio/{account['id']}/inbound", form, AUTH_TOKEN)
    cid = _conversation_of(api, "+12065550112")
    api.twilio.on("POST", MESSAGES, (400, {"code": 21211, "message": "The 'To' number is not valid.", "status": 400}))
    failed = api.call("POST", f"/conversations/{cid}/messages", {"body": "hello"})
    assert failed.status_code == 502
    assert failed.json()["error"]["provider_code"] == "21211"
    assert api.call("GET", f"/conversations/{cid}").json()["messages"][-1]["status"] == "failed"


def test_unsigned_or_misdirected_webhooks_store_nothing(api, account):
    aid = account["id"]
    form = fixture_form("twilio_sms_inbound.txt", MessageSid="SM" + "5" * 32, From="+12065550113")
    assert api.webhook(f"/twilio/{aid}/inbound", form, AUTH_TOKEN, signed=False).status_code == 403
    assert api.webhook(f"/twilio/{aid}/inbound", form, "wrong" * 8).status_code == 403
    assert api.webhook("/twilio/unknown/inbound", form, AUTH_TOKEN).status_code == 404
    elsewhere = dict(form, To="+12065550199")
    assert api.webhook(f"/twilio/{aid}/inbound", elsewhere, AUTH_TOKEN).status_code == 404
    assert _conversations_of(api, "+12065550113") == []


def test_concurrent_webhooks_make_one_conversation_and_retries_one_message(api, account):
    aid = account["id"]
    customer = "+12065550114"
    forms = [fixture_form("twilio_sms_inbound.txt", MessageSid=f"SMc{i:031d}", From=customer, Body=f"part {i}")
             for i in range(20)]
    retry = fixture_form("twilio_sms_inbound.txt", MessageSid="SM" + "6" * 32, From=customer, Body="once")
    with ThreadPoolExecutor(25) as pool:
        answers = list(pool.map(lambda f: api.webhook(f"/twilio/{aid}/inbound", f, AUTH_TOKEN), forms + [retry] * 5))
    assert [a.status_code for a in answers] == [200] * 25
    [conversation] = _conversations_of(api, customer)
    bodies = sorted(m["body"] for m in api.call("GET", f"/conversations/{conversation['id']}").json()["messages"])
    assert bodies == sorted([f"part {i}" for i in range(20)] + ["once"])


def test_the_timer_closes_idle_conversations(api, account):
    # A conversation whose last message is nine hours old (past the 480-minute default), written through the engine with
    # a clock set back; the host's timer (every 2 s here) must close it for inactivity.
    past = FakeClock(datetime.now(timezone.utc) - timedelta(hours=9))
    services = build(Settings.from_env(api.env), clock=past)
    stored = services.stores.accounts.get(account["id"])
    cid = services.messaging.ingest.message(stored, inbound(account["id"], "SM" + "7" * 32, customer="+12065550115")).conversation_id
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        conversation = api.call("GET", f"/conversations/{cid}").json()
        if conversation["state"] == "closed":
            break
        time.sleep(0.5)
    assert conversation["state"] == "closed" and conversation["closed_reason"] == "inactivity"


def _conversations_of(api, customer: str) -> list[dict]:
    listed = api.call("GET", "/conversations").json()["conversations"]
    return [c for c in listed if c["customer"] == customer]


def _conversation_of(api, customer: str) -> str:
    [conversation] = _conversations_of(api, customer)
    return conversation["id"]
