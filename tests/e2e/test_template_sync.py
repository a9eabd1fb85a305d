"""Templates synced from the provider over HTTP through the local host: a Twilio WhatsApp
account's Content API content listed by a recording stand-in (approved, pending and
rejected ones; one gone and one reclassified on the next sync), sends refused for what is
not approved or gone, and parameters checked against the template's (the timer's sync:
test_template_sync_timer.py)."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from tests.support.recorder import Recorder, recording
from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN, WHATSAPP_BUSINESS, basic_auth, message_created, \
    whatsapp_account_body

from tests.e2e.test_twilio_whatsapp import MESSAGES, conversation_of, whatsapp_in

LISTING = "/v1/ContentAndApprovals"
SIDS = {name: "HX" + f"{n:x}" * 32 for n, name in enumerate(("order_update", "promo", "old_offer", "fresh"), 1)}


def content(name: str, status: str, category: str, body: str, reason: str = "") -> dict[str, Any]:
    """One item of the Content API's list, shaped as its contract's example."""
    variables = {str(n): f"v{n}" for n in range(1, body.count("{{") + 1)}
    return {"sid": SIDS[name], "account_sid": ACCOUNT_SID, "friendly_name": name, "language": "en",
            "variables": variables, "types": {"twilio/text": {"body": body}},
            "approval_requests": {"name": name, "category": category, "status": status,
                                  "rejection_reason": reason, "content_type": "twilio/text",
                                  "allow_category_change": True}}


def listing(*contents: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return 200, {"contents": list(contents), "meta": {"page": 0, "page_size": 500, "next_page_url": None,
                                                      "key": "contents"}}


FIRST = listing(content("order_update", "approved", "UTILITY", "Hi {{1}}, order {{2}} has shipped."),
                content("promo", "pending", "MARKETING", "{{1}}% off this week"),
                content("old_offer", "rejected", "MARKETING", "Buy now", "INVALID_FORMAT"))
SECOND = listing(content("promo", "approved", "UTILITY", "{{1}}% off this week"),
                 content("old_offer", "rejected", "MARKETING", "Buy now", "INVALID_FORMAT"))


NEVER = "0 0 0 1 1 *"  # the sync timer not due while a module runs: each sync is asked for


def content_stand_in(listing: tuple[int, dict[str, Any]]) -> Iterator[Recorder]:
    """Twilio's Content API as a recording stand-in answering ``listing`` (for a fixture:
    ``yield from content_stand_in(...)``)."""
    with recording() as recorder:
        recorder.on("GET", LISTING, listing)
        yield recorder


def content_env(content_api: Recorder, schedule: str = NEVER) -> dict[str, str]:
    return {"TWILIO_CONTENT_BASE_URL": content_api.base_url, "TEMPLATE_SYNC_SCHEDULE": schedule}


@pytest.fixture(scope="module")
def content_api() -> Iterator[Recorder]:
    yield from content_stand_in(FIRST)


@pytest.fixture(scope="module")
def extra_env(content_api) -> dict[str, str]:
    return content_env(content_api)


@pytest.fixture(scope="module")
def account(api) -> dict[str, Any]:
    created = api.call("POST", "/admin/accounts", whatsapp_account_body())
    assert created.status_code == 201, created.text
    picked = [{"name": "order_update", "language": "en", "text": "Hi {{1}}, order {{2}} has shipped.",
               "content_sid": SIDS["order_update"]},
              {"name": "promo", "language": "en", "text": "{{1}}% off this week", "content_sid": SIDS["promo"]},
              {"name": "old_offer", "language": "en", "text": "Buy now", "content_sid": SIDS["old_offer"]}]
    workstream = api.call("POST", "/admin/workstreams", {"name": "WhatsApp offers", "account_id": created.json()["id"],
                                                          "number": WHATSAPP_BUSINESS, "templates": picked})
    assert workstream.status_code == 201, workstream.text
    return created.json()


def by_name(templates: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in templates}


def send(api, cid: str, name: str, parameters: object):
    return api.call("POST", f"/conversations/{cid}/template", {"name": name, "parameters": parameters})


def test_sync_lists_approved_pending_and_rejected_and_only_approved_ones_are_sent(api, account, content_api):
    assert api.call("GET", f"/admin/accounts/{account['id']}/templates").json() == {"templates": []}
    synced = api.call("POST", f"/admin/accounts/{account['id']}/templates/sync")
    assert synced.status_code == 200, synced.text
    assert (synced.json()["added"], synced.json()["gone"]) == (3, 0)
    found = by_name(synced.json()["templates"])
    assert {n: (t["status"], t["category"]) for n, t in found.items()} == {
        "order_update": ("approved", "utility"), "promo": ("pending", "marketing"),
        "old_offer": ("rejected", "marketing")}
    assert found["order_update"]["parameters"] == [{"name": "1", "type": "text"}, {"name": "2", "type": "text"}]
    assert found["old_offer"]["reason"] == "INVALID_FORMAT"
    assert content_api.requests[-1].headers["Authorization"] == basic_auth(ACCOUNT_SID, AUTH_TOKEN)
    assert api.call("GET", f"/admin/accounts/{account['id']}/templates").json()["templates"] == synced.json()[
        "templates"]

    assert whatsapp_in(api, account, From="whatsapp:+5582981110001", MessageSid="SM" + "e1" * 16).status_code == 200
    cid = conversation_of(api, account, "+5582981110001")["id"]
    before = len(api.twilio.calls("POST", MESSAGES))
    pending = send(api, cid, "promo", ["20"])
    assert pending.status_code == 409 and pending.json()["error"]["code"] == "template_not_approved"
    assert "pending" in pending.json()["error"]["message"]
    proactive = api.call("POST", "/outbound", {"account_id": account["id"], "from": WHATSAPP_BUSINESS,
                                               "to": ["+5582981110002"], "template": "promo", "parameters": ["20"]})
    assert proactive.status_code == 409 and proactive.json()["error"]["field"] == "template", proactive.text
    rejected = send(api, cid, "old_offer", [])
    assert rejected.status_code == 409 and "INVALID_FORMAT" in rejected.json()["error"]["message"]
    wrong = send(api, cid, "order_update", ["Ana"])
    assert wrong.status_code == 422 and wrong.json()["error"]["message"].startswith("parameters:")
    assert len(api.twilio.calls("POST", MESSAGES)) == before

    api.twilio.on("POST", MESSAGES, message_created("SM" + "2b" * 16))
    sent = send(api, cid, "order_update", {"2": "A-17", "1": "Ana"})
    assert sent.status_code == 201, sent.text
    assert sent.json()["body"] == "Hi Ana, order A-17 has shipped."
    request = api.twilio.calls("POST", MESSAGES)[-1].form
    assert request["ContentSid"] == [SIDS["order_update"]]
    assert json.loads(request["ContentVariables"][0]) == {"1": "Ana", "2": "A-17"}


def test_a_template_gone_from_the_provider_is_kept_marked_gone_and_refused(api, account, content_api):
    content_api.on("GET", LISTING, SECOND)
    synced = api.call("POST", f"/admin/accounts/{account['id']}/templates/sync").json()
    found = by_name(synced["templates"])
    assert found["order_update"]["gone"] is True and found["order_update"]["status"] == "approved"
    assert (found["promo"]["status"], found["promo"]["category"], found["promo"]["previous_category"]) == (
        "approved", "utility", "marketing")
    assert found["old_offer"]["changed_at"] is not None and not found["old_offer"]["gone"]
    again = api.call("POST", f"/admin/accounts/{account['id']}/templates/sync").json()
    assert (again["added"], again["changed"], again["gone"]) == (0, 0, 0)  # nothing changed: nothing written

    assert whatsapp_in(api, account, From="whatsapp:+5582981110002", MessageSid="SM" + "e2" * 16).status_code == 200
    cid = conversation_of(api, account, "+5582981110002")["id"]
    gone = send(api, cid, "order_update", ["Ana", "A-18"])
    assert gone.status_code == 409 and gone.json()["error"]["code"] == "template_gone"


def test_syncing_is_for_whatsapp_accounts_of_providers_that_list_templates(api):
    sms = api.call("POST", "/admin/accounts", whatsapp_account_body(
        channel="sms", name="Contoso SMS", numbers=[{"number": "+15005550007", "type": "long_code"}])).json()
    refused = api.call("POST", f"/admin/accounts/{sms['id']}/templates/sync")
    assert refused.status_code == 422 and refused.json()["error"]["message"].startswith("account:")
    assert api.call("POST", "/admin/accounts/nope/templates/sync").status_code == 404
