"""Reports in the browser, through the local host with Twilio's stand-in: conversations
created by customers' signed webhooks, accepted, answered and closed through the API;
a supervisor opens Reports and sees the right totals and the per-agent table, opens the
conversations behind a figure and sees exactly them (each opening in the workspace), and
the CSV link carries the report's filters; the Supervise page's live tiles show what waits
and what is held, and follow a new customer's message without a reload; an agent has no
Reports; a week of Orders (whose targets are a first response in 5 minutes and a resolution
in 30) shows the share of service-level clocks met. axe-core finds nothing on either page."""

from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from core.identity import AGENT as AGENT_ROLE, SUPERVISOR as SUPERVISOR_ROLE, Principal
from core.messages import InboundMessage
from functions.settings import Settings
from functions.wiring import build
from localhost.easyauth import object_id_of
from tests.browser.customers import answer_sends, text_in
from tests.browser.support import check_page
from tests.conftest import FakeClock
from tests.support.twilio import BUSINESS, account_body
from tests.support.waiting import until

pytestmark = pytest.mark.long  # started first (tests/conftest.py)

AGENT, SUPERVISOR = "Switchboard.Agent", "Switchboard.Supervisor"
LIVE_NUMBER = "+14252306551"
ORDERS_NUMBER = "+14252306552"
SURVEY = {"enabled": True, "mode": "question", "text": "How did we do? Reply 1 to 5", "window_minutes": 60}
TARGETS = {"first_response_minutes": 5, "resolution_minutes": 30}
QUEUES = {"queues": ["general", "billing"], "default_queue": "general",
          "routing_rules": [{"name": "Billing", "queue": "billing",
                             "conditions": [{"field": "body", "operator": "contains", "value": "invoice"}]}]}


@pytest.fixture(scope="module")
def desk(api) -> dict:
    """Help desk (Sue supervises it), Live desk (Sam) and Orders (Vic, with a survey question),
    each with a general and a billing queue; Ada, Bo and Cy work every queue, Di Orders' only."""
    answer_sends(api)
    numbers = [{"number": n, "type": "long_code"} for n in (BUSINESS, LIVE_NUMBER, ORDERS_NUMBER)]
    account = api.call("POST", "/admin/accounts", account_body(numbers=numbers)).json()
    help_desk, live_desk, orders = (
        api.call("POST", "/admin/workstreams", {"account_id": account["id"], **body, **QUEUES}).json()
        for body in ({"name": "Help desk", "number": BUSINESS}, {"name": "Live desk", "number": LIVE_NUMBER},
                     {"name": "Orders", "number": ORDERS_NUMBER, "survey": SURVEY, "service_levels": TARGETS,
                      "auto_close_after_minutes": 30 * 24 * 60}))
    queues = [{"workstream_id": w["id"], "queue": q} for w in (help_desk, live_desk, orders) for q in QUEUES["queues"]]
    people = {"Ada": (queues, []), "Bo": (queues, []), "Cy": (queues, []), "Sue": ([], [help_desk["id"]]),
              "Sam": ([], [live_desk["id"]]), "Vic": ([], [orders["id"]]),
              "Di": ([q for q in queues if q["workstream_id"] == orders["id"]], [])}
    for name, (theirs, supervises) in people.items():
        capacity = {"sms": 3 if name == "Di" else 5}
        assert api.call("POST", "/admin/agents", {"object_id": object_id_of(name), "name": name, "queues": theirs,
                                                 "supervises": supervises, "capacity": capacity}).status_code == 201
    return {"account": account, "help": help_desk, "live": live_desk, "orders": orders}


def conversation_of(api, customer: str) -> str:
    found = []
    until(lambda: found.extend(c["id"] for c in api.call("GET", "/conversations").json()["conversations"]
                               if c["customer"] == customer) or found)
    return found[0]


def as_(name: str) -> tuple[str, ...]:
    return (name, "agent")


def handled(api, account: dict, customer: str, body: str, agent: str, close: bool = True, **extra: str) -> str:
    """A customer's text that ``agent`` accepts and answers (and closes)."""
    text_in(api, account, customer, body, **extra)
    cid = conversation_of(api, customer)
    assert api.call("POST", f"/conversations/{cid}/accept", as_=as_(agent)).status_code == 200
    answered = api.call("POST", f"/conversations/{cid}/messages", {"body": "Happy to help."}, as_=as_(agent))
    assert answered.status_code in (201, 202), answered.text
    if close:
        assert api.call("POST", f"/conversations/{cid}/close", as_=as_(agent)).status_code == 200
    return cid


def test_a_supervisor_reads_the_report_and_the_conversations_behind_a_figure(new_page, api, desk, artifacts):
    account = desk["account"]
    ada = [handled(api, account, "+12065550170", "Where is my parcel?", "Ada"),
           handled(api, account, "+12065550171", "About my invoice", "Ada")]
    # Closed too: an answer alone does not move a conversation, and its fact row is written on a move.
    bo = handled(api, account, "+12065550172", "Change my address", "Bo")
    text_in(api, account, "+12065550173", "Hello? Never mind.")
    abandoned = conversation_of(api, "+12065550173")
    assert api.call("POST", f"/conversations/{abandoned}/close", as_=("Sue", "supervisor")).status_code == 200
    text_in(api, account, "+12065550174", "Still waiting")
    waiting = conversation_of(api, "+12065550174")
    sue_api = ("Sue", "supervisor")
    until(lambda: api.call("GET", "/reports/summary", as_=sue_api).json()["total"]["conversations"] == 5)

    sue = new_page("Sue", SUPERVISOR)
    sue.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(sue.get_by_role("heading", level=2, name="Reports")).to_be_visible()
    totals = sue.get_by_role("region", name="Totals")
    for name, value in (("Conversations", "5"), ("Answered", "3"), ("Abandoned", "1"), ("Resolved by the bot", "0")):
        expect(totals.locator(".tile").filter(has=sue.locator("dt", has_text=re.compile(f"^{name}$")))
               .locator("dd.figure")).to_have_text(re.compile(f"^{value}\\b"))
    by_agent = sue.get_by_role("region", name="By agent")
    ada_row = by_agent.get_by_role("row").filter(has=sue.get_by_role("rowheader", name="Ada"))
    expect(ada_row.get_by_role("cell").nth(0)).to_have_text(re.compile(r"^2 conversations"))
    expect(ada_row.get_by_role("cell").nth(1)).to_have_text(re.compile(r"^2 answered"))
    bo_row = by_agent.get_by_role("row").filter(has=sue.get_by_role("rowheader", name="Bo"))
    expect(bo_row.get_by_role("cell").nth(0)).to_have_text(re.compile(r"^1 conversations"))
    expect(sue.get_by_role("img", name=re.compile("^Conversations by day"))).to_be_visible()
    expect(sue.locator(".chart-canvas canvas")).to_have_count(3)
    check_page(sue, "reports-help-desk", artifacts)

    csv_link = sue.get_by_role("link", name="Download CSV")
    query = parse_qs(urlsplit(csv_link.get_attribute("href")).query)
    assert urlsplit(csv_link.get_attribute("href")).path == "/api/reports/conversations.csv"
    assert set(query) == {"from", "to", "group_by"} and query["group_by"] == ["agent"]
    exported = sue.request.get(csv_link.get_attribute("href"))
    assert exported.ok and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text())))
    assert sorted(r["conversation_id"] for r in rows) == sorted([*ada, bo, abandoned, waiting])
    assert "customer" not in rows[0], "the customer's number is for admins only"

    ada_row.get_by_role("link", name="2 answered (Ada): list the conversations").click()
    drill = sue.get_by_role("region", name=re.compile("^Conversations behind"))
    expect(drill.get_by_role("heading")).to_have_text("Conversations behind “Answered: Ada”")
    expect(drill.get_by_role("heading")).to_be_focused()
    listed = drill.locator("tbody tr")
    expect(listed).to_have_count(2)
    assert listed.evaluate_all("rows => rows.map(r => r.dataset.conversation)") == ada  # oldest first, as created
    assert "measure=answered" in sue.url and "group=" in sue.url
    check_page(sue, "reports-conversations", artifacts)

    totals.get_by_role("link", name="1 abandoned (in total): list the conversations").click()
    expect(drill.get_by_role("heading")).to_have_text("Conversations behind “Abandoned”")
    expect(drill.locator("tbody tr")).to_have_count(1)
    expect(drill.locator("tbody tr")).to_have_attribute("data-conversation", abandoned)
    drill.get_by_role("link").filter(has_text=re.compile(r"\d")).first.click()
    expect(sue.get_by_role("heading", level=2, name="+12065550173")).to_be_visible()
    sue.go_back()
    expect(drill.locator("tbody tr")).to_have_count(1)
    totals.get_by_role("link", name=re.compile(r"^5 conversations \(in total\)")).click()
    expect(drill.locator("tbody tr")).to_have_count(5)
    shown = drill.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.conversation)")
    assert shown == [*ada, bo, abandoned, waiting], "oldest first, as they were created"

    sue.get_by_label("Queue").select_option("billing")
    sue.get_by_role("button", name="Show").click()
    expect(totals.locator(".tile").first.locator("dd.figure")).to_have_text(re.compile(r"^1 "))  # the invoice one
    assert "queue=billing" in sue.get_by_role("link", name="Download CSV").get_attribute("href")

    sue.set_viewport_size({"width": 390, "height": 844})
    assert sue.evaluate("document.documentElement.scrollWidth") <= 390, "nothing wider than the screen"
    check_page(sue, "reports-phone", artifacts)


def tile(page: Page, queue: str):
    return page.locator(".tile.queue").filter(has=page.locator(".tile-title", has_text=re.compile(f"^Queue {queue}$")))


def test_the_supervise_tiles_show_the_queues_now_and_follow_a_new_message(new_page, api, desk, artifacts):
    account = desk["account"]
    handled(api, account, "+12065550180", "Is the shop open?", "Ada", close=False, To=LIVE_NUMBER)
    text_in(api, account, "+12065550181", "My invoice is wrong", To=LIVE_NUMBER)
    text_in(api, account, "+12065550182", "Hello there", To=LIVE_NUMBER)

    sam = new_page("Sam", SUPERVISOR)
    sam.get_by_role("link", name="Supervise").click()
    expect(sam.get_by_role("heading", level=3, name=re.compile("^Live desk"))).to_be_visible()
    general, billing = tile(sam, "general"), tile(sam, "billing")
    expect(general.locator(".figure")).to_have_text("1 waiting")
    expect(general).to_contain_text("0 offered · 1 active")  # Ada holds +12065550180
    expect(billing.locator(".figure")).to_have_text("1 waiting")
    expect(billing).to_contain_text(re.compile(r"longest \d+ s"))
    expect(sam.locator(".tile.agents")).to_contain_text("0 available")
    expect(sam.locator(".tile.agents")).to_contain_text("0 busy · 0 away · 3 offline")
    today = sam.locator(".today-figures .tile").filter(has=sam.locator("dt", has_text=re.compile("^Conversations$")))
    expect(today.locator("dd")).to_have_text(re.compile(r"^3 conversations \(Live desk, today\)"))
    check_page(sam, "supervise-live-desk", artifacts)

    calls: list[str] = []
    sam.on("request", lambda r: calls.append(r.url) if "/api/reports/live" in r.url else None)
    text_in(api, account, "+12065550183", "Anyone?", To=LIVE_NUMBER)
    expect(general.locator(".figure")).to_have_text("2 waiting", timeout=5_000)  # the change feed, well before 15 s
    expect(today.locator("dd")).to_have_text(re.compile(r"^4 "))
    assert 1 <= len(calls) <= 3, calls  # one call per change, none per conversation

    held = conversation_of(api, "+12065550183")
    assert api.call("POST", f"/conversations/{held}/accept", as_=as_("Bo")).status_code == 200
    expect(general).to_contain_text("0 offered · 2 active", timeout=5_000)
    expect(general.locator(".figure")).to_have_text("1 waiting")

    # A change of presence moves no conversation: the agents are read again with the figures.
    bo = sam.get_by_role("region", name="Agents").get_by_role("row").filter(has_text="Bo")
    expect(bo).not_to_contain_text("away")
    assert api.call("PUT", "/me/presence", {"presence": "away"}, as_=as_("Bo")).status_code == 200
    expect(bo).to_contain_text("away", timeout=30_000)
    assert api.call("PUT", "/me/presence", {"presence": "offline"}, as_=as_("Bo")).status_code == 200  # as he was


def test_an_agent_has_no_reports(new_page, api, desk):
    ada = new_page("Ada", AGENT)
    nav = ada.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Inbox")).to_be_visible()
    expect(nav.get_by_role("link", name="Reports")).to_have_count(0)
    ada.goto("/#/reports")
    expect(ada.get_by_text("Reports need the Switchboard.Supervisor role.")).to_be_visible()
    assert api.call("GET", "/reports/summary", as_=as_("Ada")).status_code == 403


def test_today_is_the_workstreams_day_wherever_the_supervisor_is(new_page, api, desk):
    """A workstream in Pago Pago (UTC-11) read from a browser in Kiritimati (UTC+14), whose
    day is always one or two ahead: today, and the default week, are the workstream's."""
    zone = "Pacific/Pago_Pago"
    account = api.call("POST", "/admin/accounts", account_body(name="Islands", numbers=[
        {"number": "+14252306553", "type": "long_code"}])).json()
    islands = api.call("POST", "/admin/workstreams", {
        "account_id": account["id"], "name": "Islands", "number": "+14252306553",
        "operating_hours": {"time_zone": zone, "weekly": [{"day": "monday", "open": "09:00", "close": "17:00"}]}}).json()
    assert api.call("POST", "/admin/agents", {"object_id": object_id_of("Pat"), "name": "Pat",
                                             "supervises": [islands["id"]]}).status_code == 201
    pat = new_page("Pat", SUPERVISOR, timezone="Pacific/Kiritimati")
    day = datetime.now(ZoneInfo(zone)).date()
    asked: list[str] = []
    pat.on("request", lambda r: asked.extend(parse_qs(urlsplit(r.url).query).get("to", ["?"]))
           if "/api/reports/summary" in r.url else None)
    pat.goto("/#/reports")
    meta = pat.locator(".reports > p.meta").first
    expect(meta).to_contain_text(f"from {day - timedelta(days=6)} to {day} in the workstreams you supervise")
    expect(pat.locator(".totals")).to_be_visible()
    assert asked and set(asked) == {str(day)}, asked  # never asked for a day before its zone was known
    pat.get_by_role("link", name="Today", exact=True).click()
    expect(meta).to_contain_text(f"on {day} in the workstreams you supervise")


WEEK = [6, 9, 7, 11, 8, 5]  # conversations 6, 5, ... 1 days ago
HOURS = [8, 9, 9, 10, 10, 10, 11, 11, 12, 13, 14, 14, 14, 15, 15, 16, 17]
BASE_URL = "https://switchboard.example.com"


class Week(NamedTuple):
    days: dict[str, int]  # conversations by day
    sla: dict[str, list[int]]  # clocks met and breached, per target


@pytest.fixture(scope="module")
def week(api, desk) -> Week:
    """Six days of Orders: conversations through the engine with its clock set back (as the
    workspace's WhatsApp test does), at office hours, waiting, answered and closed by Ada, Bo
    and Cy, some abandoned, some rated 1-5 by the customer; what each day had, by day, and
    how its service-level clocks ended (an abandoned one's first response is late by its
    closing)."""
    rng = random.Random(23)
    clock = FakeClock()
    services = build(Settings.from_env(api.env), clock=clock)
    stored = services.stores.accounts.get(desk["account"]["id"])
    directory = services.admin.directory
    scopes = {name: directory.scope(Principal(object_id_of(name), name, frozenset({role})))
              for name, role in (("Ada", AGENT_ROLE), ("Bo", AGENT_ROLE), ("Cy", AGENT_ROLE), ("Vic", SUPERVISOR_ROLE))}
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    orders, etag = services.stores.workstreams.get_for_update(desk["orders"]["id"])  # it served before the week
    services.stores.workstreams.replace(replace(orders, created_at=today - timedelta(days=len(WEEK) + 1)), etag)
    counts: dict[str, int] = {}
    sla = {"first_response": [0, 0], "resolution": [0, 0]}
    sids = iter(range(1, 10_000))

    def ended(target: str, since: datetime) -> None:
        sla[target][0 if clock.now - since <= timedelta(minutes=TARGETS[f"{target}_minutes"]) else 1] += 1

    def writes(customer: str, body: str) -> str:
        message = InboundMessage(provider="twilio", account_id=stored.id, provider_message_id=f"SMweek{next(sids):026d}",
                                 business=ORDERS_NUMBER, customer=customer, body=body)
        return services.messaging.ingest.message(stored, message, BASE_URL).conversation_id

    for back, count in zip(range(len(WEEK), 0, -1), WEEK):
        day = today - timedelta(days=back)
        counts[day.date().isoformat()] = count
        for i, hour in enumerate(sorted(rng.choice(HOURS) for _ in range(count))):
            clock.now = day + timedelta(hours=hour, minutes=rng.randint(0, 59))
            cid = writes(f"+1206556{back}{i:03d}", "About my invoice" if rng.random() < 0.3 else "Where is my order?")
            opened = clock.now
            if rng.random() < 0.12:
                clock.advance(minutes=rng.randint(6, 25))
                services.messaging.actions.close(cid, scopes["Vic"], BASE_URL)  # nobody took it: abandoned
                ended("first_response", opened), ended("resolution", opened)
                continue
            agent = scopes[rng.choice(["Ada", "Ada", "Bo", "Cy"])]
            clock.advance(seconds=rng.randint(15, 420))
            services.distribution.assignments.accept(cid, agent)
            clock.advance(seconds=rng.randint(20, 200))
            services.messaging.outbox.reply(cid, "Let me look that up for you.", agent, BASE_URL)
            ended("first_response", opened)
            clock.advance(seconds=rng.randint(240, 1500))
            services.messaging.actions.close(cid, agent, BASE_URL)
            ended("resolution", opened)
            if rng.random() < 0.6:
                clock.advance(minutes=2)
                writes(f"+1206556{back}{i:03d}", rng.choice("34555"))  # the survey's answer
    return Week(counts, sla)


def presence(api, name: str, value: str) -> None:
    assert api.call("PUT", "/me/presence", {"presence": value}, as_=as_(name)).status_code == 200


def test_a_week_of_conversations_reads_at_a_glance(new_page, api, desk, week, artifacts):
    """The pictures in the README: a week of Orders, and its desk now: Di available, offered
    what she has room for (3), Cy busy; what comes once her room is full waits."""
    account = desk["account"]
    presence(api, "Di", "available")
    presence(api, "Cy", "busy")
    customers = [f"+1206555019{i}" for i in range(6)]
    for customer in customers[:3]:
        text_in(api, account, customer, "Where is my order?", To=ORDERS_NUMBER)
    for customer in customers[:2]:
        cid = conversation_of(api, customer)
        assert api.call("POST", f"/conversations/{cid}/accept", as_=as_("Di")).status_code == 200
        assert api.call("POST", f"/conversations/{cid}/messages", {"body": "On it."}, as_=as_("Di")).status_code in (201, 202)
    assert api.call("POST", f"/conversations/{conversation_of(api, customers[0])}/close", as_=as_("Di")).status_code == 200
    for customer, body in zip(customers[3:], ("Is my order late?", "My invoice is wrong", "Hello?")):
        text_in(api, account, customer, body, To=ORDERS_NUMBER)

    vic = new_page("Vic", SUPERVISOR)
    vic.set_viewport_size({"width": 1280, "height": 1480})
    vic.get_by_role("link", name="Reports").click()
    totals = vic.get_by_role("region", name="Totals")
    conversations = totals.locator(".tile").first.locator("dd.figure")
    expect(conversations).to_have_text(re.compile(f"^{sum(week.days.values()) + len(customers)} "))
    vic.locator("summary", has_text="Conversations by day: as a table").click()
    table = vic.get_by_role("region", name="Conversations by day").get_by_role("table")
    for day, count in week.days.items():
        label = datetime.fromisoformat(day).strftime("%a, %b %-d")
        row = table.get_by_role("row").filter(has=vic.get_by_role("rowheader", name=label))
        expect(row.get_by_role("cell").first).to_have_text(re.compile(f"^{count} "))
    vic.locator("summary", has_text="Conversations by day: as a table").click()
    today = {"first_response": (2, 0), "resolution": (1, 0)}  # Di answered two in time, and closed one
    for target, name in (("first_response", "First response SLA met"), ("resolution", "Resolution SLA met")):
        met, breached = (week.sla[target][0] + today[target][0], week.sla[target][1] + today[target][1])
        figure = totals.locator(".tile.sla").filter(has=vic.locator("dt", has_text=re.compile(f"^{name}$")))
        expect(figure.locator("dd.meta")).to_have_text(re.compile(r"^\d+ met · \d+ breached$"))
        # The week was written with a clock days behind the host's, whose service-level timer
        # may record a clock of it late while the week is still being written: a clock met
        # by the week's clock may then count as breached, never the other way round.
        shown_met, shown_breached = (int(n) for n in re.findall(r"\d+", figure.locator("dd.meta").inner_text()))
        assert shown_met + shown_breached == met + breached and shown_met <= met, (name, shown_met, met, breached)
        met, breached = shown_met, shown_breached
        shown = float(figure.locator("dd.figure").inner_text().split("%")[0])
        assert abs(shown - 100 * met / (met + breached)) <= 0.05, (name, shown, met, breached)
    expect(totals.locator(".tile.sla")).to_have_count(2)  # no next-response target: no figure
    check_page(vic, "reports", artifacts)

    everything = totals.get_by_role("link", name=re.compile(r"^\d+ conversations \(in total\)"))
    for _ in range(120):  # by keyboard: to the figure, Enter; the list takes the focus
        vic.keyboard.press("Tab")
        if everything.evaluate("(link) => link === document.activeElement"):
            break
    assert vic.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    vic.keyboard.press("Enter")
    drill = vic.get_by_role("region", name=re.compile("^Conversations behind"))
    expect(drill.get_by_role("heading")).to_be_focused()
    expect(drill.locator("tbody tr")).to_have_count(50)  # a page
    vic.keyboard.press("Tab")
    expect(drill.get_by_role("link", name="Close the list")).to_be_focused()
    drill.get_by_role("button", name="Load more").press("Enter")
    expect(drill.locator("tbody tr")).to_have_count(sum(week.days.values()) + len(customers))
    expect(drill.get_by_role("button", name="Load more")).to_have_count(0)
    listed = drill.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.conversation)")
    assert len(set(listed)) == len(listed), "no conversation twice"
    drill.get_by_role("link", name="Close the list").click()
    expect(drill).to_have_count(0)

    totals.get_by_role("link", name=re.compile(r"resolution SLA met \(in total\): list the conversations$")).click()
    expect(drill.get_by_role("heading")).to_have_text("Conversations behind “Resolution SLA”")
    expect(drill.locator("tbody tr")).to_have_count(sum(week.sla["resolution"]) + 1)  # each closed one
    headers = drill.get_by_role("columnheader")
    expect(headers.filter(has_text=re.compile("SLA$"))).to_have_text(["First response SLA", "Resolution SLA"])
    resolution = drill.locator("tbody tr td:last-child")
    expect(resolution.filter(has_text=re.compile("^(met|breached)$"))).to_have_count(sum(week.sla["resolution"]) + 1)
    breached = totals.locator(".tile.sla").filter(has=vic.locator("dt", has_text="Resolution SLA met"))
    expect(resolution.filter(has_text="breached")).to_have_count(  # as the totals say (see above)
        int(re.findall(r"\d+", breached.locator("dd.meta").inner_text())[1]))
    check_page(vic, "reports-sla", artifacts)
    drill.get_by_role("link", name="Close the list").click()

    vic.set_viewport_size({"width": 1280, "height": 1000})
    vic.get_by_role("link", name="Supervise").click()
    agents = vic.locator(".tile.agents")
    expect(agents).to_contain_text("1 available")
    expect(agents).to_contain_text("1 busy")
    check_page(vic, "supervise-live", artifacts)
