"""The default-queue trap: a workstream with queues and no default queue leaves the
conversations no routing rule places unqueued, offered to nobody unless someone works its
unqueued conversations. The admin's workstream form warns of it beside the default-queue
control (saving stays possible) and stops once a default queue is picked; on Supervise such
a conversation reads "Unqueued", in the live tiles and in the live conversations table."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from localhost.easyauth import object_id_of
from tests.browser.customers import answer_sends, text_in
from tests.browser.support import check_page, save_workstream
from tests.support.twilio import BUSINESS, BUSINESS_E164, account_body

ADMIN, SUPERVISOR = "Switchboard.Admin", "Switchboard.Supervisor"
TRAP_NUMBER = "+14252306553"
WARNING = ("Conversations that no routing rule places will wait unqueued: no agent works this workstream's "
           "unqueued conversations, so they are offered to nobody and only supervisors and admins see them, marked "
           "Unqueued on Supervise. Pick a default queue, or add a last routing rule whose only condition is "
           "\"customer exists\", to queue every conversation.")


@pytest.fixture(scope="module")
def account(api) -> dict:
    answer_sends(api)
    numbers = [{"number": n, "type": "long_code"} for n in (BUSINESS, TRAP_NUMBER)]
    return api.call("POST", "/admin/accounts", account_body(numbers=numbers)).json()


def saved_workstream(api, name: str) -> dict:
    found = [w for w in api.call("GET", "/admin/workstreams").json()["workstreams"] if w["name"] == name]
    return found[0] if found else {}


def test_the_form_warns_of_queues_without_a_default_queue(new_page, api, account, artifacts):
    grace = new_page("Grace", ADMIN)
    grace.get_by_role("link", name="Workstreams").click()
    grace.get_by_role("link", name="New workstream").click()
    grace.get_by_label("Name", exact=True).fill("Support")
    grace.get_by_label("Number or channel").select_option(BUSINESS_E164)
    warning = grace.get_by_role("status").filter(has_text="will wait unqueued")
    default = grace.get_by_label("Default queue", exact=True)
    expect(default).to_have_value("")
    expect(warning).to_have_count(0)  # no queues: nothing to fall through to
    assert default.get_attribute("aria-describedby") is None

    grace.get_by_role("button", name="Add Queue").click()
    grace.get_by_label("Queue 1", exact=True).fill("general")
    expect(warning).to_have_text(WARNING)
    note = grace.locator("#default-queue-warning")
    expect(note).to_be_visible()
    assert default.get_attribute("aria-describedby") == "default-queue-warning"
    check_page(grace, "admin-workstream-unqueued-warning", artifacts)

    # A warning, not an error: the workstream saves as it is.
    grace.get_by_role("button", name="Create workstream").click()
    expect(grace.get_by_role("heading", name="Support")).to_be_visible()
    expect(grace.get_by_role("alert")).to_have_count(0)
    created = saved_workstream(api, "Support")
    assert created["queues"] == ["general"] and created["default_queue"] is None
    expect(warning).to_have_text(WARNING)  # the saved workstream still has the trap

    default.select_option("general")
    expect(warning).to_have_count(0)
    expect(note).to_have_count(0)
    assert default.get_attribute("aria-describedby") is None
    save_workstream(grace)
    assert saved_workstream(api, "Support")["default_queue"] == "general"
    check_page(grace, "admin-workstream-default-queue", artifacts)


def test_a_conversation_no_rule_places_shows_as_unqueued_on_supervise(new_page, api, account, artifacts):
    trap = api.call("POST", "/admin/workstreams", {
        "account_id": account["id"], "name": "Trap desk", "number": TRAP_NUMBER,
        "queues": ["general", "billing"], "default_queue": None,
        "routing_rules": [{"name": "Billing", "queue": "billing",
                           "conditions": [{"field": "body", "operator": "contains", "value": "invoice"}]}]}).json()
    for name, queues, supervises in (("Ada", [{"workstream_id": trap["id"], "queue": "general"},
                                             {"workstream_id": trap["id"], "queue": "billing"}], []),
                                     ("Sue", [], [trap["id"]])):
        assert api.call("POST", "/admin/agents", {"object_id": object_id_of(name), "name": name, "queues": queues,
                                                 "supervises": supervises, "capacity": {"sms": 5}}).status_code == 201
    text_in(api, account, "+12065550190", "Hello, anyone there?", To=TRAP_NUMBER)  # no rule places it
    text_in(api, account, "+12065550191", "My invoice is wrong", To=TRAP_NUMBER)  # the billing rule

    sue = new_page("Sue", SUPERVISOR)
    sue.get_by_role("link", name="Supervise").click()
    board = sue.get_by_role("region", name=re.compile("^Trap desk"))
    expect(board).to_be_visible()
    unqueued = board.locator(".tile.queue").filter(has=sue.locator(".tile-title", has_text=re.compile("^Unqueued$")))
    expect(unqueued).to_have_count(1)
    expect(unqueued.locator(".figure")).to_have_text("1 waiting")
    expect(unqueued).to_have_class(re.compile(r"\bunqueued\b.*\bbusy\b"))
    billing = board.locator(".tile.queue").filter(has=sue.locator(".tile-title", has_text=re.compile("^Queue billing$")))
    expect(billing.locator(".figure")).to_have_text("1 waiting")
    expect(board.locator(".tile-title").filter(has_text=re.compile("^$"))).to_have_count(0)  # no blank tile

    table = board.get_by_role("table", name="Live conversations")
    expect(table.locator("thead")).to_contain_text("Queue")  # read: its columns are there to count
    queue_column = [t.strip() for t in table.locator("thead th").all_inner_texts()].index("Queue")
    hello = table.get_by_role("row").filter(has_text="+12065550190")
    expect(hello.get_by_role("cell").nth(queue_column)).to_have_text("Unqueued")
    expect(hello.get_by_role("cell").nth(queue_column).locator(".badge.warn")).to_have_text("Unqueued")
    invoice = table.get_by_role("row").filter(has_text="+12065550191")
    expect(invoice.get_by_role("cell").nth(queue_column)).to_have_text("billing")
    expect(invoice.locator(".badge.warn")).to_have_count(0)
    check_page(sue, "supervise-unqueued", artifacts)
