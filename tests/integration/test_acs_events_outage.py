"""The events endpoint in process, over real storage that fails: Event Grid must get a
5xx (it retries those) and never a 4xx (it drops those), and the retry stores once."""

from __future__ import annotations

import json

import azure.functions as func
import pytest

from functions import acs as acs_functions
from functions import wiring
from tests.support.acs import CHANNEL_ID, events, whatsapp_account
from tests.support.storage import Outage
from tests.support.scopes import ALICE
from conversations.distribution.inboxes import Query

handler = acs_functions.acs_events._function.get_user_function()


@pytest.fixture
def broken(make_services, monkeypatch):
    outage = Outage(match="batch")
    services = make_services(request_hooks=[outage])
    monkeypatch.setattr(wiring, "_services", services)
    account = services.admin.accounts.create(whatsapp_account("http://127.0.0.1:9"))
    return services, account, outage


def post(account_id: str, payload) -> func.HttpResponse:
    return handler(func.HttpRequest("POST", f"http://localhost/api/acs/{account_id}/events",
                                    route_params={"account_id": account_id}, body=json.dumps(payload).encode(),
                                    headers={"Content-Type": "application/json"}))


def test_a_storage_outage_answers_503_and_the_redelivery_is_stored_once(broken):
    services, account, outage = broken
    payload = events("advanced_message_received_text.json", event_id="outage-1")
    outage.on = True
    failed = post(account.id, payload)
    assert failed.status_code == 503
    assert json.loads(failed.get_body())["error"]["code"] == "storage_unavailable"
    assert services.distribution.inboxes.page(ALICE, Query(), 10).conversations == []
    outage.on = False
    assert post(account.id, payload).status_code == 200
    assert post(account.id, payload).status_code == 200
    [conversation] = services.distribution.inboxes.page(ALICE, Query(), 10).conversations
    assert conversation.business == CHANNEL_ID
    assert len(services.messaging.actions.get(conversation.id, ALICE).messages) == 1
