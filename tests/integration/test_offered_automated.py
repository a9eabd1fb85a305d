"""Reply buttons and lists offered by the survey question, the waiting message and an
overflow message, on real storage (Azurite) with a clock the test moves and recording
stand-ins for ACS and Twilio: sent as an interactive notification on WhatsApp inside the
window (their placeholders filled in the body), as text alone on SMS and as the template
alone after the window; a button chosen in answer to the survey scores it."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from channels.acs_send import AcsSender
from channels.twilio_api import TwilioSender
from core.content import CHOICE, Choice, Content
from core.messages import InboundMessage
from tests.support.acs import CHANNEL_ID, whatsapp_account
from tests.support.desk import customer, open_desk
from tests.support.recorder import Recorder, recording
from tests.support.scopes import ALICE
from tests.support.twilio import MESSAGES_PATH

BASE = "https://sb.example.com"
SEND = "/messages/notifications:send"
CUSTOMER = "+14255550123"
SCORES = {"buttons": [{"id": "5", "title": "Great"}, {"id": "3", "title": "Fine"}, {"id": "1", "title": "Poor"}]}
CALL_BACK = {"button": "Options", "sections": [{"title": "While you wait", "rows": [
    {"id": "callback", "title": "Call me back"}, {"id": "email", "title": "Email me", "description": "Within a day"}]}]}
KEEP = {"buttons": [{"id": "wait", "title": "I'll wait"}, {"id": "later", "title": "Later"}]}
WAITING = {"allow_automated_messages": True, "queues": ["general"], "default_queue": "general",
           "waiting_message": {"after_seconds": 60, "text": "You are number {{position}} in line.",
                               "interactive": CALL_BACK},
           "overflow": [{"name": "Slow", "queue": "general", "when": "wait_over", "threshold": 60,
                         "action": "message", "text": "Sorry, about {{expected_wait}} to go.", "interactive": KEEP}]}
SURVEY = {"survey": {"enabled": True, "mode": "question", "text": "How did we do?", "interactive": SCORES},
          "templates": [{"name": "rate_us", "language": "en", "text": "How did we do? Reply 1 to 5"}],
          "window_fallbacks": {"survey": {"name": "rate_us", "language": "en"}}}


@pytest.fixture
def acs() -> Iterator[Recorder]:
    with recording() as recorder:
        counter = iter(range(1, 10_000))
        recorder.on("POST", SEND, lambda _r: (202, {"receipts": [{"messageId": f"wa-{next(counter)}", "to": "x"}]}))
        yield recorder


def whatsapp_desk(make_services, acs: Recorder, settings: dict[str, Any]):
    sender = AcsSender({"retry_total": 0})
    services = make_services(senders={"acs": sender}, media_fetchers={"acs": sender})
    account = services.admin.accounts.create(whatsapp_account(acs.base_url))
    services.admin.workstreams.create({"name": "WhatsApp", "account_id": account.id, "number": CHANNEL_ID,
                                       "auto_close_after_minutes": 26 * 60, **settings})
    return services, account


def writes(services, account, provider_id: str, body: str = "hello", content: Content = Content()) -> str:
    message = InboundMessage(provider="acs", account_id=account.id, provider_message_id=provider_id,
                             business=CHANNEL_ID, customer=CUSTOMER, body=body, content=content)
    return services.messaging.ingest.message(account, message, BASE).conversation_id


def offered(call) -> tuple[str, list[str]]:
    """An interactive notification's body and the ids of the options it offers."""
    sent = call.json()
    assert sent["kind"] == "interactive" and sent["to"] == [CUSTOMER], sent
    message = sent["interactiveMessage"]
    actions = message["actionBindings"]["actions"]
    ids = [a["id"] for a in actions] if actions[0]["kind"] == "button" else \
        [row["id"] for section in actions[0]["actionSet"] for row in section["items"]]
    return message["body"]["text"], ids


def test_the_waiting_and_overflow_messages_offer_theirs_on_whatsapp(make_services, acs, clock):
    services, account = whatsapp_desk(make_services, acs, WAITING)
    cid = writes(services, account, "wa-in-1")
    clock.advance(seconds=61)
    services.clockwork.run()
    services.clockwork.run()  # once each however often the timers run

    assert sorted(offered(call) for call in acs.calls("POST", SEND)) == [
        ("Sorry, about a few minutes to go.", ["wait", "later"]),
        ("You are number 1 in line.", ["callback", "email"])]
    shown = {m.automated: m for m in services.messaging.actions.get(cid, ALICE).messages if m.automated}
    assert shown["waiting"].content.interactive.sections[0].rows[1].title == "Email me"
    assert [b.title for b in shown["overflow"].content.interactive.buttons] == ["I'll wait", "Later"]


def test_on_sms_they_go_as_their_text_alone(make_services, provider, clock):
    services = make_services(senders={"twilio": TwilioSender(provider.base_url)})
    desk = open_desk(services, clock)
    services.admin.workstreams.update(desk.workstream_id, WAITING)
    cid = desk.customer_writes(customer(1))
    clock.advance(seconds=61)
    services.clockwork.run()

    forms = [r.form for r in provider.calls("POST", MESSAGES_PATH)]
    assert sorted(f["Body"][0] for f in forms) == ["Sorry, about a few minutes to go.", "You are number 1 in line."]
    assert not any("ContentSid" in f for f in forms)
    assert all(m.content is None for m in desk.conversation(cid).messages)


def test_the_survey_offers_its_buttons_and_the_one_chosen_scores(make_services, acs, clock):
    services, account = whatsapp_desk(make_services, acs, SURVEY)
    cid = writes(services, account, "wa-in-1")
    services.messaging.actions.close(cid, ALICE, BASE)
    [survey] = acs.calls("POST", SEND)
    assert offered(survey) == ("How did we do?", ["5", "3", "1"])

    clock.advance(minutes=2)
    chose = Content(CHOICE, choice=Choice("3", "Fine"), answers="wa-1")
    assert writes(services, account, "wa-in-2", "Fine", chose) == cid
    closed = services.messaging.actions.get(cid, ALICE)
    assert closed.facts.csat == 3 and closed.messages[-2].content.choice.id == "3"
    assert acs.calls("POST", SEND)[-1].json()["content"] == "Thank you for your answer."


def test_after_the_window_the_survey_is_its_template_alone(make_services, acs, clock):
    services, account = whatsapp_desk(make_services, acs, SURVEY)
    cid = writes(services, account, "wa-in-1")
    clock.advance(hours=25)
    services.messaging.actions.close(cid, ALICE, BASE)
    [sent] = [call.json() for call in acs.calls("POST", SEND)]
    assert sent["kind"] == "template" and sent["template"]["name"] == "rate_us"
    survey = services.messaging.actions.get(cid, ALICE).messages[-1]
    assert (survey.fallback_for, survey.content) == ("survey", None)
