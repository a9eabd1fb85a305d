"""Work distribution in the browser, through the local host with Twilio's stand-in: a
customer's signed webhook shows as an offer in the right agent's inbox within 3 s (the
change feed, no reload), who accepts, answers, sees it delivered, uses a quick reply and
transfers it to another agent, who closes it; a declined offer taken later from the queue;
offers by keyboard on a phone; a supervisor assigning a waiting conversation; an admin's
view of everyone's; a send whose answer was lost goes out once (its Idempotency-Key), and
one the provider could not take yet shows "retrying"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from localhost.easyauth import object_id_of
from tests.browser.customers import (
    MESSAGES, answer_sends, conversation_id, deliver_last_reply, last_sent, open_conversation, text_in,
)
from tests.browser.support import check_page
from tests.support.twilio import BUSINESS, account_body

AGENT, SUPERVISOR = "Switchboard.Agent", "Switchboard.Supervisor"
SALES = "+14252306550"
QUICK_REPLY = {"name": "Anything else", "text": "Anything else I can do? {{agent_name}}"}


@pytest.fixture(scope="module")
def extra_env() -> dict[str, str]:
    return {"OUTBOX_MAX_ATTEMPTS": "12"}  # a send meeting a 503 is still retrying however slow the machine


@pytest.fixture(autouse=True)
def sends_answered(api) -> None:
    """Each test starts with Twilio taking every message: a failing test leaves no 503 behind."""
    answer_sends(api)


@pytest.fixture(scope="module")
def world(api) -> dict:
    """Support (push) with a billing queue, Sales; Ada works Support's unqueued conversations,
    Bo billing and Sales; Sue supervises Support."""
    answer_sends(api)
    numbers = [{"number": BUSINESS, "type": "long_code"}, {"number": SALES, "type": "long_code"}]
    account = api.call("POST", "/admin/accounts", account_body(numbers=numbers)).json()
    support, sales = (api.call("POST", "/admin/workstreams", body).json() for body in (
        {"name": "Support", "account_id": account["id"], "number": BUSINESS, "queues": ["billing"],
         "quick_replies": [QUICK_REPLY], "distribution": {"mode": "push", "offer_timeout_seconds": 300}},
        {"name": "Sales", "account_id": account["id"], "number": SALES}))
    people = {"Ada": ([{"workstream_id": support["id"], "queue": None}], []),
              "Bo": ([{"workstream_id": support["id"], "queue": "billing"}, {"workstream_id": sales["id"], "queue": None}], []),
              "Sue": ([], [support["id"]])}
    for name, (queues, supervises) in people.items():
        assert api.call("POST", "/admin/agents", {"object_id": object_id_of(name), "name": name, "queues": queues,
                                                 "supervises": supervises, "capacity": {"sms": 5}}).status_code == 201
    return {"account": account, "support": support}


def available(page: Page, presence: str = "available") -> None:
    """Set and wait for the API's answer: what a test does next finds the agent so."""
    with page.expect_response(lambda r: r.url.endswith("/api/me/presence") and r.request.method == "PUT"):
        page.get_by_label("Presence").select_option(presence)
    expect(page.get_by_label("Presence")).to_have_value(presence)


def offer_of(page: Page, customer: str):
    return page.get_by_role("region", name=re.compile("^Offers")).get_by_role("link").filter(has_text=customer)


def mine(page: Page):
    return page.get_by_role("region", name=re.compile("^Mine"))


def test_an_offer_reaches_the_right_agent_who_answers_and_transfers(new_page, api, world, artifacts):
    ada, bo = new_page("Ada", AGENT), new_page("Bo", AGENT)
    available(ada)
    available(bo)
    expect(ada.locator("#free-capacity")).to_have_text("Free: SMS 5 of 5 · WhatsApp 3 of 3")
    text_in(api, world["account"], "+12065550160", "Is my parcel late?")
    # pushed, without a reload (how fast: `make bench`, webhook to offer)
    expect(offer_of(ada, "+12065550160")).to_be_visible(timeout=10_000)
    expect(ada.locator(".workspace > [aria-live]")).to_have_text("New offer: +12065550160")
    expect(ada.locator(".offer .countdown")).to_have_text(re.compile(r"^Offer ends in [0-5]:\d\d$"))
    expect(ada.locator("#free-capacity")).to_contain_text("SMS 4 of 5")
    expect(bo.get_by_text("No conversations here yet.")).to_be_visible()
    check_page(ada, "workspace-offer", artifacts)

    keys: list[str | None] = []
    ada.on("request", lambda r: keys.append(r.headers.get("idempotency-key"))
           if r.method == "POST" and r.url.endswith("/messages") else None)
    ada.get_by_role("button", name="Accept +12065550160").click()
    expect(ada.get_by_text("Held by Ada")).to_be_visible()
    expect(mine(ada).get_by_role("link").filter(has_text="+12065550160")).to_be_visible()
    box = ada.get_by_label("Reply to +12065550160")
    box.fill("It left this morning.")
    box.press("Enter")
    expect(ada.locator(".message.outbound").filter(has_text="It left this morning.")).to_contain_text("Queued")
    assert last_sent(api)["Body"] == ["It left this morning."] and last_sent(api)["To"] == ["+12065550160"]
    deliver_last_reply(api, world["account"], ada)
    expect(ada.locator(".message.outbound").filter(has_text="It left")).to_contain_text("Delivered", timeout=10_000)
    ada.get_by_text("Quick replies").click()
    ada.get_by_role("button", name="Anything else").click()
    expect(box).to_have_value("Anything else I can do? Ada")
    box.press("Enter")
    expect(ada.locator(".message.outbound").filter(has_text="Anything else I can do?")).to_be_visible()
    assert len(keys) == 2 and None not in keys and len(set(keys)) == 2, "one Idempotency-Key per message"

    ada.locator("summary", has_text="Transfer").click()
    expect(ada.get_by_role("option", name="Bo (Available, 5 of 5 SMS free)")).to_be_attached()  # presence, room
    check_page(ada, "workspace-transfer", artifacts)
    ada.get_by_label("Transfer to").select_option(f"agent:{object_id_of('Bo')}")
    ada.get_by_role("button", name="Transfer", exact=True).click()
    expect(ada.get_by_text("Held by Bo")).to_be_visible()
    expect(ada.locator(".history")).to_contain_text("Transferred to Bo by Ada")
    actions = ada.get_by_role("group", name="Conversation actions")  # Bo's now: nothing for Ada to take or close
    expect(actions.get_by_role("button", name="Accept")).to_have_count(0)
    expect(actions.get_by_role("button", name="Close")).to_have_count(0)
    expect(ada.get_by_role("region", name=re.compile("^Mine"))).to_have_count(0)
    expect(box).to_have_count(0)  # no reply that could only be refused: a note for Bo instead
    expect(ada.locator("#reply-refused")).to_have_text("Bo holds this conversation: add an internal note for them.")
    expect(ada.get_by_label("Internal note about +12065550160: only your team sees it")).to_be_visible()
    check_page(ada, "workspace-held-by-another", artifacts)
    expect(mine(bo).get_by_role("link").filter(has_text="+12065550160")).to_be_visible(timeout=10_000)
    open_conversation(bo, "+12065550160")
    bo.get_by_role("button", name="Close").click()
    expect(bo.get_by_text("This conversation is closed.")).to_be_visible()
    expect(bo.locator(".history")).to_contain_text("Closed by Bo")
    check_page(bo, "workspace-closed", artifacts)


def test_a_declined_offer_is_taken_later_from_the_queue(new_page, api, world):
    ada = new_page("Ada", AGENT)
    ada.get_by_label("Sound on a new offer").check()
    ada.reload()
    expect(ada.get_by_label("Sound on a new offer")).to_be_checked()  # kept in this browser
    available(ada)
    text_in(api, world["account"], "+12065550161", "Hello?")
    expect(offer_of(ada, "+12065550161")).to_be_visible(timeout=10_000)
    ada.get_by_role("button", name="Decline +12065550161").click()
    expect(offer_of(ada, "+12065550161")).to_have_count(0)
    queue = ada.get_by_role("region", name=re.compile(r"^Queue: .* no queue"))
    expect(queue.get_by_role("link").filter(has_text="+12065550161")).to_be_visible(timeout=5_000)
    check_page(ada, "workspace-queue")
    ada.get_by_role("button", name="Take +12065550161").click()
    expect(ada.get_by_text("Held by Ada")).to_be_visible()
    expect(ada.locator(".history")).to_contain_text("Declined by Ada")
    expect(ada.locator(".history")).to_contain_text("Accepted by Ada")
    ada.get_by_role("button", name="Close").click()
    ada.get_by_role("alertdialog").get_by_role("button", name="Close anyway").click()  # "Hello?" has no answer
    expect(ada.get_by_text("This conversation is closed.")).to_be_visible()

    ada.get_by_label("Workstream").select_option(label="Support")  # named by GET /api/workstreams/{id}
    ada.get_by_label("State").select_option("closed")
    closed = ada.get_by_role("region", name=re.compile("^Closed"))
    expect(closed.get_by_role("link").filter(has_text="+12065550161")).to_be_visible()
    expect(ada.get_by_label("Workstream").locator("option")).to_have_text(["All workstreams", "Support"])  # hers


def test_a_queue_that_changes_leaves_the_agents_other_queues_on_screen(new_page, api, world):
    bo = new_page("Bo", AGENT)
    available(bo, "away")  # nothing offered: what comes waits in Bo's queues
    text_in(api, world["account"], "+12065550171", "Sales question", To=SALES)
    sales = bo.get_by_role("region", name=re.compile(r"^Queue: Sales · no queue"))
    expect(sales.get_by_role("link").filter(has_text="+12065550171")).to_be_visible(timeout=5_000)
    text_in(api, world["account"], "+12065550172", "Billing question")
    support = next(c for c in api.call("GET", "/conversations").json()["conversations"]
                   if c["customer"] == "+12065550172")
    moved = api.call("POST", f"/conversations/{support['id']}/transfer", {"queue": "billing"})
    assert moved.status_code == 200, moved.text
    billing = bo.get_by_role("region", name=re.compile(r"^Queue: Support · billing"))
    expect(billing.get_by_role("link").filter(has_text="+12065550172")).to_be_visible(timeout=5_000)
    expect(sales.get_by_role("link").filter(has_text="+12065550171")).to_be_visible()  # its list did not change


def test_closed_shows_every_queue_s_closed_conversations_at_once(new_page, api, world):
    bo = new_page("Bo", AGENT)
    available(bo, "away")
    text_in(api, world["account"], "+12065550173", "Sales, then done", To=SALES)
    bo.get_by_role("button", name="Take +12065550173").click()
    expect(bo.get_by_text("Held by Bo")).to_be_visible()
    bo.get_by_role("button", name="Close").click()
    bo.get_by_role("alertdialog").get_by_role("button", name="Close anyway").click()
    expect(bo.get_by_text("This conversation is closed.")).to_be_visible()
    bo.get_by_label("State").select_option("closed")  # Bo's first queue, Support's billing, has none closed
    closed = bo.get_by_role("region", name=re.compile("^Closed"))
    expect(closed.get_by_role("link").filter(has_text="+12065550173")).to_be_visible()
    expect(closed.get_by_text("No closed conversations")).to_have_count(0)


def test_offers_by_keyboard_on_a_phone(new_page, api, world, artifacts):
    ada = new_page("Ada", AGENT, phone=True)
    available(ada)
    text_in(api, world["account"], "+12065550164", "Typing only")
    expect(offer_of(ada, "+12065550164")).to_be_visible(timeout=10_000)
    assert ada.evaluate("document.documentElement.scrollWidth") <= 390, "nothing wider than the screen"
    check_page(ada, "workspace-offer-phone", artifacts)
    accept = ada.get_by_role("button", name="Accept +12065550164")
    for _ in range(40):
        ada.keyboard.press("Tab")
        if accept.evaluate("(button) => button === document.activeElement"):
            break
    assert ada.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    ada.keyboard.press("Enter")
    expect(ada.get_by_text("Held by Ada")).to_be_visible()
    box = ada.get_by_label("Reply to +12065550164")
    for _ in range(40):
        ada.keyboard.press("Tab")
        if box.evaluate("(box) => box === document.activeElement"):
            break
    ada.keyboard.type("On my way.")
    ada.keyboard.press("Enter")
    expect(ada.locator(".message.outbound").filter(has_text="On my way.")).to_be_visible()
    ada.get_by_role("button", name="Close").press("Enter")
    expect(ada.get_by_text("This conversation is closed.")).to_be_visible()


def test_a_supervisor_assigns_a_waiting_conversation(new_page, api, world, artifacts):
    ada = new_page("Ada", AGENT)
    available(ada, "busy")  # nobody available: it waits in the queue
    text_in(api, world["account"], "+12065550162", "Anyone there?")
    sue = new_page("Sue", SUPERVISOR)
    sue.get_by_role("link", name="Supervise").click()
    row = sue.get_by_role("row").filter(has_text="+12065550162")
    expect(row).to_be_visible()
    expect(sue.get_by_role("region", name="Agents").get_by_role("row").filter(has_text="Ada")).to_contain_text("busy")
    expect(row.get_by_role("option", name=re.compile(r"^Ada \(Busy, [1-5] of 5 SMS free\)$"))).to_be_attached()
    row.get_by_label("Agent for +12065550162").select_option(object_id_of("Ada"))
    row.get_by_role("button", name="Assign").click()
    expect(row).to_contain_text("Ada")
    unqueued = sue.locator(".tile.queue.unqueued")  # the live tiles follow the assignment too
    expect(unqueued.locator(".figure")).to_have_text("0 waiting", timeout=5_000)
    expect(unqueued).to_contain_text("1 active")
    check_page(sue, "supervisor", artifacts)
    expect(mine(ada).get_by_role("link").filter(has_text="+12065550162")).to_be_visible(timeout=10_000)
    open_conversation(ada, "+12065550162")
    expect(ada.locator(".history")).to_contain_text("Assigned to Ada by Sue")

    sue.set_viewport_size({"width": 390, "height": 844})
    assert sue.evaluate("document.documentElement.scrollWidth") <= 390, "nothing wider than the screen"
    check_page(sue, "supervisor-phone", artifacts)


def test_a_send_goes_out_once_and_one_the_provider_could_not_take_yet_says_retrying(new_page, api, world):
    ada = new_page("Ada", AGENT)
    available(ada)
    text_in(api, world["account"], "+12065550163", "Ping")
    ada.get_by_role("button", name="Accept +12065550163").click()
    expect(ada.get_by_text("Held by Ada")).to_be_visible()  # accepted before the reply: no commit races it
    lost = []

    def lose_the_first_answer(route):
        if lost:
            route.continue_()
            return
        lost.append(route.fetch().status)  # Switchboard sent it; the browser never hears back
        route.abort()

    ada.route(re.compile(r"/api/conversations/[^/]+/messages$"), lose_the_first_answer)
    box = ada.get_by_label("Reply to +12065550163")
    box.fill("Just once.")
    box.press("Enter")
    expect(ada.get_by_role("alert")).to_contain_text("Send again: it goes out once.")
    box.press("Enter")
    expect(ada.locator(".message.outbound").filter(has_text="Just once.")).to_have_count(1)
    assert lost == [201]
    assert [c.form["Body"] for c in api.twilio.calls("POST", MESSAGES)].count(["Just once."]) == 1

    api.twilio.on("POST", MESSAGES, (503, {"code": 20500, "message": "Service unavailable"}))
    box.fill("After a pause.")
    box.press("Enter")
    # The send is tried once while it waits (three test workers on two cores can take seconds).
    expect(ada.get_by_role("status").filter(has_text="Still sending")).to_be_visible(timeout=15_000)
    expect(ada.locator(".message.outbound").filter(has_text="After a pause.")).to_contain_text("Retrying")
    answer_sends(api)
    # the next try comes after a backoff that doubles each time (seconds here, with jitter)
    expect(ada.locator(".message.outbound").filter(has_text="After a pause.")).to_contain_text("Queued", timeout=45_000)
    expect(ada.get_by_role("status").filter(has_text="Still sending")).to_have_count(0)  # it went out
    conversation = api.call("GET", f"/conversations/{conversation_id(ada)}").json()
    assert conversation["state"] == "active"


def test_an_admin_sees_everyones_newest_and_every_workstream(new_page, api, world):
    text_in(api, world["account"], "+12065550165", "For sales", To=SALES)
    grace = new_page("Grace", "Switchboard.Admin")
    everyone = grace.get_by_role("region", name=re.compile("^Everyone's, newest"))
    expect(everyone.get_by_role("link").filter(has_text="+12065550165")).to_be_visible()
    grace.get_by_role("link", name="Supervise").click()
    for name in ("Support", "Sales"):
        expect(grace.get_by_role("heading", level=3, name=re.compile(f"^{name}"))).to_be_visible()
    check_page(grace, "supervisor-admin")


def test_a_workstream_given_while_the_page_is_open_is_shown_by_its_name(new_page, api, world):
    """Cal's page is open when an admin makes the Returns workstream and puts Cal in it:
    its first offer names it, as do the filters, with no reload."""
    assert api.call("POST", "/admin/agents", {"object_id": object_id_of("Cal"), "name": "Cal", "queues": [],
                                             "capacity": {"sms": 5}}).status_code == 201
    cal = new_page("Cal", AGENT)
    available(cal)
    returns_line = "+14252306551"
    account = api.call("POST", "/admin/accounts", account_body(
        name="Returns line", numbers=[{"number": returns_line, "type": "long_code"}])).json()
    returns = api.call("POST", "/admin/workstreams", {
        "name": "Returns", "account_id": account["id"], "number": returns_line,
        "distribution": {"mode": "push", "offer_timeout_seconds": 300}}).json()
    assert api.call("PATCH", f"/admin/agents/{object_id_of('Cal')}",
                    {"queues": [{"workstream_id": returns["id"], "queue": None}]}).status_code == 200
    text_in(api, account, "+12065550169", "Where do I send it back?", To=returns_line)
    expect(offer_of(cal, "+12065550169")).to_be_visible(timeout=5_000)
    expect(cal.get_by_label("Workstream").locator("option")).to_have_text(["All workstreams", "Returns"])


def test_an_offer_shows_whatever_is_searched_or_filtered(new_page, api, world, artifacts):
    """Every offer lapses unanswered, and that sets the agent away: neither a search nor a
    filter hides one."""
    ada = new_page("Ada", AGENT)
    available(ada)
    box = ada.get_by_role("search", name="Search conversations").get_by_label("Search: number, name, label or id")
    box.fill("+12065550160")
    box.press("Enter")
    expect(ada.get_by_role("region", name=re.compile("^Results for"))).to_be_visible()
    text_in(api, world["account"], "+12065550174", "Anyone there?")
    expect(offer_of(ada, "+12065550174")).to_be_visible(timeout=10_000)
    check_page(ada, "offer-while-searching", artifacts)
    ada.get_by_role("button", name="Decline +12065550174").click()
    expect(offer_of(ada, "+12065550174")).to_have_count(0)
    text_in(api, world["account"], "+12065550175", "Hello, sales?", To=SALES)  # Sales: not the filter's
    bo = new_page("Bo", AGENT)
    available(bo)
    expect(offer_of(bo, "+12065550175")).to_be_visible(timeout=10_000)
    bo.get_by_label("Workstream").select_option(label="Support")
    text_in(api, world["account"], "+12065550176", "Another sales question", To=SALES)
    expect(offer_of(bo, "+12065550176")).to_be_visible(timeout=10_000)
    expect(offer_of(bo, "+12065550175")).to_be_visible()
    check_page(bo, "offer-while-filtered", artifacts)


def test_the_transfer_panel_shows_each_agent_as_they_are_when_it_opens(new_page, api, world):
    """A refusal is about the choice it was made for: reopened, the panel reads the agents
    again, and what was refused is gone."""
    bo_id = object_id_of("Bo")
    new_page("Bo", AGENT)  # signed in once: someone who can answer it
    ada = new_page("Ada", AGENT)
    available(ada)
    text_in(api, world["account"], "+12065550177", "Can someone help?")
    expect(offer_of(ada, "+12065550177")).to_be_visible(timeout=10_000)
    ada.get_by_role("button", name="Accept +12065550177").click()
    expect(ada.get_by_text("Held by Ada")).to_be_visible()
    assert api.call("PATCH", f"/admin/agents/{bo_id}", {"capacity": {"sms": 0}}).status_code == 200
    panel = ada.locator("details.transfer")
    panel.locator("summary").click()
    ada.get_by_label("Transfer to").select_option(value=f"agent:{bo_id}")
    panel.get_by_role("button", name="Transfer").click()
    refused = ada.locator(".pane-header .notice.error")
    expect(refused).to_have_text("Bo has no free capacity for SMS conversations")
    assert api.call("PATCH", f"/admin/agents/{bo_id}", {"capacity": {"sms": 50}}).status_code == 200
    panel.locator("summary").click()  # closed
    expect(refused).to_have_count(0)
    panel.locator("summary").click()  # and opened again
    expect(ada.get_by_role("option", name=re.compile(r"^Bo \(.*, \d+ of 50 SMS free\)$"))).to_be_attached()
    assert api.call("PATCH", f"/admin/agents/{bo_id}", {"capacity": {"sms": 40}}).status_code == 200
    # while it stays open, read again every 10 s
    expect(ada.get_by_role("option", name=re.compile(r"^Bo \(.*, \d+ of 40 SMS free\)$"))).to_be_attached(timeout=15_000)
    ada.get_by_label("Transfer to").select_option(value=f"agent:{bo_id}")
    panel.get_by_role("button", name="Transfer").click()
    expect(ada.get_by_text("Held by Bo")).to_be_visible()
