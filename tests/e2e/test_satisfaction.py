"""In-channel satisfaction over HTTP: the local host on Azurite, Twilio's webhooks signed
as Twilio signs them and its API a recording stand-in. A workstream whose survey asks its
question in the channel keeps a customer's 1-5 answer as the closed conversation's csat
and thanks them once, however often the provider delivers it; anything else opens a new
conversation; a link survey behaves as it always did."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN, BUSINESS, account_body, fixture_form, message_created

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
QUESTION = {"enabled": True, "mode": "question", "text": "How did we do? Reply 1 to 5", "window_minutes": 60,
            "thanks": "Thank you, that helps us."}
LINK = {"enabled": True, "text": "Tell us how we did: {{link}}", "url": "https://survey.example.com/s/9"}


@pytest.fixture(scope="module")
def setup(api) -> tuple[dict[str, Any], dict[str, Any]]:
    counter = iter(range(1, 10_000))
    api.twilio.on("POST", MESSAGES, lambda _r: message_created(f"SM{next(counter):032d}"))
    account = api.call("POST", "/admin/accounts", account_body(name="Satisfaction")).json()
    created = api.call("POST", "/admin/workstreams", {"name": "Support", "channel": "sms", "number": BUSINESS,
                                                      "account_id": account["id"], "survey": QUESTION})
    assert created.status_code == 201, created.text
    return account, created.json()


def text_in(api, account, customer: str, sid: str, body: str) -> None:
    form = fixture_form("twilio_sms_inbound.txt", MessageSid=sid, SmsMessageSid=sid, SmsSid=sid, From=customer,
                        Body=body)
    assert api.webhook(f"/twilio/{account['id']}/inbound", form, AUTH_TOKEN).status_code == 200


def of(api, customer: str) -> list[dict[str, Any]]:
    """The customer's conversations, newest first, each read by id."""
    listed = api.call("GET", "/conversations").json()["conversations"]
    return [api.call("GET", f"/conversations/{c['id']}").json() for c in listed if c["customer"] == customer]


def closed_after_asking(api, account, customer: str, n: int) -> dict[str, Any]:
    """A conversation of ``customer``, closed by an agent: the survey question went out."""
    text_in(api, account, customer, f"SM{n:032d}", "where is my order?")
    [conversation] = of(api, customer)
    assert api.call("POST", f"/conversations/{conversation['id']}/close").status_code == 200
    assert sent_to(api, customer) == [QUESTION["text"]]
    return conversation


def sent_to(api, customer: str) -> list[str]:
    return [r.form["Body"][0] for r in api.twilio.calls("POST", MESSAGES) if r.form["To"] == [customer]]


def test_the_answer_is_kept_as_csat_and_thanked_once_without_a_new_conversation(api, setup):
    account, _ = setup
    conversation = closed_after_asking(api, account, "+12065550301", 1)
    assert conversation["csat"] is None
    text_in(api, account, "+12065550301", "SM" + "a" * 32, "4")
    [answered] = of(api, "+12065550301")
    assert (answered["id"], answered["state"], answered["csat"]) == (conversation["id"], "closed", 4)
    assert [(m["direction"], m["body"], m["automated"]) for m in answered["messages"]][-3:] == [
        ("outbound", QUESTION["text"], "survey"), ("inbound", "4", None),
        ("outbound", QUESTION["thanks"], "survey_thanks")]
    assert sent_to(api, "+12065550301") == [QUESTION["text"], QUESTION["thanks"]]


def test_the_same_answer_delivered_twice_is_kept_and_thanked_once(api, setup):
    account, _ = setup
    closed_after_asking(api, account, "+12065550302", 2)
    for _ in range(2):
        text_in(api, account, "+12065550302", "SM" + "b" * 32, "2")
    [answered] = of(api, "+12065550302")
    assert answered["csat"] == 2 and [m["body"] for m in answered["messages"]].count("2") == 1
    assert sent_to(api, "+12065550302") == [QUESTION["text"], QUESTION["thanks"]]


def test_words_open_a_new_conversation(api, setup):
    account, _ = setup
    conversation = closed_after_asking(api, account, "+12065550303", 3)
    text_in(api, account, "+12065550303", "SM" + "c" * 32, "great thanks")
    new, old = of(api, "+12065550303")
    assert (old["id"], old["csat"], new["state"], new["csat"]) == (conversation["id"], None, "open", None)
    assert [m["body"] for m in new["messages"]] == ["great thanks"]
    assert sent_to(api, "+12065550303") == [QUESTION["text"]]


def test_a_second_answer_opens_a_new_conversation(api, setup):
    account, _ = setup
    closed_after_asking(api, account, "+12065550304", 4)
    text_in(api, account, "+12065550304", "SM" + "d" * 32, "5")
    text_in(api, account, "+12065550304", "SM" + "e" * 32, "1")
    new, old = of(api, "+12065550304")
    assert (old["csat"], new["state"], [m["body"] for m in new["messages"]]) == (5, "open", ["1"])
    assert sent_to(api, "+12065550304") == [QUESTION["text"], QUESTION["thanks"]]


def test_a_link_survey_is_as_it_was(api, setup):
    account, workstream = setup
    patched = api.call("PATCH", f"/admin/workstreams/{workstream['id']}", {"survey": LINK})
    assert patched.status_code == 200, patched.text
    assert patched.json()["survey"] == {**LINK, "mode": "link", "window_minutes": 1440,
                                        "thanks": "Thank you for your answer."}
    try:
        text_in(api, account, "+12065550305", f"SM{5:032d}", "where is my order?")
        [conversation] = of(api, "+12065550305")
        assert api.call("POST", f"/conversations/{conversation['id']}/close").status_code == 200
        text_in(api, account, "+12065550305", "SM" + "f" * 32, "4")
        new, old = of(api, "+12065550305")
        assert (old["id"], old["csat"], new["state"]) == (conversation["id"], None, "open")
        assert sent_to(api, "+12065550305") == ["Tell us how we did: https://survey.example.com/s/9"]
    finally:
        assert api.call("PATCH", f"/admin/workstreams/{workstream['id']}", {"survey": QUESTION}).status_code == 200


@pytest.mark.parametrize("survey, field", [
    ({**QUESTION, "mode": "poll"}, "survey.mode"),
    ({**QUESTION, "window_minutes": 0}, "survey.window_minutes"),
    ({**QUESTION, "window_minutes": 10081}, "survey.window_minutes"),
    ({**QUESTION, "window_minutes": "60"}, "survey.window_minutes"),
    ({**QUESTION, "thanks": ""}, "survey.thanks"),
    ({**QUESTION, "thanks": "x" * 1601}, "survey.thanks"),
    ({**QUESTION, "text": ""}, "survey.text"),
    ({**LINK, "text": "no link here"}, "survey.text"),
    ({**LINK, "url": ""}, "survey.url"),
])
def test_wrong_survey_settings_answer_422_naming_the_field(api, setup, survey, field):
    _, workstream = setup
    refused = api.call("PATCH", f"/admin/workstreams/{workstream['id']}", {"survey": survey})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == field
    assert api.call("GET", f"/admin/workstreams/{workstream['id']}").json()["survey"] == {**QUESTION, "url": ""}
