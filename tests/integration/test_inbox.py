"""The inbox index on real storage: each view is one page of one partition with a next
token, it stays in step with the thread heads through concurrent moves and crashes, and
the change feed tells a workspace what changed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from conversations.distribution.inboxes import Query
from core.errors import Forbidden, ValidationFailed
from core.inbox import Placement
from core.records import ACTIVE, CLOSED, WAITING, Conversation
from functions.wiring import Services
from storage.inbox import InboxStore, keys
from storage.relocation import NAME as RELOCATION
from storage.upgrades import Upgrade
from tests.support.desk import Desk, customer, open_desk
from tests.support.loops import run_apart
from tests.support.scopes import ALICE
from tests.support.storage import InboxOutage, RoundTrips


def index_rows(services: Services) -> set[tuple[str, str]]:
    """Every row of the index's lists (not the row that says its upgrade is done)."""
    table = services.stores.storage.table("inbox")
    return {(r["PartitionKey"], r["RowKey"]) for r in table.query_entities("PartitionKey ne 'upgrades'",
                                                                           select=["PartitionKey", "RowKey"])}


def expected_rows(services: Services, conversations: list[str]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for cid in conversations:
        current: Conversation | None = services.stores.threads.current(cid)
        found |= keys(Placement.of(current))
    return found


def raw_inbox(services: Services) -> InboxStore:
    """The index's store itself, to write rows as a writer that stopped would have."""
    return InboxStore(services.stores.storage, Upgrade(services.stores.storage, RELOCATION))


def changes(services: Services, *args):
    return run_apart(services.distribution.feed.changes(*args))


def test_pages_follow_next_tokens_one_round_trip_each(make_services, clock):
    trips = RoundTrips()
    services = make_services(request_hooks=[trips])
    desk = open_desk(services, mode="pick")
    conversations = []
    for i in range(7):
        clock.advance(seconds=1)
        conversations.append(desk.customer_writes(customer(i)))
    seen, token = [], None
    trips.reset()
    pages = 0
    while True:
        page = services.distribution.inboxes.page(ALICE, Query("queue", desk.workstream_id, "general", True), 3, token)
        pages += 1
        seen += [c.id for c in page.conversations]
        token = page.next
        if token is None:
            break
    assert seen == conversations  # oldest first
    assert trips.count == pages
    newest = services.distribution.inboxes.page(ALICE, Query(state="open"), 100).conversations
    assert [c.id for c in newest] == conversations[::-1]
    with pytest.raises(ValidationFailed) as bad:
        services.distribution.inboxes.page(ALICE, Query(), 10, "not-a-token")
    assert bad.value.field == "next"


def test_views_are_read_within_scope(make_services):
    services = make_services()
    desk = open_desk(services, mode="pick")
    ana = desk.agent("ana")
    cid = desk.customer_writes(customer(1))
    assert [c.id for c in services.distribution.inboxes.page(ana, Query("queue", desk.workstream_id, "general", True), 10)
            .conversations] == [cid]
    for forbidden in (Query("all"), Query("workstream", desk.workstream_id),
                      Query("queue", desk.workstream_id, "billing", True)):
        with pytest.raises(Forbidden):
            services.distribution.inboxes.page(ana, forbidden, 10)
    services.distribution.assignments.accept(cid, ana)
    assert [c.id for c in services.distribution.inboxes.page(ana, Query(), 10).conversations] == [cid]  # mine, by default
    assert services.distribution.inboxes.page(ana, Query(state="waiting"), 10).conversations == []


def test_the_index_matches_the_heads_after_concurrent_moves(make_services, clock):
    services = make_services()
    desk = open_desk(services)
    agents = [desk.agent(n, capacity=2) for n in ("ana", "bo")]
    with ThreadPoolExecutor(8) as pool:
        conversations = list(pool.map(lambda i: desk.customer_writes(customer(i)), range(12)))

        def work(agent):
            while offers := desk.offers(agent.principal.name):
                for cid in offers:
                    services.distribution.assignments.accept(cid, agent)
                    services.messaging.actions.wait(cid, agent)
                    desk.customer_writes(desk.conversation(cid).customer, "still there?")
                    services.messaging.actions.close(cid, agent)

        list(pool.map(work, agents))
    clock.advance(seconds=31)  # a placing that storage refused under this load is the timer's, as in production
    services.clockwork.run()
    assert index_rows(services) == expected_rows(services, conversations)


def test_a_move_whose_writer_stopped_is_finished_by_the_timer(make_services, clock):
    outage = InboxOutage()
    services = make_services(request_hooks=[outage])
    desk = open_desk(services)
    desk.agent("ana")
    outage.on = True
    cid = desk.customer_writes(customer(1))  # stored offered to ana; placing it fails
    outage.on = False
    assert index_rows(services) == set() and desk.offered_to(cid) == "ana"
    clock.advance(seconds=31)
    services.distribution.presence.heartbeat(desk.scopes["ana"].principal.id)
    assert services.clockwork.run().get("place") == 1
    assert index_rows(services) == expected_rows(services, [cid])
    assert [c.id for c in services.distribution.inboxes.page(desk.scopes["ana"], Query("offers"), 10).conversations] \
        == [cid]


def test_a_close_the_sweep_could_not_place_is_finished_by_its_next_run(make_services, clock):
    """The sweep keeps a close's job among its deadlines: left when placing failed, it is
    due at once, and the next run places the move and reacts to it (the agent freed)."""
    outage = InboxOutage()
    services = make_services(request_hooks=[outage])
    desk = open_desk(services, clock)
    ana = desk.agent("ana")
    cid = desk.customer_writes(customer(1))
    services.distribution.assignments.accept(cid, ana)
    clock.advance(minutes=desk.conversation(cid).auto_close_after_minutes + 1)
    outage.on = True
    assert services.messaging.sweep.run()["closed"] == 1
    assert services.messaging.sweep.run()["failed"] == 1  # placing fails again: the job stays
    outage.on = False
    assert desk.conversation(cid).state == CLOSED and desk.mine("ana") == [cid] and desk.load("ana") == 1
    assert [d.key.split("|")[:2] for d in services.stores.deadlines.due(clock.now, 10)] == [["place", cid]]
    assert services.messaging.sweep.run()["replayed"] == 1
    assert index_rows(services) == expected_rows(services, [cid])
    assert desk.mine("ana") == [] and desk.load("ana") == 0
    assert services.stores.deadlines.due(clock.now, 10) == []


def test_a_sweep_close_leaves_no_due_row_behind(make_services, clock):
    services = make_services()
    desk = open_desk(services, clock)
    cid = desk.customer_writes(customer(1))
    clock.advance(minutes=desk.conversation(cid).auto_close_after_minutes + 1)
    assert services.messaging.sweep.run()["closed"] == 1
    assert services.stores.deadlines.due(clock.now, 10) == [] and services.stores.timers.due(clock.now, 10) == []
    assert index_rows(services) == expected_rows(services, [cid])


def test_the_change_feed_tells_offers_messages_and_queues(make_services):
    services = make_services()
    desk: Desk = open_desk(services)
    ana = desk.agent("ana", capacity=1)
    first = changes(services, ana, None, 0)
    assert (first.offers, first.mine, first.me.presence) == ([], [], "available")
    assert [(ref.queue, page) for ref, page in first.queues] == [("general", [])]
    quiet = changes(services, ana, first.cursor, 0)
    assert quiet.empty
    cid = desk.customer_writes(customer(1))
    offered = changes(services, ana, quiet.cursor, 0)
    assert [c.id for c in offered.offers] == [cid] and offered.me.load("sms") == 1
    services.distribution.assignments.accept(cid, ana)
    accepted = changes(services, ana, offered.cursor, 0)
    assert accepted.offers == [] and [c.id for c in accepted.mine] == [cid]
    desk.customer_writes(customer(1), "Are you there?")
    message = changes(services, ana, accepted.cursor, 0)
    assert [c.id for c in message.mine] == [cid] and message.offers is None
    waiting = desk.customer_writes(customer(2))
    queued = changes(services, ana, message.cursor, 0)
    assert [[c.id for c in page] for _, page in queued.queues] == [[waiting]]
    with pytest.raises(ValidationFailed) as bad:
        changes(services, ana, "%%%", 0)
    assert bad.value.field == "since"
    with pytest.raises(ValidationFailed) as longer:
        changes(services, ana, None, 26)  # at most 25 seconds
    assert longer.value.field == "wait"


def test_the_change_feed_tells_an_agent_its_new_capacity(make_services):
    """An admin gives ana room for more: her next read of the feed answers her state again,
    which her workspace's free capacity is drawn from."""
    services = make_services()
    desk: Desk = open_desk(services)
    ana = desk.agent("ana", capacity=1)
    first = changes(services, ana, None, 0)
    services.admin.directory.update(ana.principal.id, {"capacity": {"sms": 3}})
    ana = services.admin.directory.scope(ana.principal)  # the scope her next request is read with
    assert changes(services, ana, first.cursor, 0).me is not None
    assert changes(services, ana, changes(services, ana, None, 0).cursor, 0).empty


def test_a_conversation_accepted_between_the_feeds_two_reads_is_listed_once(make_services):
    """The feed reads the agent's offers, then what it holds: an accept between the two
    leaves the offer's row in the first read and the held row in the second (as here, where
    the offer's row is written back after the accept)."""
    services = make_services()
    desk = open_desk(services)
    ana = desk.agent("ana", capacity=1)
    cid = desk.customer_writes(customer(1))
    offered = services.stores.threads.current(cid)
    services.distribution.assignments.accept(cid, ana)
    raw_inbox(services).place(offered)
    seen = changes(services, ana, None, 0)
    assert seen.offers == [] and [c.id for c in seen.mine] == [cid]


def test_ingest_into_an_existing_conversation_stays_two_round_trips(make_services):
    trips = RoundTrips()
    services = make_services(request_hooks=[trips])
    desk = open_desk(services)
    ana = desk.agent("ana")
    cid = desk.customer_writes(customer(1))
    services.distribution.assignments.accept(cid, ana)
    desk.customer_writes(customer(1), "warm the caches")
    trips.reset()
    desk.customer_writes(customer(1), "and one more")
    assert trips.count == 2, trips.paths


def test_placing_over_rows_a_stopped_writer_left_or_never_wrote_ends_with_the_rows_it_has_now(make_services):
    """A row it should have is created and one it had replaced, without looking either up
    first; when storage has it otherwise (a writer stopped half way), the row is upserted:
    alone in its partition or in a batch."""
    services = make_services()
    desk = open_desk(services)
    desk.agent("ana")
    cid = desk.customer_writes(customer(1))
    offered = services.stores.threads.current(cid)
    assert offered.offer is not None
    inbox = raw_inbox(services)
    inbox.place(offered)  # every row there already: each create is refused, then upserted
    assert index_rows(services) == expected_rows(services, [cid])
    held = replace(offered, state=ACTIVE, agent=offered.offer.agent, offer=None)
    inbox.place(held)  # as a writer that stopped after this, before deleting the offer's row
    inbox.place(held, [Placement.of(offered)])  # the agent's partition: a batch whose create is refused
    assert index_rows(services) == keys(Placement.of(held))
    closed = replace(held, state=CLOSED)
    never = replace(Placement.of(held), state=WAITING)  # placed by nobody: nothing to replace
    inbox.place(closed, [Placement.of(held), never])
    assert index_rows(services) == keys(Placement.of(closed))
    table = services.stores.storage.table("inbox")
    lists = table.query_entities("Kind eq 'conversation'", select=["State"])  # not its search or fact rows
    assert {r["State"] for r in lists} == {CLOSED}
