"""Workstream settings over HTTP, each shown by its effect: greeting, out-of-hours (a
closed week and a holiday), attachments both ways, the survey once, and proactive
messages with a mixed batch of recipients."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from tests.support.acs import CHANNEL_ID, whatsapp_account
from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN, BUSINESS, account_body, fixture_form, message_created

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ALWAYS_OPEN = [{"day": d, "open": "00:00", "close": "24:00"} for d in DAYS]
WORKSTREAM = {
    "name": "Support", "channel": "sms", "number": BUSINESS, "language": "en-US",
    "allow_automated_messages": True,
    "automated_messages": {"greeting": {"text": "Hi! An agent will be with you shortly."},
                           "out_of_hours": {"text": "We are closed; we will answer when we open."},
                           "closing": {"text": "Thanks for contacting us."}},
    "survey": {"enabled": True, "text": "Tell us how we did: {{link}}", "url": "https://survey.example.com/s/9"},
    "operating_hours": {"time_zone": "UTC", "weekly": ALWAYS_OPEN, "closures": []},
}


@pytest.fixture(scope="module")
def setup(api) -> tuple[dict[str, Any], dict[str, Any]]:
    counter = iter(range(1, 10_000))
    api.twilio.on("POST", MESSAGES, lambda _r: message_created(f"SM{next(counter):032d}"))
    account = api.call("POST", "/admin/accounts", account_body(name="Settings")).json()
    created = api.call("POST", "/admin/workstreams", {**WORKSTREAM, "account_id": account["id"]})
    assert created.status_code == 201, created.text
    return account, created.json()


def text_in(api, account, customer: str, sid: str, body: str = "hello", **extra: str) -> dict:
    form = fixture_form("twilio_sms_inbound.txt", MessageSid=sid, From=customer, Body=body, **extra)
    assert api.webhook(f"/twilio/{account['id']}/inbound", form, AUTH_TOKEN).status_code == 200
    [conversation] = [c for c in api.call("GET", "/conversations").json()["conversations"]
                      if c["customer"] == customer and c["account_id"] == account["id"] and c["state"] != "closed"]
    return api.call("GET", f"/conversations/{conversation['id']}").json()


def sent_to(api, customer: str) -> list[str]:
    return [r.form["Body"][0] for r in api.twilio.calls("POST", MESSAGES) if r.form["To"] == [customer]]


def patch(api, workstream, body: dict) -> dict:
    response = api.call("PATCH", f"/admin/workstreams/{workstream['id']}", body)
    assert response.status_code == 200, response.text
    return response.json()


def test_settings_are_answered_as_given_and_wrong_ones_named(api, setup):
    _, workstream = setup
    assert workstream["automated_messages"] == WORKSTREAM["automated_messages"]
    assert workstream["attachments"] == {"customers_can_send": False, "agents_can_send": False}
    assert workstream["operating_hours"]["time_zone"] == "UTC" and workstream["language"] == "en-US"
    wrong = api.call("PATCH", f"/admin/workstreams/{workstream['id']}", {"operating_hours": {"time_zone": "Nowhere"}})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "operating_hours.time_zone"


def test_greeting_once_while_open(api, setup):
    account, _ = setup
    text_in(api, account, "+12065550180", "SM" + "0" * 31 + "1")
    conversation = text_in(api, account, "+12065550180", "SM" + "0" * 31 + "2")
    assert sent_to(api, "+12065550180") == ["Hi! An agent will be with you shortly."]
    assert [m["automated"] for m in conversation["messages"]] == [None, "greeting", None]


def test_out_of_hours_when_closed_all_week_and_on_a_holiday(api, setup):
    account, workstream = setup
    patch(api, workstream, {"operating_hours": {"time_zone": "UTC", "weekly": []}})
    text_in(api, account, "+12065550181", "SM" + "0" * 31 + "3")
    text_in(api, account, "+12065550181", "SM" + "0" * 31 + "4")
    assert sent_to(api, "+12065550181") == ["Hi! An agent will be with you shortly.",
                                           "We are closed; we will answer when we open."]
    today = datetime.now(timezone.utc).date().isoformat()
    patch(api, workstream, {"operating_hours": {"time_zone": "UTC", "weekly": ALWAYS_OPEN, "closures": [today]}})
    text_in(api, account, "+12065550182", "SM" + "0" * 31 + "5")
    assert sent_to(api, "+12065550182")[-1] == "We are closed; we will answer when we open."
    patch(api, workstream, {"operating_hours": WORKSTREAM["operating_hours"]})


def test_attachments_both_ways(api, setup):
    account, workstream = setup
    media = {"NumMedia": "2", "MediaUrl0": "https://api.twilio.com/m/ME0", "MediaContentType0": "image/jpeg",
             "MediaUrl1": "https://api.twilio.com/m/ME1", "MediaContentType1": "image/png"}
    conversation = text_in(api, account, "+12065550183", "SM" + "0" * 31 + "6", "photos", **media)
    first = conversation["messages"][0]
    assert (first["body"], first["media"], first["media_dropped"]) == ("photos", [], 2)
    reply = {"media": [{"url": "https://cdn.example.com/a.jpg", "content_type": "image/jpeg"}]}
    refused = api.call("POST", f"/conversations/{conversation['id']}/messages", reply)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "attachments_disabled"
    patch(api, workstream, {"attachments": {"customers_can_send": True, "agents_can_send": True}})
    conversation = text_in(api, account, "+12065550183", "SM" + "0" * 31 + "7", "more", **media)
    assert [m["content_type"] for m in conversation["messages"][-1]["media"]] == ["image/jpeg", "image/png"]
    patch(api, workstream, {"attachments": {"customers_can_send": False, "agents_can_send": False}})


def test_a_conversation_read_tells_the_agent_what_its_workstream_answers_with(api, setup):
    account, workstream = setup
    replies = [{"name": "Hello", "text": "Hi {{customer_name}}, {{agent_name}} here."}]
    template = {"name": "order_update", "language": "en_US", "text": "Order {{1}} has shipped."}
    assert patch(api, workstream, {"quick_replies": replies, "templates": [template]})["quick_replies"] == replies
    wrong = api.call("PATCH", f"/admin/workstreams/{workstream['id']}", {"quick_replies": [{"name": "Hello"}]})
    assert (wrong.status_code, wrong.json()["error"]["field"]) == (422, "quick_replies[0].text")
    conversation = text_in(api, account, "+12065550179", "SM" + "0" * 30 + "19")
    assert conversation["workstream"] == {"id": workstream["id"], "name": "Support", "channel": "sms",
                                          "templates": [template], "quick_replies": replies,
                                          "attachments": {"agents_can_send": False}, "queues": [],
                                          "wrap_up": {"dispositions": [], "required": False}, "time_zone": "UTC"}
    assert api.call("GET", "/conversations").json()["conversations"][0].get("workstream") is None
    patch(api, workstream, {"quick_replies": [], "templates": []})


def test_closing_message_and_survey_once_when_an_agent_closes(api, setup):
    account, _ = setup
    conversation = text_in(api, account, "+12065550184", "SM" + "0" * 31 + "8")
    assert api.call("POST", f"/conversations/{conversation['id']}/close").status_code == 200
    assert api.call("POST", f"/conversations/{conversation['id']}/close").status_code == 409
    assert sent_to(api, "+12065550184")[1:] == ["Thanks for contacting us.",
                                               "Tell us how we did: https://survey.example.com/s/9"]


def test_proactive_messages_with_valid_invalid_and_opted_out_recipients(api, setup):
    account, _ = setup
    text_in(api, account, "+12065550185", "SM" + "0" * 31 + "9", "STOP")
    before = len(api.twilio.calls("POST", MESSAGES))
    answer = api.call("POST", "/outbound", {"account_id": account["id"], "from": BUSINESS,
                                             "to": ["+12065550186", "555-0187", "+12065550185", "+" + BUSINESS],
                                             "body": "Your order has shipped."})
    assert answer.status_code == 207
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["sent", "failed", "failed", "failed"]
    assert results[1]["error"]["code"] == "validation_failed"
    assert results[2]["error"]["code"] == "recipient_opted_out"
    assert results[3]["error"]["code"] == "validation_failed"  # the account's own number
    assert [r.form["To"] for r in api.twilio.calls("POST", MESSAGES)[before:]] == [["+12065550186"]]
    conversation = api.call("GET", f"/conversations/{results[0]['conversation_id']}").json()
    assert conversation["messages"][-1]["body"] == "Your order has shipped."

    again = api.call("POST", "/outbound", {"account_id": account["id"], "from": "+" + BUSINESS,
                                           "to": ["+12065550186"], "body": "One more thing."})
    assert again.status_code == 200 and again.json()["results"][0]["conversation_id"] == results[0]["conversation_id"]
    for wrong, field in (({"body": "x" * 1601}, "body"), ({"body": ""}, "body"),
                         ({"template": "nope"}, "template")):  # wrong for everyone: one 422, naming its field
        answer = api.call("POST", "/outbound", {"account_id": account["id"], "from": BUSINESS,
                                                "to": ["+12065550188"], **wrong})
        assert answer.status_code == 422 and answer.json()["error"]["field"] == field, answer.text
    assert [c for c in api.call("GET", "/conversations").json()["conversations"]
            if c["customer"] == "+12065550188"] == []
    bad = api.call("POST", "/outbound", {"account_id": account["id"], "from": "19995550100", "to": ["+12065550186"],
                                         "body": "hi"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "from"


def test_proactive_whatsapp_needs_a_template_until_the_customer_writes(api, acs_messages_api):
    account = api.call("POST", "/admin/accounts", whatsapp_account(acs_messages_api.base_url)).json()
    created = api.call("POST", "/admin/workstreams", {
        "name": "WhatsApp outreach", "account_id": account["id"], "number": CHANNEL_ID,
        "templates": [{"name": "order_update", "language": "en_US", "text": "Hi {{1}}, order {{2}} has shipped."}]})
    assert created.status_code == 201, created.text
    free_form = api.call("POST", "/outbound", {"account_id": account["id"], "from": CHANNEL_ID,
                                               "to": ["+14255550190"], "body": "hello"})
    assert free_form.status_code == 207
    assert free_form.json()["results"][0]["error"]["code"] == "outside_whatsapp_window"
    assert "a template in POST /api/outbound" in free_form.json()["results"][0]["error"]["message"]
    listed = api.call("GET", "/conversations").json()["conversations"]
    assert [c for c in listed if c["customer"] == "+14255550190"] == []  # a refused message opens nothing
    template = api.call("POST", "/outbound", {"account_id": account["id"], "from": CHANNEL_ID, "to": ["+14255550190"],
                                              "template": "order_update", "parameters": ["Ada", "42"]})
    assert template.status_code == 200, template.text
    sent = acs_messages_api.calls("POST", "/messages/notifications:send")[-1].json()
    assert sent["kind"] == "template" and sent["to"] == ["+14255550190"]


@pytest.mark.parametrize(("given", "field"), [
    ({"first_response_minutes": 0}, "service_levels.first_response_minutes"),
    ({"resolution_minutes": "60"}, "service_levels.resolution_minutes"),
    ({"warn_at_percent": 100}, "service_levels.warn_at_percent"),
    ({"counted": "business"}, "service_levels.counted"),
    ({"first_response": 5}, "service_levels.first_response"),
])
def test_service_levels_refused_field_by_field(api, setup, given, field):
    _, workstream = setup
    refused = api.call("PATCH", f"/admin/workstreams/{workstream['id']}", {"service_levels": given})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == field, refused.text


def test_service_levels_in_operating_hours_need_hours_and_a_conversation_carries_them(api, setup):
    account, workstream = setup
    kept = patch(api, workstream, {"service_levels": {"first_response_minutes": 5, "resolution_minutes": 240,
                                                      "counted": "operating_hours", "warn_at_percent": 50}})
    assert kept["service_levels"] == {"first_response_minutes": 5, "next_response_minutes": None,
                                      "resolution_minutes": 240, "counted": "operating_hours", "warn_at_percent": 50}
    refused = api.call("PATCH", f"/admin/workstreams/{workstream['id']}", {"operating_hours": None})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "service_levels.counted"

    conversation = text_in(api, account, "+12065550990", "SM" + "7" * 32)
    level = conversation["service_level"]
    assert level["next_due"]["target"] == "first_response" and not level["next_due"]["breached"]
    due = datetime.fromisoformat(level["next_due"]["due_at"]) - datetime.fromisoformat(level["next_due"]["started_at"])
    assert due.total_seconds() == 300  # open all week: five minutes of calendar time
    assert level["results"] == {"first_response": {"met": 0, "breached": 0}, "resolution": {"met": 0, "breached": 0}}
    patch(api, workstream, {"service_levels": {"first_response_minutes": None, "resolution_minutes": None,
                                               "counted": "calendar"}})


@pytest.mark.parametrize(("given", "field"), [
    ({"overflow": [{"name": "A", "queue": "nowhere", "when": "nobody_available", "action": "close", "text": "Bye"}]},
     "overflow[0].queue"),
    ({"overflow": [{"name": "A", "queue": None, "when": "soon", "action": "close", "text": "Bye"}]}, "overflow[0].when"),
    ({"overflow": [{"name": "A", "queue": None, "when": "waiting_over", "action": "close", "text": "Bye"}]},
     "overflow[0].threshold"),
    ({"overflow": [{"name": "A", "queue": None, "when": "wait_over", "threshold": 5, "action": "close", "text": "x"}]},
     "overflow[0].threshold"),
    ({"overflow": [{"name": "A", "queue": None, "when": "out_of_hours", "action": "move", "to_queue": "elsewhere"}]},
     "overflow[0].to_queue"),
    ({"overflow": [{"name": "A", "queue": None, "when": "out_of_hours", "action": "message"}]}, "overflow[0].text"),
    ({"overflow": [{"name": "A", "queue": None, "when": "out_of_hours", "action": "close", "text": "x"},
                   {"name": "A", "queue": None, "when": "nobody_available", "action": "close", "text": "y"}]},
     "overflow[1].name"),
    ({"waiting_message": {"after_seconds": 5, "text": "Hold on"}}, "waiting_message.after_seconds"),
    ({"waiting_message": {"after_seconds": 60, "text": ""}}, "waiting_message.text"),
    ({"queues": ["a", "b"], "overflow": [{"name": "A", "queue": "a", "when": "out_of_hours", "action": "move",
      "to_queue": "b", "interactive": {"buttons": [{"id": "ok", "title": "OK"}]}}]}, "overflow[0].interactive"),
    ({"waiting_message": {"after_seconds": 60, "text": "Hold on", "interactive": {
        "buttons": [{"id": str(i), "title": str(i)} for i in range(4)]}}}, "waiting_message.interactive.buttons[3]"),
    ({"survey": {"enabled": True, "text": "Rate us: {{link}}", "url": "https://s.example.com",
                 "interactive": {"buttons": [{"id": "5", "title": "Great"}]}}}, "survey.interactive"),
])
def test_overflow_and_the_waiting_message_refused_field_by_field(api, setup, given, field):
    _, workstream = setup
    refused = api.call("PATCH", f"/admin/workstreams/{workstream['id']}", given)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == field, refused.text


def test_overflow_and_the_waiting_message_kept_as_given(api, setup):
    _, workstream = setup
    rule = {"name": "After hours", "queue": None, "when": "out_of_hours", "threshold": None, "action": "message",
            "to_queue": None, "text": "We are closed; you are number {{position}}."}
    kept = patch(api, workstream, {"overflow": [rule], "waiting_message": {"after_seconds": 120, "text": "Hold on."}})
    assert kept["overflow"] == [rule] and kept["waiting_message"] == {"after_seconds": 120, "text": "Hold on."}
    cleared = patch(api, workstream, {"overflow": [], "waiting_message": None})
    assert cleared["overflow"] == [] and cleared["waiting_message"] is None
