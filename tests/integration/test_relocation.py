"""A deployment upgraded from where search and fact rows were kept before December 2026
(search rows in a partition of their own, fact rows in a ``reports`` table): the
distribution timer moves them where a move writes them now (storage/relocation.py), keeps
a row written since, and then only asks whether it is done; an erasure meanwhile leaves
nothing naming the customer in either place."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import StorageUnavailable
from core.inbox import Placement
from core.reports import ReportQuery
from storage.fact_rows import FACTS
from storage.inbox import keys
from storage.keys import safe_key
from storage import relocation as relocation_module
from storage.relocation import Relocation
from tests.support.desk import customer, open_desk
from tests.support.scopes import ALICE
from tests.support.storage import RoundTrips

CHICAGO = "+13125467890"
DIGITS = "0987645213"  # CHICAGO's digits reversed, as its number's search term holds them


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


def report_of(services, day: date) -> dict[str, int]:
    return {r.conversation_id: r.version for _, r in services.reporting.history.rows(ALICE, ReportQuery(day, day))}


def report(services) -> dict[str, int]:
    return report_of(services, date(2026, 11, 23))


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


def naming(services, cid: str) -> list[tuple[str, str]]:
    """Rows of the inbox and reports tables that name the conversation or the customer."""
    tables = [services.stores.storage.table(name) for name in ("inbox", "reports")]
    return sorted((r["PartitionKey"], r["RowKey"]) for table in tables for r in table.list_entities()
                  if r.get("ConversationId") == cid or cid in r["RowKey"] or DIGITS in r["RowKey"]
                  or r.get("Customer") == CHICAGO)


def test_a_term_that_changes_before_its_row_moves_leaves_nothing_behind(make_services, clock):
    services = make_services()
    desk = open_desk(services, clock)
    ada = desk.customer_writes(CHICAGO)
    services.messaging.customer_contact.save(ada, {"name": "Ada Lovelace"}, ALICE)
    as_before(services, [ada])
    services.messaging.customer_contact.save(ada, {"name": "Grace Hopper"}, ALICE)  # its old name's rows go
    services.clockwork.run()
    assert found(services, "Lovelace") == [] and found(services, "Hopper") == [ada]
    services.messaging.actions.close(ada, ALICE)
    services.customer_data.erasure.start({"address": CHICAGO}, ALICE.principal.actor)
    assert [k for k in naming(services, ada) if "erased-" not in k[1]] == []


@pytest.mark.parametrize("kind", ["fact", "term"])
def test_an_erasure_while_a_page_moves_brings_nothing_back(make_services, clock, monkeypatch, kind):
    """The erasure runs after the relocation read the page and before it writes it."""
    services = make_services()
    desk = open_desk(services, clock)
    ada = desk.customer_writes(CHICAGO)
    services.messaging.actions.close(ada, ALICE)
    as_before(services, [ada])
    relocate, erased = Relocation._relocate, []

    def racing(self, source, rows, target, moved_kind):
        if moved_kind == kind and not erased:
            erased.append(services.customer_data.erasure.start({"address": CHICAGO}, ALICE.principal.actor))
        return relocate(self, source, rows, target, moved_kind)

    monkeypatch.setattr(Relocation, "_relocate", racing)
    services.clockwork.run()
    assert erased and kept_before(services) == []
    assert [k for k in naming(services, ada) if "erased-" not in k[1]] == []


def test_a_finished_day_computed_before_its_rows_moved_is_computed_again(make_services, clock):
    services = make_services()
    desk = open_desk(services, clock)
    first, second = desk.customer_writes(customer(1)), desk.customer_writes(customer(2))
    services.messaging.actions.close(first, ALICE)
    as_before(services, [first])
    day = clock.now.date()
    clock.advance(days=1)
    def total() -> int:
        return services.reporting.history.summary(ALICE, ReportQuery(day, day))["total"]["conversations"]

    assert total() == 1 and set(report_of(services, day)) == {second}  # its digest kept without the row
    services.clockwork.run()
    assert total() == 2 and set(report_of(services, day)) == {first, second}


def test_a_row_written_since_stays_though_its_old_row_went_meanwhile(make_services, clock, monkeypatch):
    """The label goes and comes back after the page was read: the row the move wrote for it
    is not the relocation's to undo."""
    services = make_services()
    desk = open_desk(services, clock)
    services.admin.labels.create({"name": "VIP"})
    cid = desk.customer_writes(customer(1))
    services.messaging.actions.label(cid, ["vip"], ALICE)
    as_before(services, [cid])
    relocate = Relocation._relocate

    def relabelled(self, source, rows, target, kind):
        if kind == "term":
            services.messaging.actions.label(cid, [], ALICE)
            services.messaging.actions.label(cid, ["vip"], ALICE)
        return relocate(self, source, rows, target, kind)

    monkeypatch.setattr(Relocation, "_relocate", relabelled)
    services.clockwork.run()
    assert kept_before(services) == [] and found(services, "vip") == [cid]


@pytest.mark.parametrize("kind", ["fact", "term"])
def test_a_run_that_stops_before_its_undo_is_settled_by_the_next(make_services, clock, monkeypatch, kind):
    """An erasure deletes the old rows after the page was read, and the run stops after its
    own deletes, before it deletes what it wrote for them: the next run does."""
    services = make_services()
    desk = open_desk(services, clock)
    ada = desk.customer_writes(CHICAGO)
    services.messaging.actions.close(ada, ALICE)
    as_before(services, [ada])
    relocate = Relocation._relocate

    def stopped(*_args, **_kwargs):
        raise StorageUnavailable("the host stopped")

    def erased_then_stopped(self, source, rows, target, moved_kind):
        if moved_kind == kind:
            services.customer_data.erasure.start({"address": CHICAGO}, ALICE.principal.actor)
            monkeypatch.setattr(relocation_module, "delete_all", stopped)
        relocate(self, source, rows, target, moved_kind)

    monkeypatch.setattr(Relocation, "_relocate", erased_then_stopped)
    services.clockwork.run()
    assert [k for k in naming(services, ada) if "erased-" not in k[1]] != []  # what the undo would have deleted
    monkeypatch.undo()
    services.clockwork.run()
    assert kept_before(services) == []
    assert [k for k in naming(services, ada) if "erased-" not in k[1]] == []
