"""Cost governance over HTTP through the local host: the admin's rate table (refusals
naming the field, audited), a template sent over WhatsApp recording its estimate by the
customer's calling code and the synced category, a free-form reply costing nothing, the
reports summing the estimates by category and by workstream, and a template the provider
reclassified written to the audit trail."""

from __future__ import annotations

import csv
import io
from typing import Any, Iterator

import pytest

from tests.e2e.test_template_sync import LISTING, SIDS, content, content_env, content_stand_in, listing, send
from tests.e2e.test_twilio_whatsapp import MESSAGES, conversation_of, whatsapp_in
from tests.support.recorder import Recorder
from tests.support.twilio import WHATSAPP_BUSINESS, message_created, whatsapp_account_body

RATES = {"currency": "EUR", "rates": [
    {"calling_code": "55", "category": "utility", "price": "0.0080"},
    {"calling_code": "*", "category": "utility", "price": "0.0100"},
    {"calling_code": "*", "category": "marketing", "price": "0.0625"},
    {"calling_code": "*", "category": "authentication", "price": "0.0300"},
    {"calling_code": "*", "category": "service", "price": "0"},
]}
FIRST = listing(content("order_update", "approved", "UTILITY", "Hi {{1}}, order {{2}} has shipped."),
                content("promo", "approved", "MARKETING", "{{1}}% off this week"))
RECLASSIFIED = listing(content("order_update", "approved", "MARKETING", "Hi {{1}}, order {{2}} has shipped."),
                       content("promo", "approved", "MARKETING", "{{1}}% off this week"))


@pytest.fixture(scope="module")
def content_api() -> Iterator[Recorder]:
    yield from content_stand_in(FIRST)


@pytest.fixture(scope="module")
def extra_env(content_api) -> dict[str, str]:
    return content_env(content_api)


@pytest.fixture(scope="module")
def account(api) -> dict[str, Any]:
    created = api.call("POST", "/admin/accounts", whatsapp_account_body()).json()
    picked = [{"name": n, "language": "en", "text": t, "content_sid": SIDS[n]}
              for n, t in (("order_update", "Hi {{1}}, order {{2}} has shipped."), ("promo", "{{1}}% off this week"))]
    workstream = api.call("POST", "/admin/workstreams", {"name": "WhatsApp orders", "account_id": created["id"],
                                                          "number": WHATSAPP_BUSINESS, "templates": picked})
    assert workstream.status_code == 201, workstream.text
    assert api.call("POST", f"/admin/accounts/{created['id']}/templates/sync").status_code == 200
    return {**created, "workstream_id": workstream.json()["id"]}


def test_the_rate_table_is_kept_as_decimal_strings_and_audited(api):
    assert api.call("GET", "/admin/rates").json() == {"currency": None, "rates": []}
    saved = api.call("PUT", "/admin/rates", RATES)
    assert saved.status_code == 200, saved.text
    assert api.call("GET", "/admin/rates").json() == RATES
    [entry] = api.call("GET", "/admin/audit", params={"action": "rates.update"}).json()["entries"]
    assert entry["fields"] == ["currency", "rates"]
    assert api.call("GET", "/admin/rates", as_=("ada", "supervisor")).status_code == 403


@pytest.mark.parametrize("change, field", [
    ({"currency": "euro"}, "currency"),
    ({"rates": [{"calling_code": "*", "category": "utility", "price": 0.01}]}, "rates[0].price"),
    ({"rates": [{"calling_code": "0044", "category": "utility", "price": "0.01"}]}, "rates[0].calling_code"),
    ({"rates": [{"calling_code": "*", "category": "utility", "price": "0.01"}]}, "rates"),
    ({"rates": [{"calling_code": "*", "category": "promotional", "price": "0.01"}]}, "rates[0].category"),
    ({"rates": [{"calling_code": "*", "category": "utility", "price": "0.01", "note": "x"}]}, "rates[0].note"),
])
def test_a_bad_rate_table_is_refused_naming_the_field(api, change, field):
    refused = api.call("PUT", "/admin/rates", {**RATES, **change})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["message"].startswith(f"{field}:")


def test_a_template_records_its_estimate_and_reports_sum_it(api, account):
    api.call("PUT", "/admin/rates", RATES)
    assert whatsapp_in(api, account, From="whatsapp:+5582981110009", MessageSid="SM" + "c1" * 16).status_code == 200
    cid = conversation_of(api, account, "+5582981110009")["id"]
    api.twilio.on("POST", MESSAGES, message_created("SM" + "c2" * 16))
    sent = send(api, cid, "order_update", ["Ana", "A-17"])
    assert sent.status_code == 201, sent.text
    assert sent.json()["cost"] == {"category": "utility", "amount": "0.0080", "currency": "EUR"}  # +55's own rate
    api.twilio.on("POST", MESSAGES, message_created("SM" + "c3" * 16))
    promo = send(api, cid, "promo", ["20"])
    assert promo.json()["cost"] == {"category": "marketing", "amount": "0.0625", "currency": "EUR"}  # the default
    api.twilio.on("POST", MESSAGES, message_created("SM" + "c4" * 16))
    reply = api.call("POST", f"/conversations/{cid}/messages", {"body": "Anything else?"})
    assert reply.json()["cost"] == {"category": "service", "amount": "0", "currency": "EUR"}
    assert api.call("POST", f"/conversations/{cid}/close").status_code == 200

    by_category = api.call("GET", "/reports/summary", params={"group_by": "category"}).json()
    assert by_category["currency"] == "EUR"
    assert {g["key"]: g["estimated_cost"] for g in by_category["groups"]} == {
        "marketing": "0.0625", "service": "0", "utility": "0.0080"}
    assert by_category["total"]["estimated_cost"] == "0.0705"
    by_workstream = api.call("GET", "/reports/summary", params={"group_by": "workstream"}).json()
    [group] = [g for g in by_workstream["groups"] if g["key"] == account["workstream_id"]]
    assert (group["label"], group["estimated_cost"]) == ("WhatsApp orders", "0.0705")
    behind = api.call("GET", "/reports/conversations", params={"group_by": "category", "group": "marketing",
                                                               "measure": "estimated_cost"}).json()
    assert [(c["conversation_id"], c["estimated_cost"]) for c in behind["conversations"]] == [(cid, "0.0705")]
    exported = list(csv.DictReader(io.StringIO(api.call("GET", "/reports/conversations.csv").text)))
    assert [r["estimated_cost"] for r in exported if r["conversation_id"] == cid] == ["0.0705"]


def test_a_template_without_a_rate_records_no_estimate(api, account):
    api.call("PUT", "/admin/rates", {"currency": "EUR", "rates": [r for r in RATES["rates"]
                                                                   if r["category"] != "service"]})
    assert whatsapp_in(api, account, From="whatsapp:+5582981110010", MessageSid="SM" + "d1" * 16).status_code == 200
    cid = conversation_of(api, account, "+5582981110010")["id"]
    api.twilio.on("POST", MESSAGES, message_created("SM" + "d2" * 16))
    reply = api.call("POST", f"/conversations/{cid}/messages", {"body": "Hello"})
    assert reply.status_code == 201 and "cost" not in reply.json()  # service not priced: nothing recorded


def test_a_reclassified_template_is_audited_with_both_categories(api, account, content_api):
    content_api.on("GET", LISTING, RECLASSIFIED)
    synced = api.call("POST", f"/admin/accounts/{account['id']}/templates/sync").json()
    found = {t["name"]: t for t in synced["templates"]}
    assert (found["order_update"]["category"], found["order_update"]["previous_category"]) == ("marketing", "utility")
    [entry] = api.call("GET", "/admin/audit", params={"action": "template.category_changed"}).json()["entries"]
    assert entry["target"] == f"{account['id']}/order_update/en"
    assert entry["fields"] == ["category.from=utility", "category.to=marketing"]
    assert entry["actor"]["id"] != "switchboard"  # the admin who synced
