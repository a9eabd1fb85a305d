"""Service levels in the browser, with Twilio's stand-in: Support promises a first response
within 5 minutes, warning at half of it. Customers' messages are ingested through the engine
with its clock set back (as the workspace's WhatsApp test does), so one is already late,
another has its warning due in seconds; the local host's timer records them as it would.
Ada's cards show each conversation's clock due next (red and "late", amber, or the time
left), "Due first" puts the most urgent first and is remembered, the conversation pane
shows its running clock, and the warning recorded while she holds a conversation reaches
her as an alert naming the customer. An admin's service levels: a refused setting is named
beside its field, valid ones are saved. axe-core finds nothing on either page."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from itertools import count

import pytest
from playwright.sync_api import Page, expect

from core.messages import InboundMessage
from functions.settings import Settings
from functions.wiring import build
from localhost.easyauth import object_id_of
from tests.browser.customers import answer_sends
from tests.browser.support import check_page, save_workstream
from tests.conftest import FakeClock
from tests.support.twilio import BUSINESS, BUSINESS_E164, account_body

AGENT, ADMIN = "Switchboard.Agent", "Switchboard.Admin"
SALES_NUMBER = "+14252306561"
TARGETS = {"first_response_minutes": 5, "warn_at_percent": 50}  # warned after 2.5 minutes
CUSTOMERS = {"+12065550181": "Ana Lima", "+12065550182": "Ben Okafor", "+12065550183": "Cleo Park",
             "+12065550184": "Dev Patel"}
ADA = ("Ada", "agent")
_SIDS = count(1)


@pytest.fixture(scope="module")
def extra_env() -> dict[str, str]:
    return {"DISTRIBUTION_SCHEDULE": "*/1 * * * * *"}  # the timer that records warnings and breaches


@pytest.fixture(scope="module")
def world(api) -> dict:
    """Support (with the targets) and Sales (none yet) on one account; Ada works Support."""
    answer_sends(api)
    numbers = [{"number": n, "type": "long_code"} for n in (BUSINESS, SALES_NUMBER)]
    account = api.call("POST", "/admin/accounts", account_body(numbers=numbers)).json()
    support, sales = (api.call("POST", "/admin/workstreams", {"account_id": account["id"], **body}).json() for body in (
        {"name": "Support", "number": BUSINESS, "service_levels": TARGETS},
        {"name": "Sales", "number": SALES_NUMBER}))
    ada = {"object_id": object_id_of("Ada"), "name": "Ada", "capacity": {"sms": 5},
           "queues": [{"workstream_id": support["id"], "queue": None}]}
    assert api.call("POST", "/admin/agents", ada).status_code == 201
    for phone, name in CUSTOMERS.items():
        assert api.call("POST", "/admin/contacts", {"mobile_phone": phone, "name": name}).status_code == 201
    workstreams = build(Settings.from_env(api.env)).stores.workstreams  # it served before the clock set back
    stored, etag = workstreams.get_for_update(support["id"])
    workstreams.replace(replace(stored, created_at=stored.created_at - timedelta(hours=1)), etag)
    return {"account": account, "support": support, "sales": sales}


def held_since(api, world: dict, customer: str, ago: timedelta) -> str:
    """The customer's message, ingested with the engine's clock ``ago`` in the past, taken by Ada now."""
    services = build(Settings.from_env(api.env), clock=FakeClock(datetime.now(timezone.utc) - ago))
    stored = services.stores.accounts.get(world["account"]["id"])
    message = InboundMessage(provider="twilio", account_id=stored.id, provider_message_id=f"SMsla{next(_SIDS):029d}",
                             business=BUSINESS_E164, customer=customer, body="Where is my order?")
    cid = services.messaging.ingest.message(stored, message, "").conversation_id
    accepted = api.call("POST", f"/conversations/{cid}/accept", as_=ADA)
    assert accepted.status_code == 200, accepted.text
    return cid


def presence(page: Page, value: str) -> None:
    with page.expect_response(lambda r: r.url.endswith("/api/me/presence") and r.request.method == "PUT"):
        page.get_by_label("Presence").select_option(value)


def names(region) -> list[str]:
    return region.locator(".inbox-item .who").all_inner_texts()


def chip(region, name: str):
    return region.get_by_role("link").filter(has_text=name).locator(".badge.due")


def test_cards_show_the_clock_due_next_and_sort_by_it(new_page, api, world, artifacts):
    ada = new_page("Ada", AGENT)
    presence(ada, "busy")  # nothing offered: Ada takes each conversation herself
    late = held_since(api, world, "+12065550181", timedelta(minutes=8))  # due 3 minutes ago
    answered = held_since(api, world, "+12065550184", timedelta(minutes=1))
    reply = api.call("POST", f"/conversations/{answered}/messages", {"body": "On it."}, as_=ADA)
    assert reply.status_code in (201, 202), reply.text
    held_since(api, world, "+12065550183", timedelta(0))  # due in 5 minutes
    held_since(api, world, "+12065550182", timedelta(seconds=110))  # warned in 40 s (once held), due in 3 min 10 s

    # The warning recorded while Ada holds it: an alert naming the customer, nothing of the messages.
    alerts = ada.get_by_role("list", name="Service-level alerts")
    expect(alerts.get_by_role("link", name="First response for Ben Okafor is due soon")).to_be_visible(timeout=60_000)
    expect(alerts).not_to_contain_text("Where is my order")

    mine = ada.get_by_role("region", name=re.compile("^Mine"))
    expect(chip(mine, "Ana Lima")).to_have_text(re.compile(r"^First response [345] min late"))
    expect(chip(mine, "Ana Lima")).to_have_class(re.compile(r"\bdue-late\b"))
    expect(chip(mine, "Ben Okafor")).to_have_text(re.compile(r"^First response in [123] min"))
    expect(chip(mine, "Ben Okafor")).to_have_class(re.compile(r"\bdue-soon\b"))
    expect(chip(mine, "Cleo Park")).to_have_text(re.compile(r"^First response in [34] min"))
    expect(chip(mine, "Cleo Park")).to_have_class(re.compile(r"\bdue-ok\b"))
    expect(chip(mine, "Dev Patel")).to_have_count(0)  # answered: no clock runs
    due_at = api.call("GET", f"/conversations/{late}").json()["service_level"]["next_due"]["due_at"]
    expect(chip(mine, "Ana Lima").locator("time")).to_have_attribute("datetime", due_at)
    expect(chip(mine, "Ana Lima").locator("time")).to_have_attribute("title", re.compile(r"^Due .+\d{4}"))

    assert names(mine) == ["Cleo Park", "Dev Patel", "Ben Okafor", "Ana Lima"]  # newest first
    sort = ada.get_by_role("group", name="Sort")
    sort.get_by_label("Newest").focus()
    ada.keyboard.press("ArrowRight")  # a radio group: the arrow keys choose
    expect(sort.get_by_label("Due first")).to_be_checked()
    expect(mine.locator(".inbox-item .who")).to_have_text(["Ana Lima", "Ben Okafor", "Cleo Park", "Dev Patel"])
    check_page(ada, "workspace-service-levels", artifacts)

    ada.reload()  # the order is remembered
    expect(ada.get_by_label("Due first")).to_be_checked()
    expect(mine.locator(".inbox-item .who")).to_have_text(["Ana Lima", "Ben Okafor", "Cleo Park", "Dev Patel"])

    mine.get_by_role("link").filter(has_text="Ana Lima").click()
    header = ada.locator(".pane-header")
    expect(header.locator(".badge.due-late")).to_have_text(re.compile(r"^First response [345] min late"))
    history = ada.get_by_role("region", name="History")
    expect(history).to_contain_text("First response late")  # as the timer recorded it
    check_page(ada, "workspace-service-levels-pane", artifacts)


def test_an_admin_sets_a_workstreams_service_levels(new_page, api, world, artifacts):
    grace = new_page("Grace", ADMIN)
    grace.goto(f"/#/admin/workstreams/{world['sales']['id']}")
    levels = grace.get_by_role("group", name="Service levels")
    expect(levels.get_by_label("First response target (minutes)")).to_have_value("")
    levels.get_by_label("First response target (minutes)").fill("10")
    levels.get_by_label("Counted in").select_option(label="Operating hours")  # Sales has no operating hours
    grace.get_by_role("button", name="Save workstream").click()

    counted = levels.get_by_label("Counted in")
    expect(counted).to_have_attribute("aria-invalid", "true")
    error = grace.locator("#field-service_levels-counted-error")
    expect(error).to_have_text(re.compile(r"^operating_hours needs the workstream's operating hours"))
    assert counted.get_attribute("aria-describedby") == "field-service_levels-counted-error"
    expect(grace.get_by_role("alert")).to_contain_text("Counted in: operating_hours needs")
    assert api.call("GET", f"/admin/workstreams/{world['sales']['id']}").json()["service_levels"][
        "first_response_minutes"] is None
    levels.scroll_into_view_if_needed()
    check_page(grace, "admin-service-levels-error", artifacts)

    counted.select_option(label="Calendar time")
    levels.get_by_label("Next response target (minutes)").fill("30")
    levels.get_by_label("Warn at % of target").fill("75")
    save_workstream(grace)
    expect(grace.get_by_role("alert")).to_have_count(0)
    saved = api.call("GET", f"/admin/workstreams/{world['sales']['id']}").json()["service_levels"]
    assert saved == {"first_response_minutes": 10, "next_response_minutes": 30, "resolution_minutes": None,
                     "counted": "calendar", "warn_at_percent": 75}
    expect(grace.get_by_role("group", name="Service levels").get_by_label("Warn at % of target")).to_have_value("75")
