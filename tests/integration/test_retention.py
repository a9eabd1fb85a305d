"""Retention on real storage: the timer deletes exactly the closed conversations past
their workstream's retention, and its storage round trips follow those, not the rows
kept (1,000 kept and 40 due cost what 10,000 kept and 40 due cost)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import pytest

from channels.twilio_api import TwilioSender
from core.errors import NotFound
from core.ids import new_conversation_id, thread_of
from functions.settings import Settings
from functions.wiring import build
from storage.deadlines import bucket_of
from tests.support.desk import customer, open_desk
from tests.support.scopes import ALICE
from tests.support.storage import RoundTrips
from tests.support.tables import every_row, naming, row_text
from tests.support.twilio import MESSAGES_PATH, message_created

pytestmark = pytest.mark.long  # started first (tests/conftest.py)

DAYS = 30
DUE = 40


def seed_kept_rows(services, count: int, after: datetime) -> None:
    """``count`` retention rows of closed conversations that are not due yet, spread over
    later minutes, written a batch at a time (as many closes would have written them)."""
    table = services.stores.storage.table("retention")
    for first in range(0, count, 100):
        due = after + timedelta(minutes=1 + first // 100)
        table.submit_transaction([("create", {"PartitionKey": bucket_of(due), "RowKey": new_conversation_id(
            secrets.token_hex(16)), "DueAt": due}) for _ in range(min(100, count - first))])


def shop(settings_env, clock, prefix: str, trips: RoundTrips):
    services = build(Settings.from_env({**settings_env, "SWITCHBOARD_TABLE_PREFIX": prefix}), clock=clock,
                     request_hooks=[trips])
    desk = open_desk(services, clock)
    services.admin.workstreams.update(desk.workstream_id, {"retention_days": DAYS})
    return services, desk


def close_conversations(services, desk, first: int, count: int) -> list[str]:
    ids = [desk.customer_writes(customer(first + i)) for i in range(count)]
    for cid in ids:
        services.messaging.actions.close(cid, ALICE)
    return ids


def measure(settings_env, clock, azurite, kept_rows: int) -> tuple[int, dict[str, int]]:
    prefix = "r" + secrets.token_hex(5)
    trips = RoundTrips()
    services, desk = shop(settings_env, clock, prefix, trips)
    start = clock.now
    due = close_conversations(services, desk, 0, DUE)
    clock.advance(days=10)
    later = close_conversations(services, desk, 1000, 3)  # closed within the retention: kept
    live = desk.customer_writes(customer(2000))
    seed_kept_rows(services, kept_rows, start + timedelta(days=DAYS + 1))
    clock.now = start + timedelta(days=DAYS, minutes=1)
    before = every_row(azurite.connection_string, prefix)
    services.clockwork.run()  # the index's upgrades known done, as in any instance after its first run
    # The workstream in the per-instance cache, as in a warm instance, loaded just now: an
    # entry loaded while the rows were written may lapse (30 s) during the run measured.
    services.admin.workstreams.update(desk.workstream_id, {"retention_days": DAYS})  # empties the cache
    services.distribution.lookup.workstream(desk.workstream_id)
    trips.reset()
    counts = services.customer_data.retention.run()
    spent = trips.count

    after = every_row(azurite.connection_string, prefix)
    gone = {thread_of(cid) for cid in due}
    assert counts["deleted"] == DUE and naming(after, gone) == []
    removed = {(t, row_text(e)) for t, rows in before.items() for e in rows} - \
        {(t, row_text(e)) for t, rows in after.items() for e in rows}
    assert all(any(g in text for g in gone) for _, text in removed)  # nothing else went
    assert len(after[f"{prefix}Retention"]) == kept_rows + len(later)
    for cid in [*later, live]:
        assert len(services.messaging.actions.get(cid, ALICE).messages) == 1
    return spent, counts


def test_retention_deletes_what_is_due_at_a_cost_that_follows_it(settings_env, clock, azurite):
    small, counts = measure(settings_env, clock, azurite, 1_000)
    clock.advance(days=-DAYS - 10)
    large, _ = measure(settings_env, clock, azurite, 10_000)
    print(f"retention run, {DUE} due: {small} round trips with 1,000 kept, {large} with 10,000 kept; {counts}")
    assert small == large


def test_a_workstream_that_keeps_longer_since_moves_its_rows_and_one_that_keeps_all_drops_them(make_services, clock):
    services = make_services()
    desk = open_desk(services, clock)
    services.admin.workstreams.update(desk.workstream_id, {"retention_days": 1})
    cid = close_conversations(services, desk, 0, 1)[0]
    services.admin.workstreams.update(desk.workstream_id, {"retention_days": 3})
    clock.advance(days=1, minutes=1)
    assert services.customer_data.retention.run()["rescheduled"] == 1
    services.admin.workstreams.update(desk.workstream_id, {"retention_days": None})
    clock.advance(days=3)
    assert services.customer_data.retention.run()["dropped"] == 1
    assert services.messaging.actions.get(cid, ALICE).state == "closed"


def test_a_conversation_past_its_retention_leaves_no_row_behind_its_sent_replies_included(
        settings_env, clock, azurite, twilio_api):
    prefix = "r" + secrets.token_hex(5)
    services = build(Settings.from_env({**settings_env, "SWITCHBOARD_TABLE_PREFIX": prefix}), clock=clock,
                     senders={"twilio": TwilioSender(twilio_api.base_url, timeout=1.0)})
    twilio_api.on("POST", MESSAGES_PATH, message_created("SMkept"))
    desk = open_desk(services, clock)
    services.admin.workstreams.update(desk.workstream_id, {"retention_days": 1})
    cid = desk.customer_writes(customer(1))
    services.messaging.outbox.reply(cid, "Thanks, on it", ALICE, "https://sb.example.com")
    services.messaging.actions.close(cid, ALICE)
    clock.advance(days=1, minutes=1)
    assert services.customer_data.retention.run()["deleted"] == 1
    assert naming(every_row(azurite.connection_string, prefix), {thread_of(cid)}) == []


@pytest.mark.parametrize("then, kept_days", [(2, 2), (5, 5), (None, None)])
def test_a_deleted_workstreams_conversations_keep_the_retention_it_had_then(make_services, clock, then, kept_days):
    services = make_services()
    desk = open_desk(services, clock)
    services.admin.workstreams.update(desk.workstream_id, {"retention_days": 2})
    cid = close_conversations(services, desk, 0, 1)[0]
    services.admin.workstreams.update(desk.workstream_id, {"retention_days": then})  # longer, or keep all
    services.admin.workstreams.delete(desk.workstream_id)
    clock.advance(days=1)
    assert services.customer_data.retention.run() == {}  # not due yet
    clock.advance(days=1, minutes=1)
    outcome = services.customer_data.retention.run()
    assert outcome.keys() & {"deleted", "rescheduled", "dropped"} == (
        {"deleted"} if kept_days == 2 else {"rescheduled"} if kept_days else {"dropped"})
    clock.advance(days=3)
    services.customer_data.retention.run()
    if kept_days is None:  # kept, as the workstream said
        assert services.messaging.actions.get(cid, ALICE).state == "closed"
        return
    with pytest.raises(NotFound):
        services.messaging.actions.get(cid, ALICE)
