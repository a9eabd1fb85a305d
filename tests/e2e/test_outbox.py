"""Sending once over HTTP through the local host: Idempotency-Key on replies, templates
and proactive messages, and the outbox queue's worker (the queue trigger the host runs on
Azurite's queue service) sending again what the provider could not take at first."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN, BUSINESS, account_body, fixture_form, message_created

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


@pytest.fixture(scope="module")
def conversation(api) -> str:
    account = api.call("POST", "/admin/accounts", account_body(name="Outbox")).json()
    api.call("POST", "/admin/workstreams", {"name": "Outbox", "account_id": account["id"], "number": BUSINESS,
                                            "distribution": {"mode": "pick"}})
    form = fixture_form("twilio_sms_inbound.txt", MessageSid="SM" + "0" * 32)
    assert api.webhook(f"/twilio/{account['id']}/inbound", form, AUTH_TOKEN).status_code == 200
    return api.call("GET", "/conversations").json()["conversations"][0]["id"]


def test_the_same_key_five_times_at_once_sends_once_and_answers_alike(api, conversation):
    def after_a_moment(_request):
        time.sleep(0.5)  # the copies find the first still running, and wait for its answer
        return message_created("SM" + "5" * 32)

    api.twilio.on("POST", MESSAGES, after_a_moment)
    before = len(api.twilio.calls("POST", MESSAGES))

    def reply():
        return api.call("POST", f"/conversations/{conversation}/messages", {"body": "Only once"},
                        headers={"Idempotency-Key": "reply-once"})

    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda _: reply(), range(5)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.text for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 4
    assert len(api.twilio.calls("POST", MESSAGES)) == before + 1
    other = api.call("POST", f"/conversations/{conversation}/messages", {"body": "Something else"},
                     headers={"Idempotency-Key": "reply-once"})
    assert other.status_code == 422 and other.json()["error"]["field"] == "Idempotency-Key"
    bad = api.call("POST", f"/conversations/{conversation}/messages", {"body": "x"}, headers={"Idempotency-Key": ""})
    assert bad.status_code == 422


def test_the_same_body_written_another_way_is_the_same_request(api, conversation):
    api.twilio.on("POST", MESSAGES, lambda _request: message_created("SM" + "7" * 32))
    before = len(api.twilio.calls("POST", MESSAGES))
    written = [b'{"body": "Caf\\u00e9 tomorrow", "agent": "alice"}', '{"agent":"alice","body":"Caf\u00e9 tomorrow"}'.encode(),
               b'{ "body" :\n "Caf\xc3\xa9 tomorrow" , "agent":"alice"}']  # key order, spacing, escapes
    answers = [api.call("POST", f"/conversations/{conversation}/messages", data=body,
                        headers={"Idempotency-Key": "written-twice", "Content-Type": "application/json"})
               for body in written]
    assert [a.status_code for a in answers] == [201, 201, 201] and len({a.text for a in answers}) == 1
    assert [a.headers.get("Idempotent-Replayed") for a in answers] == [None, "true", "true"]
    assert len(api.twilio.calls("POST", MESSAGES)) == before + 1


def test_a_request_its_input_refused_leaves_its_key_for_the_request_corrected(api, conversation):
    api.twilio.on("POST", MESSAGES, lambda _request: message_created("SM" + "8" * 32))
    before = len(api.twilio.calls("POST", MESSAGES))
    headers = {"Idempotency-Key": "corrected"}
    refused = api.call("POST", f"/conversations/{conversation}/messages", {"body": "x" * 1601}, headers=headers)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "body"
    sent = api.call("POST", f"/conversations/{conversation}/messages", {"body": "Shorter now"}, headers=headers)
    assert sent.status_code == 201 and "Idempotent-Replayed" not in sent.headers
    again = api.call("POST", f"/conversations/{conversation}/messages", {"body": "Shorter now"}, headers=headers)
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json()["id"] == sent.json()["id"]
    assert len(api.twilio.calls("POST", MESSAGES)) == before + 1


def test_a_request_still_running_under_its_key_answers_409(api, conversation):
    def slow(_request):
        time.sleep(5)  # longer than a copy waits (IDEMPOTENCY_WAIT_SECONDS, 2 s here)
        return message_created("SM" + "6" * 32)

    api.twilio.on("POST", MESSAGES, slow)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(api.call, "POST", f"/conversations/{conversation}/messages", {"body": "Slow"},
                            headers={"Idempotency-Key": "slow-one"})
        time.sleep(0.5)
        second = api.call("POST", f"/conversations/{conversation}/messages", {"body": "Slow"},
                          headers={"Idempotency-Key": "slow-one"})
        assert second.status_code == 409 and second.json()["error"]["code"] == "idempotency_request_in_flight"
        assert first.result().status_code == 201


def test_the_providers_500_answers_202_and_the_queue_sends_it(api, conversation):
    answers = iter([(500, {"code": 20500, "message": "Internal error"})])
    api.twilio.on("POST", MESSAGES, lambda _r: next(answers, message_created("SM" + "7" * 32)))
    accepted = api.call("POST", f"/conversations/{conversation}/messages", {"body": "Try again"})
    assert accepted.status_code == 202 and accepted.json()["status"] == "retrying"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = [m for m in api.call("GET", f"/conversations/{conversation}").json()["messages"]
                 if m["id"] == accepted.json()["id"]]
        if found[0]["status"] == "queued":
            break
        time.sleep(0.5)
    assert found[0]["provider_message_id"] == "SM" + "7" * 32 and found[0]["attempts"] == 1


def test_health_names_each_dependency(api):
    assert api.call("GET", "/health", key=False).json() == {"status": "ok",
                                                            "dependencies": {"tables": "ok", "queue": "ok"}}
