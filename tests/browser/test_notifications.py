"""Desktop notifications in the browser, with Twilio's stand-in and Web PubSub's, the
browser's permission granted but (as for a site never asked) reported as not yet given until
the page asks: nothing is asked on load, ticking "Desktop notifications" asks; then a new
offer, a customer writing in a conversation the agent holds (only while the tab is hidden)
and a note naming the agent each raise one notification, never with what anyone wrote, and
the agent's own accept raises none; clicking one opens its conversation. A supervisor who
takes no conversations turns them on too, for the notes that name him. A browser that
blocked them is said so once the agent ticks the box, with how to allow them again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from localhost.easyauth import object_id_of
from tests.browser.customers import answer_sends, text_in
from tests.browser.support import check_page
from tests.browser.test_agent_day import connected
from tests.browser.test_distribution import available, mine, offer_of
from tests.support.twilio import BUSINESS, account_body
from tests.support.waiting import until

AGENT, SUPERVISOR = "Switchboard.Agent", "Switchboard.Supervisor"
MARIA = "+12065550961"

# Records each notification shown (still showing it) and each permission asked; until the
# page asks, the permission reads "default", as for a site the browser never asked about.
RECORD = """
window.__notes = [];
window.__asked = 0;
const Real = window.Notification;
class Recorded extends Real {
  constructor(title, options = {}) {
    super(title, options);
    window.__notes.push({ title, body: options.body ?? "", tag: options.tag ?? "", shown: this });
  }
}
Object.defineProperty(Recorded, "permission", { get: () => (window.__asked ? Real.permission : "default") });
Recorded.requestPermission = () => { window.__asked++; return Real.requestPermission(); };
window.Notification = Recorded;
"""

# The tab's visibility as the test sets it (window.__hidden), with the event a browser sends.
VISIBILITY = """
window.__hidden = false;
Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => window.__hidden });
Object.defineProperty(Document.prototype, "visibilityState", { configurable: true,
  get: () => (window.__hidden ? "hidden" : "visible") });
window.__setHidden = (hidden) => { window.__hidden = hidden; document.dispatchEvent(new Event("visibilitychange")); };
"""


@pytest.fixture(scope="module")
def world(api) -> dict:
    """Support (push), whose unqueued conversations Nia and Ada work and Sam supervises;
    Maria a contact."""
    answer_sends(api)
    account = api.call("POST", "/admin/accounts", account_body()).json()
    support = api.call("POST", "/admin/workstreams", {
        "name": "Support", "account_id": account["id"], "number": BUSINESS,
        "distribution": {"mode": "push", "offer_timeout_seconds": 300}}).json()
    for name in ("Nia", "Ada"):
        assert api.call("POST", "/admin/agents", {
            "object_id": object_id_of(name), "name": name, "capacity": {"sms": 5},
            "queues": [{"workstream_id": support["id"], "queue": None}]}).status_code == 201
    assert api.call("POST", "/admin/agents", {"object_id": object_id_of("Sam"), "name": "Sam", "queues": [],
                                             "supervises": [support["id"]]}).status_code == 201
    assert api.call("POST", "/admin/contacts", {"mobile_phone": MARIA, "name": "Maria Garcia"}).status_code == 201
    return {"account": account, "support": support}


def watched(page: Page, api, grant: bool = True) -> None:
    """The page loaded again with notifications and visibility recorded, its socket up."""
    if grant:
        page.context.grant_permissions(["notifications"], origin=api.host.base_url)
    page.context.add_init_script(RECORD)
    page.context.add_init_script(VISIBILITY)
    connected(page)


def notes(page: Page) -> list[dict]:
    return page.evaluate("window.__notes.map(({ title, body, tag }) => ({ title, body, tag }))")


def shown(page: Page, count: int) -> list[dict]:
    page.wait_for_function("(count) => window.__notes.length >= count", arg=count, timeout=10_000)
    return notes(page)


def test_notifications_for_an_offer_a_hidden_message_and_a_mention(new_page, api, world, artifacts):
    nia = new_page("Nia", AGENT)
    watched(nia, api)
    available(nia)
    toggle = nia.get_by_label("Desktop notifications")
    expect(toggle).not_to_be_checked()
    assert nia.evaluate("window.__asked") == 0, "nothing asked on load"
    check_page(nia, "notifications-off")

    toggle.check()
    expect(toggle).to_be_checked()
    expect(nia.locator("#desktop-notifications-state")).to_have_text(
        "On: new offers, customers writing while this tab is hidden, and mentions")
    assert nia.evaluate("window.__asked") == 1, "asked on the click"
    assert notes(nia) == []

    text_in(api, world["account"], MARIA, "My parcel is late, order 4411")
    expect(offer_of(nia, "Maria Garcia")).to_be_visible(timeout=5_000)
    [offer] = shown(nia, 1)
    conversation = offer["tag"].removeprefix("offer:")
    assert offer == {"title": "New offer: Maria Garcia", "body": "In Support", "tag": f"offer:{conversation}"}
    check_page(nia, "notifications-on", artifacts)

    nia.get_by_role("button", name="Accept Maria Garcia").click()
    expect(nia.get_by_text("Held by Nia")).to_be_visible()
    until(lambda: api.call("GET", f"/conversations/{conversation}").json()["unread"] == 0)  # her opening marked it
    nia.get_by_role("link", name="Inbox", exact=True).click()  # nothing open: her next message stays unread
    expect(nia).to_have_url(re.compile("#/inbox$"))
    text_in(api, world["account"], MARIA, "Any news?")
    card = mine(nia).get_by_role("link").filter(has_text="Maria Garcia")
    expect(card.locator(".unread-count")).to_have_text("1 unread")
    nia.evaluate("window.__setHidden(true)")
    text_in(api, world["account"], MARIA, "Hello? Are you still there? My number is +12065550961")
    expect(card.locator(".unread-count")).to_have_text("2 unread")
    wrote = shown(nia, 2)[1]
    assert wrote == {"title": "Maria Garcia wrote", "body": "2 unread in Support", "tag": f"message:{conversation}"}
    assert len(notes(nia)) == 2, "nothing for the visible tab's message, nor for her own accept"

    nia.evaluate("window.__notes[1].shown.dispatchEvent(new Event('click'))")
    expect(nia).to_have_url(re.compile(f"#/inbox/{conversation}$"))
    expect(nia.get_by_role("heading", level=2, name="Maria Garcia")).to_be_visible()
    nia.evaluate("window.__setHidden(false)")
    expect(card.locator(".unread-count")).to_have_count(0)

    noted = api.call("POST", f"/conversations/{conversation}/notes",
                     {"body": "@Nia she wants a refund of $40, call her back"}, as_=("Ada", "agent"))
    assert noted.status_code == 201, noted.text
    mention = shown(nia, 3)[2]
    assert mention == {"title": "Ada mentioned you", "body": "In a conversation with Maria Garcia",
                       "tag": f"mention:{conversation}"}
    said = " ".join(f"{n['title']} {n['body']}" for n in notes(nia))
    for secret in ("refund", "parcel", "news", "still there", "+1206"):
        assert secret not in said
    check_page(nia, "notifications-mention", artifacts)


def test_a_supervisor_turns_them_on_for_the_notes_that_name_him(new_page, api, world, artifacts):
    sam = new_page("Sam", SUPERVISOR)
    watched(sam, api)
    expect(sam.get_by_label("Presence")).to_have_count(0)  # he takes no conversations
    sam.get_by_label("Desktop notifications").check()
    expect(sam.locator("#desktop-notifications-state")).to_have_text("On: notes that mention you")

    text_in(api, world["account"], "+12065550962", "Where is my refund?")
    [conversation] = [c["id"] for c in api.call("GET", "/conversations").json()["conversations"]
                      if c["customer"] == "+12065550962"]
    noted = api.call("POST", f"/conversations/{conversation}/notes", {"body": "@Sam refund over the limit"},
                     as_=("Ada", "agent"))
    assert noted.status_code == 201, noted.text
    [mention] = shown(sam, 1)
    assert mention["title"] == "Ada mentioned you" and mention["tag"] == f"mention:{conversation}"
    assert "refund" not in mention["body"]
    check_page(sam, "notifications-supervisor", artifacts)


def test_a_browser_that_blocked_notifications_says_how_to_allow_them(new_page, api, world, artifacts):
    lou = new_page("Lou", AGENT)
    lou.context.add_init_script("Object.defineProperty(Notification, 'permission', { get: () => 'denied' })")
    lou.reload()
    toggle = lou.get_by_label("Desktop notifications")
    expect(lou.locator("#desktop-notifications-state")).to_have_text("")  # news only to someone who asks
    toggle.click()
    expect(lou.locator("#desktop-notifications-state")).to_have_text(re.compile("^Blocked by the browser: allow"))
    expect(toggle).not_to_be_checked()
    expect(lou.locator("#desktop-notifications-state")).to_have_attribute("role", "status")
    check_page(lou, "notifications-blocked", artifacts)
