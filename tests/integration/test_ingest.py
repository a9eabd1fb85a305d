"""Inbound messages against real Table Storage (Azurite): once, in the right conversation,
in few round trips, under concurrency and through an outage."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest

from core.errors import StorageUnavailable
from tests.support.storage import Outage, RoundTrips
from tests.support.twilio import BUSINESS_E164, CUSTOMER, account_body, inbound
from tests.support.scopes import ALICE
from conversations.distribution.inboxes import Query


@pytest.fixture
def counted(make_services):
    trips = RoundTrips()
    services = make_services(request_hooks=[trips])
    account = services.admin.accounts.create(account_body())
    return services, account, trips


def test_new_customer_opens_a_conversation_and_a_retry_is_stored_once(counted):
    services, account, _ = counted
    first = services.messaging.ingest.message(account, inbound(account.id, "SM1", "Ahoy"))
    again = services.messaging.ingest.message(account, inbound(account.id, "SM1", "Ahoy"))
    assert again.duplicate and not first.duplicate
    conversation = services.messaging.actions.get(first.conversation_id, ALICE)
    assert conversation.state == "open"
    assert conversation.customer == CUSTOMER and conversation.business == BUSINESS_E164
    assert [(m.direction, m.body, m.provider_message_id) for m in conversation.messages] == [("inbound", "Ahoy", "SM1")]
    assert conversation.workstream_id is None and conversation.auto_close_after_minutes == 480


def test_message_into_existing_conversation_costs_two_round_trips(counted):
    services, account, trips = counted
    first = services.messaging.ingest.message(account, inbound(account.id, "SM1"))
    trips.reset()
    second = services.messaging.ingest.message(account, inbound(account.id, "SM2"))
    assert second.conversation_id == first.conversation_id
    assert trips.count <= 2, trips.paths


def test_twenty_concurrent_messages_from_a_new_customer_make_one_conversation(counted):
    services, account, _ = counted
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda i: services.messaging.ingest.message(account, inbound(account.id, f"SMc{i}", f"m{i}")),
                                range(20)))
    assert len({r.conversation_id for r in results}) == 1
    conversation = services.messaging.actions.get(results[0].conversation_id, ALICE)
    assert sorted(m.body for m in conversation.messages) == sorted(f"m{i}" for i in range(20))
    assert len(services.distribution.inboxes.page(ALICE, Query(), 100).conversations) == 1


def test_one_message_delivered_five_times_at_once_is_stored_once(counted):
    services, account, _ = counted
    with ThreadPoolExecutor(5) as pool:
        results = list(pool.map(lambda _: services.messaging.ingest.message(account, inbound(account.id, "SMdup")), range(5)))
    assert sum(not r.duplicate for r in results) == 1
    stored = [r for r in results if not r.duplicate][0]
    assert len(services.messaging.actions.get(stored.conversation_id, ALICE).messages) == 1


def test_waiting_conversation_wakes_up_and_closed_one_is_followed_by_a_new_one(counted):
    services, account, _ = counted
    ingest, actions = services.messaging.ingest, services.messaging.actions
    cid = ingest.message(account, inbound(account.id, "SM1")).conversation_id
    services.distribution.assignments.accept(cid, ALICE)
    actions.wait(cid, ALICE)
    actions.wait(cid, ALICE)  # a repeat (a double click, a retried request) records nothing
    assert [e.action for e in actions.get(cid, ALICE).events].count("parked") == 1
    ingest.message(account, inbound(account.id, "SM2"))
    assert actions.get(cid, ALICE).state == "active"
    actions.close(cid, ALICE)
    later = ingest.message(account, inbound(account.id, "SM3")).conversation_id
    assert later != cid
    assert actions.get(cid, ALICE).state == "closed" and actions.get(cid, ALICE).closed_reason == "agent"
    assert actions.get(later, ALICE).state == "open" and len(actions.get(later, ALICE).messages) == 1


def test_waiting_without_agent_goes_back_to_open(counted):
    services, account, _ = counted
    ingest, actions = services.messaging.ingest, services.messaging.actions
    cid = ingest.message(account, inbound(account.id, "SM1")).conversation_id
    actions.wait(cid, ALICE)
    ingest.message(account, inbound(account.id, "SM2"))
    assert actions.get(cid, ALICE).state == "open"


def test_storage_outage_loses_nothing_and_the_retry_is_stored_once(make_services):
    outage = Outage(match="batch")
    services = make_services(request_hooks=[outage])
    account = services.admin.accounts.create(account_body())
    outage.on = True
    with pytest.raises(StorageUnavailable):
        services.messaging.ingest.message(account, inbound(account.id, "SMx"))
    assert services.distribution.inboxes.page(ALICE, Query(), 10).conversations == []
    outage.on = False
    first = services.messaging.ingest.message(account, inbound(account.id, "SMx"))
    services.messaging.ingest.message(account, inbound(account.id, "SMx"))
    assert len(services.messaging.actions.get(first.conversation_id, ALICE).messages) == 1


def test_a_message_delivered_after_a_later_one_leaves_the_last_words_and_the_read_receipts_message(counted, clock):
    services, account, _ = counted
    newer = replace(inbound(account.id, "SMnewer", "Are you there?"), received_at=clock.now)
    older = replace(inbound(account.id, "SMolder", "Hello"), received_at=clock.now - timedelta(minutes=2))
    cid = services.messaging.ingest.message(account, newer).conversation_id
    services.messaging.ingest.message(account, older)  # written first, delivered last (Event Grid keeps no order)
    conversation = services.messaging.actions.get(cid, ALICE)
    assert (conversation.preview, conversation.latest_customer_message) == ("Are you there?", "SMnewer")
    services.messaging.ingest.message(account, replace(inbound(account.id, "SMlast", "Bye"), received_at=clock.now))
    conversation = services.messaging.actions.get(cid, ALICE)
    assert (conversation.preview, conversation.latest_customer_message) == ("Bye", "SMlast")
