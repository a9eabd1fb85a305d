"""An agent's day in the browser, with Twilio's stand-in and Web PubSub's. While Ada has one
conversation open, the customer of another she holds writes: its card shows the count, the
name in bold and the message's first line, it moves to the top of Mine and the tab's title
counts it; opening it clears both. An internal note, written in the composer's note mode
(yellow, "Add note", chosen with the arrow keys), shows apart from the replies, reaches no
provider, and its `@Sam` raises a toast on Sam's page naming the writer and the customer,
never the note. Closing asks for the workstream's wrap-up (a required disposition refused
beside its select, then a disposition and a note), and the pane shows the disposition. An
admin's Wrap-up section keeps dispositions and refuses `required` without any, beside the
checkbox. A warning recorded on a conversation of a workstream Sam supervises reaches his
Supervise page through the workstream's group. axe-core finds nothing on any screen."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from localhost.easyauth import object_id_of
from tests.browser.customers import MESSAGES, answer_sends, conversation_id, held, open_conversation, text_in
from tests.browser.support import check_page, save_workstream
from tests.browser.test_distribution import available
from tests.support.twilio import BUSINESS, account_body

AGENT, SUPERVISOR, ADMIN = "Switchboard.Agent", "Switchboard.Supervisor", "Switchboard.Admin"
ADA = ("Ada", "agent")
ESCALATIONS, RETURNS = "+14252306571", "+14252306572"
WRAP_UP = {"dispositions": ["Resolved", "Refund issued"], "required": True}
CUSTOMERS = {"+12065550901": "Maria Garcia", "+12065550902": "Ben Okafor", "+12065550903": "Cleo Park",
             "+12065550904": "Dev Patel", "+12065550905": "Zoe Quinn"}


@pytest.fixture(scope="module")
def extra_env() -> dict[str, str]:
    return {"DISTRIBUTION_SCHEDULE": "*/1 * * * * *"}  # the timer that records service-level warnings


@pytest.fixture(scope="module")
def world(api) -> dict:
    """Support (its wrap-up needs a disposition), where Ada works; Escalations (a first
    response due in a minute, warned at 10 %: after 6 s) and Returns (nothing set), which
    nobody works; Sam supervises all three."""
    answer_sends(api)
    numbers = [{"number": n, "type": "long_code"} for n in (BUSINESS, ESCALATIONS, RETURNS)]
    account = api.call("POST", "/admin/accounts", account_body(numbers=numbers)).json()
    bodies = ({"name": "Support", "number": BUSINESS, "wrap_up": WRAP_UP},
              {"name": "Escalations", "number": ESCALATIONS,
               "service_levels": {"first_response_minutes": 1, "warn_at_percent": 10}},
              {"name": "Returns", "number": RETURNS})
    support, escalations, returns = (
        api.call("POST", "/admin/workstreams", {"account_id": account["id"], **body}).json() for body in bodies)
    people = {"Ada": ([{"workstream_id": support["id"], "queue": None}], []),
              "Sam": ([], [support["id"], escalations["id"], returns["id"]])}
    for name, (queues, supervises) in people.items():
        assert api.call("POST", "/admin/agents", {"object_id": object_id_of(name), "name": name, "queues": queues,
                                                 "supervises": supervises, "capacity": {"sms": 5}}).status_code == 201
    for phone, name in CUSTOMERS.items():
        assert api.call("POST", "/admin/contacts", {"mobile_phone": phone, "name": name}).status_code == 201
    return {"account": account, "support": support, "returns": returns}


def connected(page: Page) -> None:
    """The page loaded again, once its socket is up: a mention or an alert reaches only a
    connected page (the change feed's re-sync brings lists, not notices)."""
    frames: list[str] = []
    page.on("websocket", lambda socket: socket.on("framereceived", lambda frame: frames.append(frame)))
    page.reload()
    for _ in range(100):
        if any(json.loads(f).get("event") == "connected" for f in frames):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the page's socket did not connect within 10 s")


def test_a_customer_writing_again_shows_on_the_card_and_in_the_title(new_page, api, world, artifacts):
    ada = new_page("Ada", AGENT)
    available(ada, "busy")  # nothing offered: Ada takes each conversation herself
    held(api, world["account"], "+12065550901", "My parcel is late", ADA)
    ben = held(api, world["account"], "+12065550902", "Can I change my address?", ADA)
    text_in(api, world["account"], "+12065550901", "Any news?")  # Maria wrote last
    mine = ada.get_by_role("region", name=re.compile("^Mine"))
    ben_card = mine.get_by_role("link").filter(has_text="Ben Okafor")
    expect(ben_card.locator(".unread-count")).to_have_text("1 unread")  # accepted, not yet opened
    # Maria's card moved up before Ben's is clicked: a card moving between the press and the
    # release of a click takes no click at all
    expect(mine.locator(".inbox-item .who")).to_have_text(["Maria Garcia", "Ben Okafor"])
    open_conversation(ada, "Ben Okafor")
    expect(ben_card.locator(".unread-count")).to_have_count(0)
    open_conversation(ada, "Maria Garcia")
    expect(mine.locator(".inbox-item .who")).to_have_text(["Maria Garcia", "Ben Okafor"])
    expect(mine.locator(".unread-count")).to_have_count(0)
    expect(ada).to_have_title("Inbox · Switchboard")

    text_in(api, world["account"], "+12065550902", "Hello? Are you still there?")
    expect(ben_card.locator(".unread-count")).to_have_text("1 unread")
    expect(ben_card.locator(".card-preview")).to_have_text("Hello? Are you still there?")
    expect(ben_card.locator(".who")).to_have_css("font-weight", "700")
    expect(mine.get_by_role("link").filter(has_text="Maria Garcia").locator(".who")).to_have_css("font-weight", "500")
    expect(mine.locator(".inbox-item .who")).to_have_text(["Ben Okafor", "Maria Garcia"])
    expect(ada).to_have_title("(1) Inbox · Switchboard")
    expect(ada.get_by_role("heading", level=2, name="Maria Garcia")).to_be_visible()  # still the open one
    check_page(ada, "agent-day-unread", artifacts)

    ben_card.click()
    expect(ada.get_by_role("heading", level=2, name="Ben Okafor")).to_be_visible()
    expect(ben_card.locator(".unread-count")).to_have_count(0)
    expect(ada).to_have_title("Inbox · Switchboard")
    assert api.call("GET", f"/conversations/{ben}", as_=ADA).json()["unread"] == 0


def test_an_internal_note_tells_the_teammate_it_names_and_nobody_else(new_page, api, world, artifacts):
    sam = new_page("Sam", SUPERVISOR)
    connected(sam)
    expect(sam.locator(".inbox").get_by_text("Your workstreams' live conversations are on the Supervise page")
           ).to_be_visible()  # not "No conversations here yet"
    check_page(sam, "inbox-supervisor", artifacts)
    ada = new_page("Ada", AGENT)
    available(ada, "busy")
    held(api, world["account"], "+12065550903", "I was charged twice", ADA)
    mine = ada.get_by_role("region", name=re.compile("^Mine"))
    expect(mine.get_by_role("link").filter(has_text="Cleo Park")).to_be_visible(timeout=10_000)
    mine.get_by_role("link").filter(has_text="Cleo Park").click()  # the queue's list may show it a moment longer
    expect(ada.get_by_role("heading", level=2, name="Cleo Park")).to_be_visible()
    reply = ada.get_by_label("Reply to Cleo Park")
    reply.fill("Let me check that for you.")  # a draft the note does not disturb
    sent = len(api.twilio.calls("POST", MESSAGES))

    ada.get_by_role("radio", name="Reply").focus()
    ada.keyboard.press("ArrowRight")  # a radio group: the arrow keys choose
    expect(ada.get_by_role("radio", name="Internal note")).to_be_checked()
    expect(ada.locator(".composer")).to_have_class(re.compile(r"\bnote-mode\b"))
    expect(ada.get_by_role("button", name="Send", exact=True)).to_be_hidden()
    note = ada.get_by_label("Internal note about Cleo Park: only your team sees it")
    note.fill("Charged twice on the 3rd: @sam can you approve the refund?")
    check_page(ada, "agent-day-note-mode", artifacts)
    note.press("Enter")

    written = ada.locator(".message.note").filter(has_text="approve the refund")
    expect(written).to_contain_text("Internal note by Ada")
    expect(written).to_have_css("background-color", "rgb(255, 248, 197)")
    expect(ada.locator(".message.outbound")).to_have_count(0)
    expect(ada.get_by_role("status").filter(has_text="Added; told Sam.")).to_be_visible()
    expect(note).to_have_value("")
    assert len(api.twilio.calls("POST", MESSAGES)) == sent, "a note reaches no provider"

    mentions = sam.get_by_role("list", name="Mentions")
    expect(mentions.get_by_role("link", name="Ada mentioned you in a conversation with Cleo Park")).to_be_visible()
    expect(mentions).not_to_contain_text("refund")
    check_page(sam, "agent-day-mention", artifacts)

    ada.get_by_role("radio", name="Internal note").focus()
    ada.keyboard.press("ArrowLeft")
    expect(reply).to_have_value("Let me check that for you.")
    ada.get_by_role("button", name="Close", exact=True).click()  # the note answered nothing
    question = ada.get_by_role("alertdialog")
    expect(question).to_contain_text("1 customer message has no answer yet. Close anyway?")
    expect(question.get_by_role("button", name="Keep open")).to_be_focused()
    ada.keyboard.press("Escape")
    expect(question).to_have_count(0)
    reply.press("Enter")
    expect(ada.locator(".message.outbound").filter(has_text="Let me check that for you.")).to_be_visible()
    assert len(api.twilio.calls("POST", MESSAGES)) == sent + 1
    check_page(ada, "agent-day-note", artifacts)


def test_closing_records_the_wrap_up(new_page, api, world, artifacts):
    ada = new_page("Ada", AGENT)
    available(ada, "busy")
    held(api, world["account"], "+12065550904", "Please cancel my order", ADA)
    open_conversation(ada, "Dev Patel")
    close = ada.get_by_role("button", name="Close", exact=True)

    close.click()
    dialog = ada.get_by_role("alertdialog", name="1 customer message has no answer yet. Close anyway?")
    expect(dialog).to_contain_text("Close the conversation with Dev Patel")
    expect(dialog.get_by_role("button", name="Keep open")).to_be_focused()
    disposition = dialog.get_by_label("Disposition (required)")
    expect(disposition.locator("option")).to_have_text(["Choose one", "Resolved", "Refund issued"])
    ada.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(close).to_be_focused()

    close.click()
    check_page(ada, "agent-day-close-dialog", artifacts)
    dialog.get_by_role("button", name="Close anyway").click()  # no disposition: refused beside the select
    expect(disposition).to_have_attribute("aria-invalid", "true")
    expect(ada.locator("#close-disposition-error")).to_have_text("Disposition is needed to close: one of Resolved, Refund issued")
    assert disposition.get_attribute("aria-describedby") == "close-disposition-error"
    expect(disposition).to_be_focused()
    assert api.call("GET", f"/conversations/{conversation_id(ada)}").json()["state"] == "active"
    check_page(ada, "agent-day-close-refused", artifacts)

    disposition.select_option("Refund issued")
    dialog.get_by_label("Note (optional)").fill("Refunded the delivery fee; order cancelled.")
    dialog.get_by_role("button", name="Close anyway").click()
    expect(ada.get_by_text("This conversation is closed.")).to_be_visible()
    expect(ada.locator(".pane-header .badge.disposition")).to_have_text("Disposition: Refund issued")
    expect(ada.locator(".message.note").filter(has_text="Refunded the delivery fee")).to_contain_text(
        "Internal note by Ada")
    stored = api.call("GET", f"/conversations/{conversation_id(ada)}").json()
    assert (stored["state"], stored["disposition"]) == ("closed", "Refund issued")
    check_page(ada, "agent-day-closed", artifacts)


def test_an_admin_sets_the_wrap_up(new_page, api, world, artifacts):
    grace = new_page("Grace", ADMIN)
    grace.goto(f"/#/admin/workstreams/{world['returns']['id']}")
    wrap_up = grace.get_by_role("group", name="Wrap-up")
    required = wrap_up.get_by_label("Agents must pick a disposition to close")
    required.check()
    grace.get_by_role("button", name="Save workstream").click()
    expect(required).to_have_attribute("aria-invalid", "true")
    expect(grace.locator("#field-wrap_up-required-error")).to_have_text("needs at least one disposition to choose from")
    assert required.get_attribute("aria-describedby") == "field-wrap_up-required-error"
    expect(grace.get_by_role("alert")).to_contain_text(
        "Agents must pick a disposition to close: needs at least one disposition to choose from")
    assert api.call("GET", f"/admin/workstreams/{world['returns']['id']}").json()["wrap_up"]["required"] is False
    wrap_up.scroll_into_view_if_needed()
    check_page(grace, "admin-wrap-up-error", artifacts)

    for i, name in enumerate(("Resolved", "Refund issued"), start=1):
        wrap_up.get_by_role("button", name="Add Disposition").click()
        wrap_up.get_by_label(f"Disposition {i}", exact=True).fill(name)
    save_workstream(grace)
    expect(grace.get_by_role("alert")).to_have_count(0)
    saved = api.call("GET", f"/admin/workstreams/{world['returns']['id']}").json()["wrap_up"]
    assert saved == {"dispositions": ["Resolved", "Refund issued"], "required": True}
    wrap_up.scroll_into_view_if_needed()
    check_page(grace, "admin-wrap-up", artifacts)


def test_a_supervisor_hears_of_a_warning_in_a_workstream_he_supervises(new_page, api, world, artifacts):
    sam = new_page("Sam", SUPERVISOR)
    sam.get_by_role("navigation", name="Main").get_by_role("link", name="Supervise").click()
    connected(sam)
    text_in(api, world["account"], "+12065550905", "Is my refund through?", To=ESCALATIONS)  # nobody works it

    alerts = sam.get_by_role("list", name="Service-level alerts")
    expect(alerts.get_by_role("link", name="First response for Zoe Quinn is due soon")).to_be_visible(timeout=15_000)
    expect(alerts).not_to_contain_text("refund")
    link = alerts.get_by_role("link").first.get_attribute("href")
    [waiting] = [c["id"] for c in api.call("GET", "/conversations").json()["conversations"]
                 if c["customer"] == "+12065550905"]
    assert link == f"#/inbox/{waiting}"
    check_page(sam, "agent-day-supervisor-alert", artifacts)
