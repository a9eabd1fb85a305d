"""A deployment upgraded from where search and fact rows were kept before December 2026
(search rows in a partition of their own, fact rows in a ``reports`` table): the
distribution timer moves them where a move writes them now (storage/relocation.py), keeps
a row written since, and then only asks whether it is done; an erasure meanwhile leaves
nothing naming the customer in either place."""

from __future__ import annotations

from datetime import date

from core.inbox import Placement
from core.reports import ReportQuery
from storage.fact_rows import FACTS
from storage.inbox import keys
from storage.keys import safe_key
from tests.support.desk import customer, open_desk
from tests.support.scopes import ALICE
from tests.support.storage import RoundTrips

CHICAGO = "+13125467890"


def as_before(services, conversation_ids: list[str]) -> None:
    """Move the conversations' search and fact rows where they were kept before."""
    inbox, reports = services.stores.storage.table("inbox"), services.stores.storage.table("reports")
    for cid in conversation_ids:
        for pk, rk in keys(Placement.of(services.stores.threads.current(cid))):
            if pk == "all" and rk.startswith("x|"):
                inbox.create_entity({"PartitionKey": "x", "RowKey": rk[2:], "ConversationId": cid, "Kind": "term"})
            elif rk.startswith(FACTS):
                row = dict(inbox.get_entity(pk, rk))
                del row["Kind"]
                reports.create_entity({**row, "PartitionKey": f"f|{safe_key(row['WorkstreamId'])}|{row['Day']}",
                                       "RowKey": cid})
            else:
                continue
            inbox.delete_entity(pk, rk)


def kept_before(services) -> list[tuple[str, str]]:
    inbox, reports = services.stores.storage.table("inbox"), services.stores.storage.table("reports")
    return [(r["PartitionKey"], r["RowKey"]) for r in [*inbox.query_entities("PartitionKey eq 'x'"),
                                                         *reports.list_entities()]]


def found(services, text: str) -> list[str]:
    return [c.id for c in services.distribution.search.find(ALICE, text, 20).conversations]


def report(services) -> dict[str, int]:
    return {r.conversation_id: r.version for _, r in services.reporting.history.rows(
        ALICE, ReportQuery(date(2026, 11, 23), date(2026, 11, 23)))}


def test_the_timer_moves_them_keeps_newer_rows_and_then_only_asks(make_services, clock):
    trips = RoundTrips()
    services = make_services(request_hooks=[trips])
    desk = open_desk(services, clock)
    services.admin.contacts.create({"mobile_phone": CHICAGO, "name": "Ada Lovelace"})
    services.admin.labels.create({"name": "VIP"})
    ada, other, relabelled = desk.customer_writes(CHICAGO), desk.customer_writes(customer(2)), \
        desk.customer_writes(customer(3))
    services.messaging.actions.label(relabelled, ["vip"], ALICE)
    before = report(services)
    as_before(services, [ada, other, relabelled])
    services.messaging.actions.label(relabelled, [], ALICE)  # since: its fact row is newer, its old label's row stays
    assert found(services, "ada") == [] and set(report(services)) == {relabelled}  # seen once moved

    services.clockwork.run()

    assert kept_before(services) == []
    assert found(services, "312 546 7890") == [ada] and found(services, "Lovelace") == [ada]
    assert found(services, "vip") == []  # its row of the label it no longer has leads nowhere
    after = report(services)
    assert after == {**before, relabelled: services.stores.threads.current(relabelled).version}
    trips.reset()
    services.clockwork.run()
    assert [p for p in trips.paths if "Inbox" in p or "Reports" in p] == []  # this process knows it is done
    fresh = make_services(request_hooks=[trips])
    trips.reset()
    fresh.clockwork.run()
    assert len([p for p in trips.paths if "Inbox" in p]) == 1  # a new one reads that it is, once


def test_an_erasure_before_they_move_leaves_no_row_naming_the_customer(make_services, clock):
    services = make_services()
    desk = open_desk(services, clock)
    ada = desk.customer_writes(CHICAGO)
    services.messaging.actions.close(ada, ALICE)
    as_before(services, [ada])
    services.customer_data.erasure.start({"address": CHICAGO}, ALICE.principal.actor)
    inbox, reports = services.stores.storage.table("inbox"), services.stores.storage.table("reports")
    assert [r["RowKey"] for r in inbox.query_entities("PartitionKey eq 'x'")] == []
    assert [(r["RowKey"], r["Customer"]) for r in reports.list_entities()] == []
    services.clockwork.run()
    [kept] = [r for r in inbox.list_entities() if r.get("Kind") == "fact"]
    assert kept["RowKey"].split("|")[2].startswith("erased-") and kept["Customer"] == ""  # counts stay
