"""Closing a conversation in the browser: while the customer's last messages have no answer,
Close asks first, in the page (how many messages, Close anyway or Keep open, Escape keeps it
open), and nothing reaches the API until the agent confirms; once answered, Close closes at
once. A closed conversation reads as closed, by whom, never "Held by"."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from localhost.easyauth import object_id_of
from tests.browser.customers import answer_sends, conversation_id, open_conversation, text_in
from tests.browser.support import check_page
from tests.support.twilio import BUSINESS, account_body

AGENT = "Switchboard.Agent"


@pytest.fixture(scope="module")
def setup(api) -> dict:
    """An SMS number with a workstream, Ada in it as an agent."""
    answer_sends(api)
    sms = api.call("POST", "/admin/accounts", account_body()).json()
    workstream = api.call("POST", "/admin/workstreams", {"name": "Support", "account_id": sms["id"],
                                                         "number": BUSINESS}).json()
    assert api.call("POST", "/admin/agents", {"object_id": object_id_of("Ada"), "name": "Ada", "queues": [
        {"workstream_id": workstream["id"], "queue": None}]}).status_code == 201
    return {"sms": sms}


def closes(page: Page) -> list[str]:
    """Every POST …/close the page makes, from now on."""
    made: list[str] = []
    page.on("request", lambda r: made.append(r.url) if r.method == "POST" and r.url.endswith("/close") else None)
    return made


def state(api, page: Page) -> str:
    return api.call("GET", f"/conversations/{conversation_id(page)}").json()["state"]


def accepted(page: Page, api, account: dict, customer: str, *bodies: str) -> None:
    for body in bodies:
        text_in(api, account, customer, body)
    open_conversation(page, customer)
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Held by Ada")).to_be_visible()
    expect(page.locator(".message.inbound").filter(has_text=bodies[-1])).to_be_visible()


def test_closing_with_an_unanswered_message_asks_first(new_page, api, setup, artifacts):
    page = new_page("Ada", AGENT)
    accepted(page, api, setup["sms"], "+12065550170", "Is anyone there?")
    made = closes(page)
    close = page.get_by_role("button", name="Close", exact=True)

    close.click()
    question = page.get_by_role("alertdialog", name="1 customer message has no answer yet. Close anyway?")
    expect(question).to_be_visible()
    expect(question.get_by_role("button", name="Keep open")).to_be_focused()
    expect(question.get_by_role("button", name="Close anyway")).to_be_visible()
    check_page(page, "closing-confirm", artifacts)
    assert made == [] and state(api, page) == "active"

    question.get_by_role("button", name="Keep open").click()
    expect(question).to_have_count(0)
    expect(close).to_be_focused()
    expect(page.get_by_text("Held by Ada")).to_be_visible()
    assert made == [] and state(api, page) == "active"

    close.click()
    expect(question.get_by_role("button", name="Keep open")).to_be_focused()
    page.keyboard.press("Escape")
    expect(question).to_have_count(0)
    expect(close).to_be_focused()
    assert made == [] and state(api, page) == "active"

    close.click()
    question.get_by_role("button", name="Close anyway").click()
    expect(page.get_by_text("This conversation is closed.")).to_be_visible()
    header = page.locator(".pane-header")
    expect(header.locator(".badge").first).to_have_text("closed")
    expect(header).to_contain_text("Closed by Ada")
    expect(header).not_to_contain_text("Held by")
    expect(page.get_by_role("button", name="Close", exact=True)).to_have_count(0)
    assert len(made) == 1 and state(api, page) == "closed"
    check_page(page, "closing-closed", artifacts)


def test_once_answered_close_closes_at_once(new_page, api, setup):
    page = new_page("Ada", AGENT)
    accepted(page, api, setup["sms"], "+12065550171", "Hello?", "My parcel is late")
    made = closes(page)
    close = page.get_by_role("button", name="Close", exact=True)

    close.click()  # two unanswered: asked, and kept open
    question = page.get_by_role("alertdialog", name="2 customer messages have no answer yet. Close anyway?")
    expect(question).to_be_visible()
    question.get_by_role("button", name="Keep open").click()
    assert made == [] and state(api, page) == "active"

    box = page.get_by_label("Reply to +12065550171")
    box.fill("Sorry about that: it arrives tomorrow.")
    box.press("Enter")
    expect(page.locator(".message.outbound").filter(has_text="it arrives tomorrow")).to_be_visible()
    close.click()
    expect(page.get_by_text("This conversation is closed.")).to_be_visible()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.locator(".pane-header")).not_to_contain_text("Held by")
    assert len(made) == 1 and state(api, page) == "closed"


def test_a_customer_who_opted_out_is_not_counted_as_waiting_for_an_answer(new_page, api, setup):
    """Nothing can answer them (STOP included): Close closes at once."""
    page = new_page("Ada", AGENT)
    accepted(page, api, setup["sms"], "+12065550172", "Where is my order?", "STOP")
    expect(page.get_by_text("The customer opted out")).to_be_visible()
    made = closes(page)
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.get_by_text("This conversation is closed.")).to_be_visible()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    assert len(made) == 1 and state(api, page) == "closed"
