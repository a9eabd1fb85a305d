"""A workstream's bot over HTTP through the local host: SMS customers talk to a stand-in
Direct Line bot (tests/support/directline.py) through the stand-in Twilio; the bot's
handoff, its silence, or a keyword puts the conversation in the queue, where an agent is
offered it and answers; a duplicate webhook is relayed once; a reply over 1600 characters
goes out in parts; a supervisor takes a conversation over from the bot; a customer's file
reaches the bot at a signed Switchboard link."""

from __future__ import annotations

import itertools
import time
from typing import Any, Callable, Iterator

import pytest
import requests

from localhost.easyauth import object_id_of
from tests.support import identity
from tests.support.directline import LONG_ANSWER, SECRET, StandInBot
from tests.support.recorder import recording
from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN, BUSINESS, account_body, fixture_form, message_created

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
PEOPLE = {"ana": ("agent",), "sue": ("supervisor", "agent"), "sid": ("supervisor",)}


@pytest.fixture(scope="module")
def bot() -> Iterator[StandInBot]:
    with recording() as recorder:
        yield StandInBot(recorder)


@pytest.fixture(scope="module")
def extra_env(bot) -> dict[str, str]:
    return {"DIRECTLINE_BASE_URL": bot.recorder.base_url, "DISTRIBUTION_SCHEDULE": "*/1 * * * * *"}


def as_(api, who: str, method: str, path: str, body: Any = None) -> requests.Response:
    return api.call(method, path, body, headers=identity.bearer(api.env, who, PEOPLE[who]), key=False)


@pytest.fixture(scope="module")
def world(api) -> dict[str, Any]:
    sids = itertools.count(1)
    api.twilio.on("POST", MESSAGES, lambda _r: message_created(f"SM{next(sids):032d}"))
    account = api.call("POST", "/admin/accounts", account_body(name="Bots")).json()
    workstream = api.call("POST", "/admin/workstreams", {
        "name": "Bots", "account_id": account["id"], "number": BUSINESS, "queues": ["general"],
        "default_queue": "general", "distribution": {"mode": "push", "offer_timeout_seconds": 60},
        "bot": {"secret": SECRET, "name": "Stand-in", "greeting_event": "welcome", "answer_timeout_seconds": 10,
                "context": {"customer_number": "masked", "contact_fields": ["tier"]}}})
    assert workstream.status_code == 201, workstream.text
    queues = [{"workstream_id": workstream.json()["id"], "queue": "general"}]
    for name in PEOPLE:
        assert as_(api, name, "GET", "/me").status_code == 200
    api.call("PATCH", f"/admin/agents/{object_id_of('ana')}", {"queues": queues, "capacity": {"sms": 20}})
    for supervisor in ("sue", "sid"):
        api.call("PATCH", f"/admin/agents/{object_id_of(supervisor)}", {"supervises": [workstream.json()["id"]]})
    assert as_(api, "ana", "PUT", "/me/presence", {"presence": "available"}).status_code == 200
    return {"account": account["id"], "workstream": workstream.json()["id"], "sids": itertools.count(1)}


def writes(api, world: dict[str, Any], customer: str, body: str, sid: str | None = None, **extra: str) -> str:
    sid = sid or f"SM{next(world['sids']):030d}bt"
    form = fixture_form("twilio_sms_inbound.txt", MessageSid=sid, From=customer, Body=body, **extra)
    assert api.webhook(f"/twilio/{world['account']}/inbound", form, AUTH_TOKEN).status_code == 200
    return sid


def texts_to(api, customer: str) -> list[str]:
    return [r.form["Body"][0] for r in api.twilio.calls("POST", MESSAGES) if r.form.get("To") == [customer]]


def conversation_of(api, customer: str) -> dict[str, Any]:
    listed = api.call("GET", "/conversations").json()["conversations"]
    [found] = [c for c in listed if c["customer"] == customer and c["state"] != "closed"]
    return api.call("GET", f"/conversations/{found['id']}").json()


def eventually(check: Callable[[], Any], seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


def test_bot_settings_are_checked_with_one_direct_line_call(api, bot, world):
    calls = len(bot.recorder.calls("POST", "/v3/directline/tokens/generate"))
    refused = api.call("PATCH", f"/admin/workstreams/{world['workstream']}", {"bot": {"secret": "wrong-secret"}})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "bot.secret"
    assert len(bot.recorder.calls("POST", "/v3/directline/tokens/generate")) == calls + 1
    bad = api.call("PATCH", f"/admin/workstreams/{world['workstream']}", {"bot": {"answer_timeout_seconds": 1}})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "bot.answer_timeout_seconds"
    shown = api.call("GET", f"/admin/workstreams/{world['workstream']}").json()["bot"]
    assert shown["secret"] == "****" + SECRET[-4:] and shown["handoff_keywords"] == ["agent", "human"]
    assert SECRET not in api.call("GET", "/admin/workstreams").text


def test_the_bot_answers_then_hands_off_to_an_agent_who_answers(api, bot, world):
    customer = "+12065550701"
    writes(api, world, customer, "Where is my order?")
    assert eventually(lambda: texts_to(api, customer) == ["Hello! I am the stand-in bot. How can I help?",
                                                          "What is your order number?"])
    talking = conversation_of(api, customer)
    assert talking["stage"] == "bot" and talking["offer"] is None and talking["agent"] is None
    [greeting] = [a for a in bot.posted("event") if a["value"]["conversation_id"] == talking["id"]]
    assert greeting["name"] == "welcome" and greeting["value"]["customer_number"] == "+12*******01"
    assert customer not in str(bot.posted())
    [first] = [a for a in bot.posted() if a["channelData"]["switchboard"]["conversation_id"] == talking["id"]]
    assert first["channelData"]["switchboard"]["context"] == greeting["value"] and first["from"]["name"] == "customer"
    bots = [m for m in talking["messages"] if m["from_bot"]]
    assert [m["status"] for m in bots] == ["queued", "queued"]
    writes(api, world, customer, "agent please")
    handed = eventually(lambda: (c := conversation_of(api, customer))["offer"] and c)
    assert handed["stage"] is None and handed["offer"]["agent"]["name"] == "ana"
    assert handed["handoff"]["reason"] == "bot" and handed["handoff"]["summary"] == "Customer asked about a late order"
    assert handed["handoff"]["context"] == {"intent": "order_status"}
    assert [t["from"] for t in handed["handoff"]["transcript"]] == ["customer", "bot"]
    assert handed["history"][-2]["action"] == "handed_off" and handed["history"][-2]["detail"] == "bot"
    assert as_(api, "ana", "POST", f"/conversations/{handed['id']}/accept").status_code == 200
    relayed = len(bot.posted())
    writes(api, world, customer, "My order is 1234")
    assert as_(api, "ana", "POST", f"/conversations/{handed['id']}/messages", {"body": "On its way!"}).status_code == 201
    assert texts_to(api, customer)[-1] == "On its way!" and len(bot.posted()) == relayed


def test_a_duplicate_webhook_is_relayed_once(api, bot, world):
    customer = "+12065550702"
    sid = writes(api, world, customer, "Hi there")
    writes(api, world, customer, "Hi there", sid=sid)
    assert [a["text"] for a in bot.posted() if a["text"] == "Hi there"] == ["Hi there"]
    assert texts_to(api, customer).count("You said: Hi there") == 1


def test_a_silent_bot_hands_off_after_its_timeout(api, bot, world):
    customer = "+12065550703"
    writes(api, world, customer, "silent please")
    assert conversation_of(api, customer)["stage"] == "bot"
    handed = eventually(lambda: (c := conversation_of(api, customer))["stage"] is None and c, seconds=30)
    assert handed["handoff"]["reason"] == "timeout"
    assert eventually(lambda: conversation_of(api, customer)["offer"])


def test_a_reply_over_1600_characters_goes_out_in_parts_on_sms(api, world):
    customer = "+12065550704"
    writes(api, world, customer, "the long story")
    parts = eventually(lambda: texts_to(api, customer)[1:])
    assert len(parts) == 2 and all(len(p) <= 1600 for p in parts)
    assert " ".join(parts).split() == LONG_ANSWER.split()


def test_a_keyword_hands_off_without_asking_the_bot(api, bot, world):
    customer = "+12065550705"
    writes(api, world, customer, "Hello")
    relayed = len(bot.posted())
    writes(api, world, customer, "Human!")
    handed = conversation_of(api, customer)
    assert handed["stage"] is None and handed["handoff"]["reason"] == "keyword" and len(bot.posted()) == relayed


def test_a_first_message_that_is_a_keyword_goes_to_an_agent_without_asking_the_bot(api, bot, world):
    relayed = len(bot.posted())
    writes(api, world, "+12065550708", "Agent!")
    handed = conversation_of(api, "+12065550708")
    assert handed["stage"] is None and handed["handoff"]["reason"] == "keyword" and len(bot.posted()) == relayed
    assert [e["action"] for e in handed["history"]][-2:] == ["handed_off", "offered"]  # to an agent at once


def test_a_supervisor_takes_a_conversation_over_from_the_bot(api, world):
    customer = "+12065550706"
    writes(api, world, customer, "Hello")
    talking = conversation_of(api, customer)
    assert as_(api, "ana", "POST", f"/conversations/{talking['id']}/take-over").status_code == 403
    unable = as_(api, "sid", "POST", f"/conversations/{talking['id']}/take-over")  # could not answer it
    assert unable.status_code == 403 and "assign it to an agent instead" in unable.json()["error"]["message"]
    refused = as_(api, "ana", "POST", f"/conversations/{talking['id']}/accept")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "with_bot"
    taken = as_(api, "sue", "POST", f"/conversations/{talking['id']}/take-over")
    assert taken.status_code == 200, taken.text
    assert taken.json()["agent"]["name"] == "sue" and taken.json()["handoff"]["reason"] == "supervisor"
    again = as_(api, "sue", "POST", f"/conversations/{talking['id']}/take-over")  # a double click
    assert again.status_code == 200 and again.json()["agent"]["name"] == "sue"
    history = as_(api, "sue", "GET", f"/conversations/{talking['id']}").json()["history"]
    assert [e["action"] for e in history].count("handed_off") == 1
    not_hers = api.call("POST", f"/conversations/{talking['id']}/take-over")  # an admin: sue holds it
    assert not_hers.status_code == 409 and not_hers.json()["error"]["code"] == "not_with_bot"


def test_a_customers_attachment_reaches_the_bot_at_a_signed_switchboard_link(api, bot, world):
    media = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM{'e' * 32}/Media/ME{'3' * 32}"
    api.twilio.on("GET", media, (200, b"\x89PNG picture", {"Content-Type": "image/png"}))
    api.call("PATCH", f"/admin/workstreams/{world['workstream']}", {"attachments": {"customers_can_send": True}})
    try:
        writes(api, world, "+12065550707", "My receipt", NumMedia="1", MediaContentType0="image/png",
               MediaUrl0=f"https://api.twilio.com{media}")
    finally:
        api.call("PATCH", f"/admin/workstreams/{world['workstream']}", {"attachments": {"customers_can_send": False}})
    [activity] = [a for a in bot.posted() if a["text"] == "My receipt"]
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == "image/png" and attachment["contentUrl"].startswith(api.base + "/bots/media/")
    fetched = requests.get(attachment["contentUrl"], timeout=30)
    assert fetched.status_code == 200 and fetched.content == b"\x89PNG picture"
    for forged in ("sig=0", "sig=%C3%A9"):  # anyone may ask: a signature in any characters is just wrong
        tampered = requests.get(attachment["contentUrl"].replace("sig=", forged), timeout=30)
        assert tampered.status_code == 404 and tampered.json()["error"]["code"] == "media_link_invalid"
