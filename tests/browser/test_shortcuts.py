"""The agent workspace's keyboard shortcuts and its prompt to an offline agent, in the
browser with Twilio's stand-in: an offline agent is asked to go available and one press
does it; `?` opens the help (a modal dialog, focus in, Escape back); with an offer showing
`a` accepts it, `c` focuses the composer, where `a` is only a letter, `/` opens the quick
replies, `x` presses Close (its confirmation still asks), `d` declines and `j` and `k`
move along the list; each announced."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from localhost.easyauth import object_id_of
from tests.browser.customers import answer_sends, conversation_id, text_in
from tests.browser.support import check_page
from tests.support.twilio import BUSINESS, account_body

AGENT = "Switchboard.Agent"
QUICK_REPLIES = [{"name": "Greeting", "text": "Hello, {{agent_name}} here."}, {"name": "Goodbye", "text": "Bye!"}]
KEYS = ["?", "a", "d", "c", "/", "j", "k", "x"]


@pytest.fixture(scope="module")
def world(api) -> dict:
    """Support (push, with quick replies), whose unqueued conversations Kim works; Lou, an
    agent of no queue, is offered nothing."""
    answer_sends(api)
    account = api.call("POST", "/admin/accounts", account_body()).json()
    support = api.call("POST", "/admin/workstreams", {
        "name": "Support", "account_id": account["id"], "number": BUSINESS, "quick_replies": QUICK_REPLIES,
        "distribution": {"mode": "push", "offer_timeout_seconds": 300}}).json()
    for name, queues in (("Kim", [{"workstream_id": support["id"], "queue": None}]), ("Lou", [])):
        assert api.call("POST", "/admin/agents", {"object_id": object_id_of(name), "name": name, "capacity": {"sms": 5},
                                                 "queues": queues}).status_code == 201
    return {"account": account}


def presence_of(api, name: str) -> str:
    return api.call("GET", "/me", as_=(name, "agent")).json()["presence"]


def announced(page: Page):
    return page.locator(".workspace > [aria-live]")


def test_an_offline_agent_is_asked_to_go_available(new_page, api, world, artifacts):
    page = new_page("Lou", AGENT)
    prompt = page.locator(".presence-prompt")
    expect(prompt).to_contain_text("You are offline: no conversations are offered to you.")
    expect(announced(page)).to_have_text("You are offline: no conversations are offered to you")
    assert presence_of(api, "Lou") == "offline"
    check_page(page, "workspace-offline-prompt", artifacts)
    with page.expect_response(lambda r: r.url.endswith("/api/me/presence") and r.request.method == "PUT"):
        page.get_by_role("button", name="Go available").click()
    expect(prompt).to_have_count(0)
    expect(page.get_by_label("Presence")).to_have_value("available")
    expect(page.locator("#free-capacity")).to_be_focused()  # where the prompt was, not the presence list
    page.keyboard.press("a")  # a shortcut, not a presence chosen by its first letter
    expect(announced(page)).to_have_text("No offer to accept")
    assert presence_of(api, "Lou") == "available"
    page.reload()
    expect(page.get_by_label("Presence")).to_have_value("available")
    expect(prompt).to_have_count(0)

    page.get_by_label("Presence").select_option("away")  # as a lapsed offer sets it
    expect(prompt).to_contain_text("You are away: no conversations are offered to you. "
                                   "An offer left to lapse sets you away.")
    check_page(page, "workspace-away-prompt", artifacts)
    page.get_by_role("button", name="Go available").click()
    expect(prompt).to_have_count(0)
    assert presence_of(api, "Lou") == "available"


def test_the_workspace_by_shortcuts(new_page, api, world, artifacts):
    page = new_page("Kim", AGENT)
    page.get_by_role("button", name="Go available").click()
    expect(page.get_by_label("Presence")).to_have_value("available")
    # Its answer moves the focus (to the free capacity): awaited, so it takes no focus from what follows.
    expect(page.locator("#free-capacity")).to_be_focused()

    inbox = page.get_by_role("link", name="Inbox", exact=True)
    inbox.focus()
    page.keyboard.press("?")
    help_ = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_).to_be_visible()
    expect(help_).to_have_attribute("aria-modal", "true")
    expect(help_.locator("kbd")).to_have_text(KEYS)
    expect(help_.get_by_role("button", name="Close shortcuts")).to_be_focused()
    page.keyboard.press("Tab")
    expect(help_.get_by_role("button", name="Close shortcuts")).to_be_focused()  # kept in the dialog
    page.keyboard.press("a")  # no shortcut behind the dialog
    check_page(page, "workspace-shortcuts", artifacts)
    page.keyboard.press("Escape")
    expect(help_).to_have_count(0)
    expect(inbox).to_be_focused()

    page.keyboard.press("a")
    expect(announced(page)).to_have_text("No offer to accept")
    text_in(api, world["account"], "+12065550170", "Is anyone there?")
    offers = page.get_by_role("region", name=re.compile("^Offers"))
    expect(offers.get_by_role("link").filter(has_text="+12065550170")).to_be_visible(timeout=5_000)
    expect(announced(page)).to_have_text("New offer: +12065550170")  # said before the next key's answer
    page.keyboard.press("a")
    expect(page.get_by_text("Held by Kim")).to_be_visible()
    expect(announced(page)).to_have_text("Accepted the offer from +12065550170")
    held = api.call("GET", f"/conversations/{conversation_id(page)}").json()
    assert held["agent"]["id"] == object_id_of("Kim") and held["state"] == "active"

    text_in(api, world["account"], "+12065550171", "Me too")
    expect(offers.get_by_role("link").filter(has_text="+12065550171")).to_be_visible(timeout=5_000)
    expect(announced(page)).to_have_text("New offer: +12065550171")
    page.keyboard.press("c")
    box = page.get_by_label("Reply to +12065550170")
    expect(box).to_be_focused()
    expect(announced(page)).to_have_text("Composer focused")
    page.keyboard.type("a")  # a letter in the reply, not an accept
    expect(box).to_have_value("a")
    page.keyboard.press("Control+a")
    expect(offers.get_by_role("link").filter(has_text="+12065550171")).to_be_visible()
    assert api.call("GET", f"/conversations/{conversation_id(page)}").json()["agent"]["id"] == object_id_of("Kim")

    page.locator("#conversation-title").click()  # out of the composer
    page.keyboard.press("/")
    expect(page.get_by_role("button", name="Greeting")).to_be_focused()
    expect(announced(page)).to_have_text("Quick replies opened: 2")

    page.locator("#conversation-title").click()
    page.keyboard.press("x")  # the customer has no answer yet: Close asks first
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("1 customer message has no answer yet. Close anyway?")
    expect(confirm.get_by_role("button", name="Keep open")).to_be_focused()
    page.keyboard.press("Escape")
    expect(confirm).to_have_count(0)
    expect(page.get_by_text("Held by Kim")).to_be_visible()

    page.keyboard.press("d")  # the offer still showing
    expect(offers).to_have_count(0)
    expect(announced(page)).to_have_text("Declined the offer from +12065550171")
    queue = page.get_by_role("region", name=re.compile("^Queue"))
    expect(queue.get_by_role("link").filter(has_text="+12065550171")).to_be_visible(timeout=5_000)
    page.keyboard.press("j")
    expect(page.get_by_role("heading", level=2, name="+12065550171")).to_be_visible()
    expect(announced(page)).to_have_text("Opened +12065550171, 2 of 2")
    page.keyboard.press("k")
    expect(page.get_by_role("heading", level=2, name="+12065550170")).to_be_visible()

    text_in(api, world["account"], "+12065550173", "First in line")
    expect(offers.get_by_role("link").filter(has_text="+12065550173")).to_be_visible(timeout=5_000)
    text_in(api, world["account"], "+12065550174", "Second")
    expect(offers.get_by_role("link").first).to_contain_text("+12065550174", timeout=5_000)  # newest first
    expect(announced(page)).to_have_text("New offer: +12065550174")
    page.keyboard.press("a")  # the offer that lapses first, not the first shown
    expect(announced(page)).to_have_text("Accepted the offer from +12065550173")
    expect(offers.get_by_role("link")).to_have_count(1)
