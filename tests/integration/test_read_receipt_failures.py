"""A read receipt ACS refuses, as an operator sees it (OpenTelemetry in memory, the app's
logs): the holder's opening answers as it would have, the failure is counted by provider
and code and logged with the conversation's and the message's ids, never the customer's
number or the message's text."""

from __future__ import annotations

import json

import azure.functions as func

from core import telemetry as names
from functions import acs, conversations_api, people_api
from tests.support.acs import CUSTOMER_DIGITS, events, whatsapp_account
from tests.support.recorder import recording
from tests.support.telemetry import BASE, PRINCIPAL, nothing_private

READ = "/messages/readreceipts:send"
TEXT = "Hello, I need help with my order"


def test_a_refused_read_receipt_is_counted_and_logged_by_its_ids(watch):
    with recording() as stand_in:
        stand_in.on("POST", READ, (500, {"error": {"code": "InternalError", "message": "try later"}}))
        watched = watch()
        account = watched.services.admin.accounts.create(whatsapp_account(stand_in.base_url))
        payload = events("advanced_message_received_text.json", event_id="wamid.refused", message_id="wamid.refused",
                         content=TEXT)
        delivered = acs.acs_events(func.HttpRequest(
            "POST", f"{BASE}/api/acs/{account.id}/events", route_params={"account_id": account.id},
            headers={"Content-Type": "application/json", "aeg-event-type": "Notification"},
            body=json.dumps(payload).encode()))
        assert delivered.status_code == 200, delivered.get_body()
        [conversation] = _listed()
        ada = json.loads(people_api.me(_as_agent("GET", "/api/me")).get_body())["id"]  # Ada, in the directory
        assigned = conversations_api.assign_conversation(_as_agent(
            "POST", f"/api/conversations/{conversation['id']}/assign", {"id": conversation["id"]},
            json.dumps({"agent_id": ada}).encode()))
        assert assigned.status_code == 200, assigned.get_body()
        opened = conversations_api.seen(_as_agent("POST", f"/api/conversations/{conversation['id']}/seen",
                                                  {"id": conversation["id"]}))
    assert opened.status_code == 200 and json.loads(opened.get_body())["id"] == conversation["id"]
    [call] = stand_in.calls("POST", READ)
    assert call.json()["messageId"] == "wamid.refused" and call.status == 500
    assert watched.counted(names.READ_RECEIPT_FAILURES, provider="acs", code="InternalError") == 1
    [logged] = [r.getMessage() for r in watched.logs if "not marked read" in r.getMessage()]
    assert conversation["id"] in logged and "wamid.refused" in logged
    nothing_private(watched, TEXT, CUSTOMER_DIGITS)


def _as_agent(method: str, path: str, route_params: dict[str, str] | None = None,
              body: bytes = b"") -> func.HttpRequest:
    return func.HttpRequest(method, f"{BASE}{path}", route_params=route_params or {}, body=body,
                            headers={"X-MS-CLIENT-PRINCIPAL": PRINCIPAL, "Content-Type": "application/json"})


def _listed() -> list[dict]:
    return json.loads(conversations_api.list_conversations(_as_agent("GET", "/api/conversations")).get_body())[
        "conversations"]
