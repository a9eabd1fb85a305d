"""Reports over HTTP, as the OpenAPI document describes them (every answer is checked
against it): a conversation that came in and was answered and closed shows in the live
figures, the summary, the conversations behind a figure and the CSV export; agents get
403, bad parameters a 422 naming the field; the customer's number is in the export for
admins only. A workstream with a first-response target shows the share of its clocks met,
each conversation's clocks in the list and the export."""

from __future__ import annotations

import base64
import csv
import io
from datetime import datetime, timezone
from typing import Any

import pytest

from core.messages import InboundMessage
from functions.settings import Settings
from functions.wiring import build
from localhost.easyauth import object_id_of
from tests.conftest import FakeClock
from tests.support.scopes import ALICE
from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN, BUSINESS, account_body, fixture_form, message_created

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
CUSTOMER = "+12065550411"
SUPERVISOR = ("sue", "supervisor")  # of no workstream
THEIRS = ("rita", "supervisor")  # of the reports desk
SLA_NUMBER = "+14252306571"
BASE_URL = "https://switchboard.example.com"


@pytest.fixture(scope="module")
def served(api) -> tuple[dict[str, Any], str]:
    counter = iter(range(1, 10_000))
    api.twilio.on("POST", MESSAGES, lambda _r: message_created(f"SM{next(counter):032d}"))
    account = api.call("POST", "/admin/accounts", account_body(name="Reports")).json()
    workstream = api.call("POST", "/admin/workstreams", {"name": "Reports desk", "channel": "sms", "number": BUSINESS,
                                                         "account_id": account["id"]}).json()
    form = fixture_form("twilio_sms_inbound.txt", MessageSid="SM" + "4" * 32, From=CUSTOMER, Body="hi")
    assert api.webhook(f"/twilio/{account['id']}/inbound", form, AUTH_TOKEN).status_code == 200
    [listed] = [c for c in api.call("GET", "/conversations").json()["conversations"] if c["customer"] == CUSTOMER]
    assert api.call("POST", f"/conversations/{listed['id']}/messages", {"body": "Hello!"}).status_code in (200, 201)
    assert api.call("POST", f"/conversations/{listed['id']}/close").status_code == 200
    return workstream, listed["id"]


def test_the_summary_counts_the_answered_conversation(api, served):
    workstream, conversation_id = served
    found = api.call("GET", f"/reports/summary?workstream_id={workstream['id']}")
    assert found.status_code == 200, found.text
    total = found.json()["total"]
    assert (total["conversations"], total["answered"], total["abandoned"]) == (1, 1, 0)
    assert len(found.json()["groups"]) == 7  # every day of the default week
    behind = api.call("GET", f"/reports/conversations?workstream_id={workstream['id']}&measure=answered").json()
    assert [c["conversation_id"] for c in behind["conversations"]] == [conversation_id]
    assert behind["continuation"] is None and "customer" not in behind["conversations"][0]


def test_live_figures_of_the_workstream(api, served):
    workstream, _ = served
    found = api.call("GET", f"/reports/live?workstream_id={workstream['id']}")
    assert found.status_code == 200, found.text
    [one] = found.json()["workstreams"]
    assert one["today"]["conversations"] == 1 and one["queues"][0]["waiting"] == 0


def test_the_export_has_a_row_per_conversation_and_the_number_for_admins_only(api, served):
    workstream, conversation_id = served
    admin = api.call("GET", f"/reports/conversations.csv?workstream_id={workstream['id']}")
    assert admin.status_code == 200 and admin.headers["Content-Type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(admin.text)))
    # a number starts with "+", which a spreadsheet would run as a formula: quoted, as in transcripts
    assert (row["conversation_id"], row["customer"], row["abandoned"]) == (conversation_id, "'" + CUSTOMER, "false")
    assert "body" not in row and "hi" not in admin.text.split("\n", 1)[1].split(",")
    assert api.call("GET", "/me", as_=THEIRS).status_code == 200  # signs in: enters the directory
    made = api.call("PATCH", f"/admin/agents/{object_id_of(THEIRS[0])}", {"supervises": [workstream["id"]]})
    assert made.status_code == 200, made.text
    theirs = api.call("GET", f"/reports/conversations.csv?workstream_id={workstream['id']}", as_=THEIRS)
    assert theirs.status_code == 200, theirs.text
    [row] = list(csv.DictReader(io.StringIO(theirs.text)))
    assert row["conversation_id"] == conversation_id and "customer" not in row and CUSTOMER not in theirs.text
    asked = api.call("GET", f"/reports/conversations.csv?workstream_id={workstream['id']}&{CUSTOMER[1:]}=x")
    assert asked.status_code == 200
    audit = api.call("GET", "/admin/audit", params={"action": "report.export"}).json()["entries"]
    assert [(e["actor"]["name"], e["target"], e["fields"]) for e in audit] == [
        ("alice", workstream["id"], ["workstream_id"]), (THEIRS[0], workstream["id"], ["workstream_id"]),
        ("alice", workstream["id"], ["workstream_id"])]  # newest first; a parameter of the client's own not kept


def test_agents_may_not_and_bad_parameters_are_named(api, served):
    workstream, _ = served
    agent = api.call("GET", "/reports/summary", as_=("ada", "agent"))
    assert agent.status_code == 403 and agent.json()["error"]["code"] == "forbidden"
    for query, field in (("from=2026-13-01", "from"), ("from=2026-12-06&to=2026-12-01", "from"),
                         ("group_by=week", "group_by"), ("channel=fax", "channel"),
                         ("from=2026-01-01&to=2026-12-01", "from"), ("from=9999-12-31&to=9999-12-31", "to"),
                         ("to=0001-01-03", "to"), ("continuation=%21", "continuation"),
                         ("continuation=" + base64.urlsafe_b64encode(b"[" * 3000).decode(), "continuation")):
        path = "/reports/conversations" if field == "continuation" else "/reports/summary"
        answer = api.call("GET", f"{path}?{query}")
        assert answer.status_code == 422 and answer.json()["error"]["field"] == field, (query, answer.text)
    unknown = api.call("GET", "/reports/live?workstream_id=nope")
    assert unknown.status_code == 404
    stranger = api.call("GET", f"/reports/summary?workstream_id={workstream['id']}", as_=SUPERVISOR)
    assert stranger.status_code == 404  # a supervisor of other workstreams: as if it did not exist


@pytest.fixture(scope="module")
def clocked(api, served) -> tuple[dict[str, Any], str, str]:
    """A workstream whose first response is due in 5 minutes; two conversations through the
    engine with a clock the test moves from now on (the host's own timer finds nothing due
    meanwhile): one answered in a minute, one whose lateness the service-level timer records;
    both closed. (After ``served``, whose stand-in takes the replies sent.)"""
    account = api.call("POST", "/admin/accounts", account_body(
        name="Service levels", numbers=[{"number": SLA_NUMBER, "type": "long_code"}])).json()
    workstream = api.call("POST", "/admin/workstreams", {
        "name": "SLA desk", "channel": "sms", "number": SLA_NUMBER, "account_id": account["id"],
        "service_levels": {"first_response_minutes": 5}}).json()
    clock = FakeClock(datetime.now(timezone.utc))
    services = build(Settings.from_env(api.env), clock=clock)
    stored = services.stores.accounts.get(account["id"])

    def customer(sid: str, number: str) -> str:
        message = InboundMessage(provider="twilio", account_id=stored.id, provider_message_id=sid,
                                 business=SLA_NUMBER, customer=number, body="hello")
        return services.messaging.ingest.message(stored, message, BASE_URL).conversation_id

    in_time, late = customer("SM" + "5" * 32, "+12065550511"), customer("SM" + "6" * 32, "+12065550512")
    clock.advance(minutes=1)
    services.distribution.assignments.accept(in_time, ALICE)
    services.messaging.outbox.reply(in_time, "Hello!", ALICE, BASE_URL)
    clock.advance(minutes=5)
    services.clockwork.run()  # the service-level timer: the late one's breach recorded
    for cid in (in_time, late):
        services.messaging.actions.close(cid, ALICE, BASE_URL)
    return workstream, in_time, late


def test_the_share_of_service_level_clocks_met_shows_with_each_conversations_clocks(api, clocked):
    workstream, in_time, late = clocked
    found = api.call("GET", f"/reports/summary?workstream_id={workstream['id']}")
    assert found.status_code == 200, found.text
    assert found.json()["total"]["sla"] == {"first_response": {"met": 1, "breached": 1, "share_met": 0.5},
                                            "next_response": {"met": 0, "breached": 0, "share_met": None},
                                            "resolution": {"met": 0, "breached": 0, "share_met": None}}
    behind = api.call("GET", f"/reports/conversations?workstream_id={workstream['id']}&measure=sla_first_response")
    listed = {c["conversation_id"]: (c["sla_first_response_met"], c["sla_first_response_breached"],
                                     c["sla_next_response_met"], c["sla_resolution_breached"])
              for c in behind.json()["conversations"]}
    assert listed == {in_time: (1, 0, 0, 0), late: (0, 1, 0, 0)}
    exported = api.call("GET", f"/reports/conversations.csv?workstream_id={workstream['id']}")
    rows = {r["conversation_id"]: r for r in csv.DictReader(io.StringIO(exported.text))}
    assert {cid: (r["sla_first_response_met"], r["sla_first_response_breached"]) for cid, r in rows.items()} == {
        in_time: ("1", "0"), late: ("0", "1")}
    assert list(rows[late])[-8:] == ["csat", *(f"sla_{t}_{r}" for t in ("first_response", "next_response", "resolution")
                                              for r in ("met", "breached")), "customer"]  # as ReportConversation


def test_a_conversation_an_overflow_rule_closed_is_reported_closed_by_overflow(api, served):
    number, customer = "+14252306572", "+12065550513"
    account = api.call("POST", "/admin/accounts", account_body(
        name="Overflow", numbers=[{"number": number, "type": "long_code"}])).json()
    workstream = api.call("POST", "/admin/workstreams", {
        "name": "Closing desk", "channel": "sms", "number": number, "account_id": account["id"],
        "overflow": [{"name": "Nobody", "queue": None, "when": "nobody_available", "action": "close",
                      "text": "Nobody is here: write again tomorrow."}]}).json()
    form = fixture_form("twilio_sms_inbound.txt", MessageSid="SM" + "7" * 32, From=customer, To=number, Body="hi")
    assert api.webhook(f"/twilio/{account['id']}/inbound", form, AUTH_TOKEN).status_code == 200
    behind = api.call("GET", f"/reports/conversations?workstream_id={workstream['id']}")  # checked against OpenAPI
    assert [c["closed_by"] for c in behind.json()["conversations"]] == ["overflow"]
