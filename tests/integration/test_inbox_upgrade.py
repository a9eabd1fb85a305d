"""A deployment upgraded from the inbox index's earlier layout (a partition per state of
each list): the distribution timer moves every conversation it lists to the layout of
now, as each is now, deletes what the earlier one held, and then only asks whether it is
done."""

from __future__ import annotations

from dataclasses import replace

from conversations.distribution.inboxes import Query
from core.ids import thread_of
from core.inbox import Placement
from storage.earlier_inbox import earlier_keys
from storage.inbox import keys
from storage.thread_rows import conversation_fields, conversation_key
from tests.integration.test_inbox import expected_rows, index_rows
from tests.support.desk import customer, open_desk
from tests.support.scopes import ALICE
from tests.support.storage import RoundTrips


def as_before(services, conversation_ids: list[str]) -> None:
    """Rewrite the conversations' rows as the earlier layout kept them (its agents' rows
    were the same then)."""
    table = services.stores.storage.table("inbox")
    for cid in conversation_ids:
        c = services.stores.threads.current(cid)
        placement = Placement.of(c)
        for pk, rk in keys(placement) - {k for k in keys(placement) if k[0].startswith("a|")}:
            table.delete_entity(pk, rk)
        for pk, rk in earlier_keys(placement):
            table.create_entity({"PartitionKey": pk, "RowKey": rk, **conversation_fields(c), "Kind": "conversation"})


def test_the_timer_moves_the_earlier_layout_to_the_one_of_now_and_then_only_asks(make_services, clock):
    trips = RoundTrips()
    services = make_services(request_hooks=[trips])
    desk = open_desk(services, clock)
    ana = desk.agent("ana", capacity=1)
    held = desk.customer_writes(customer(1))
    services.distribution.assignments.accept(held, ana)
    waiting = desk.customer_writes(customer(2))  # ana is full: it waits in the queue
    closed = desk.customer_writes(customer(3))
    services.messaging.actions.close(closed, ALICE)
    moved_since = desk.customer_writes(customer(4))
    erased = desk.customer_writes(customer(5))
    conversations = [held, waiting, closed, moved_since]
    as_before(services, [*conversations, erased])
    services.messaging.actions.close(moved_since, ALICE)  # the earlier layout still shows it waiting
    services.stores.storage.table("threads").delete_entity(thread_of(erased), conversation_key(erased))
    table = services.stores.storage.table("inbox")
    was_open = replace(services.stores.threads.current(closed), state="open")  # a writer stopped half way
    for pk, rk in earlier_keys(Placement.of(was_open)) - earlier_keys(Placement.of(
            services.stores.threads.current(closed))):
        table.upsert_entity({"PartitionKey": pk, "RowKey": rk, **conversation_fields(was_open), "Kind": "conversation"})
    # Only what moved since the upgrade is listed so far.
    assert [c.id for c in services.distribution.inboxes.page(ALICE, Query("all"), 10).conversations] == [moved_since]

    services.clockwork.run()

    assert index_rows(services) == expected_rows(services, conversations)
    assert services.stores.earlier_inbox.finished()
    everyone = services.distribution.inboxes.page(ALICE, Query("all"), 10).conversations
    assert {c.id: c.state for c in everyone} == {held: "active", waiting: "open", closed: "closed",
                                                 moved_since: "closed"}
    assert [c.id for c in services.distribution.inboxes.page(
        ALICE, Query("queue", desk.workstream_id, "general", True), 10).conversations] == [waiting]
    trips.reset()
    services.clockwork.run()
    assert [p for p in trips.paths if "Inbox" in p] == []  # this process knows it is done
    fresh = make_services(request_hooks=[trips])
    trips.reset()
    fresh.clockwork.run()
    assert len([p for p in trips.paths if "Inbox" in p]) == 1  # a new one reads that it is, once
