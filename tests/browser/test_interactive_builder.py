"""The composer's reply buttons and list builders on an ACS WhatsApp conversation: labelled
fields with their counts against WhatsApp's limits, rows added and removed, a field the API
refuses shown beside it, what was sent shown in the pane, and the customer's answer quoting
it; a quick reply that offers buttons opens them in the builder. Each screen passes axe."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from tests.browser.support import check_page
from tests.e2e.conftest import acs_reactions_api  # noqa: F401 - Prism on Messages API 2024-11-15-preview
from tests.e2e.test_acs import conversations_of, deliver
from tests.support.acs import CHANNEL_ID, CUSTOMER, events, whatsapp_account

ROLES = ("Switchboard.Agent", "Switchboard.Admin")
SEND = r"/messages/notifications:send"
QUICK = {"name": "Rate us", "text": "How did we do?", "interactive": {"buttons": [
    {"id": "csat-good", "title": "Good"}, {"id": "csat-bad", "title": "Not good"}]}}


@pytest.fixture(scope="module")
def conversation(api, acs_reactions_api) -> dict:  # noqa: F811
    acs = api.call("POST", "/admin/accounts", whatsapp_account(acs_reactions_api.base_url)).json()
    made = api.call("POST", "/admin/workstreams", {"name": "WhatsApp", "account_id": acs["id"], "number": CHANNEL_ID,
                                                   "quick_replies": [QUICK]})
    assert made.status_code == 201, made.text
    deliver(api, acs, events("advanced_message_received_text.json", event_id="wamid.c-1", message_id="wamid.c-1",
                             receivedTimestamp=datetime.now(timezone.utc).isoformat(), content="Can you deliver?"))
    [found] = conversations_of(api, acs, CUSTOMER)
    return {"account": acs, "id": found["id"]}


def test_reply_buttons_refused_beside_the_field_then_sent_and_answered(new_page, api, conversation,
                                                                      acs_reactions_api, artifacts):  # noqa: F811
    page = new_page("Ada", *ROLES)
    page.goto(f"/#/inbox/{conversation['id']}")
    reply = page.get_by_role("form", name="Reply")
    reply.get_by_label("Reply to").fill("Shall we deliver tomorrow?")
    reply.get_by_role("button", name="Add buttons").click()
    builder = reply.get_by_role("group", name="Reply buttons (2 of 3)")
    builder.get_by_label("Button 1 title").fill("Yes")
    builder.get_by_label("Button 2 title").fill("Another day, please!!")  # 21 characters
    expect(builder.get_by_text("21 / 20")).to_be_visible()
    builder.get_by_role("button", name="Add a button").click()
    expect(reply.get_by_role("group", name="Reply buttons (3 of 3)").get_by_role("button", name="Add a button")) \
        .to_be_disabled()
    page.get_by_role("button", name="Remove button 3").click()
    reply.get_by_role("button", name="Send").click()
    title = reply.get_by_label("Button 2 title")
    expect(reply.locator(".field-error")).to_have_text("must be at most 20 characters, got 21")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_be_focused()  # the field the API named
    assert acs_reactions_api.calls("POST", SEND) == []
    check_page(page, "interactive-buttons-refused", artifacts)

    title.fill("Another day")
    reply.get_by_role("button", name="Send").click()
    sent = page.locator(".message.outbound").filter(has_text="Shall we deliver tomorrow?")
    expect(sent.get_by_role("list", name="Reply buttons offered")).to_contain_text("Another day")
    expect(reply.get_by_role("button", name="Add buttons")).to_be_visible()  # the builder leaves with the send
    [call] = acs_reactions_api.calls("POST", SEND)
    assert [a["title"] for a in call.json()["interactiveMessage"]["actionBindings"]["actions"]] == ["Yes", "Another day"]

    ours = api.call("GET", f"/conversations/{conversation['id']}").json()["messages"][-1]
    deliver(api, conversation["account"], events(
        "advanced_message_received_button_reply.json", event_id="wamid.c-2", message_id="wamid.c-2",
        **{"context": {"from": CHANNEL_ID, "id": ours["provider_message_id"]},
           "interactive": {"type": "buttonReply", "buttonReply": {"id": "button-2", "title": "Another day"}}}))
    answer = page.locator(".message.inbound").filter(has_text="Chose: Another day")
    expect(answer).to_contain_text("Answering: Shall we deliver tomorrow?", timeout=10_000)
    check_page(page, "interactive-buttons-answered", artifacts)


def test_a_list_built_row_by_row(new_page, conversation, acs_reactions_api, artifacts):  # noqa: F811
    page = new_page("Ada", *ROLES)
    page.goto(f"/#/inbox/{conversation['id']}")
    reply = page.get_by_role("form", name="Reply")
    reply.get_by_label("Reply to").fill("When suits you?")
    reply.get_by_role("button", name="Add list").click()
    reply.get_by_label("List button text").fill("Pick a slot")
    reply.get_by_label("Section 1 title").fill("Tomorrow")
    reply.get_by_label("Section 1 row 1 title").fill("9:00")
    reply.get_by_label("Section 1 row 1 description (optional)").fill("Front desk")
    reply.get_by_role("button", name="Add a row to section 1").click()
    reply.get_by_role("button", name="Add a row to section 1").click()
    expect(reply.get_by_role("group", name="List (3 of 10 rows)")).to_be_visible()
    reply.get_by_role("button", name="Remove section 1 row 3").click()
    reply.get_by_label("Section 1 row 2 title").fill("15:00")
    check_page(page, "interactive-list-builder", artifacts)
    reply.get_by_role("button", name="Send").click()
    sent = page.locator(".message.outbound").filter(has_text="When suits you?")
    expect(sent).to_contain_text("15:00")
    actions = acs_reactions_api.calls("POST", SEND)[-1].json()["interactiveMessage"]["actionBindings"]["actions"]
    assert actions[0]["title"] == "Pick a slot"
    assert [i["title"] for i in actions[0]["actionSet"][0]["items"]] == ["9:00", "15:00"]
    check_page(page, "interactive-list-sent", artifacts)


def test_a_quick_reply_opens_its_buttons_in_the_builder(new_page, conversation, acs_reactions_api,
                                                        artifacts):  # noqa: F811
    page = new_page("Ada", *ROLES)
    page.goto(f"/#/inbox/{conversation['id']}")
    reply = page.get_by_role("form", name="Reply")
    reply.get_by_text("Quick replies").click()
    reply.get_by_role("button", name="Rate us").click()
    expect(reply.get_by_label("Reply to")).to_have_value("How did we do?")
    expect(reply.get_by_label("Button 2 title")).to_have_value("Not good")
    check_page(page, "interactive-quick-reply", artifacts)
    reply.get_by_role("button", name="Send").click()
    expect(page.locator(".message.outbound").filter(has_text="How did we do?")).to_contain_text("Not good")
    actions = acs_reactions_api.calls("POST", SEND)[-1].json()["interactiveMessage"]["actionBindings"]["actions"]
    assert [a["id"] for a in actions] == ["csat-good", "csat-bad"]  # the quick reply's own ids
