"""The audit trail on real storage: pages newest first, and expiry that reads only the
entries past the retention (its cost follows them, not the entries kept)."""

from __future__ import annotations

from core.identity import ADMIN, Principal
from tests.support.storage import RoundTrips

ALICE = Principal("a" * 8 + "-0000-0000-0000-" + "0" * 12, "alice", frozenset({ADMIN}))


def test_expiry_deletes_only_entries_older_than_the_retention_and_reads_only_them(make_services, clock):
    trips = RoundTrips()
    services = make_services(request_hooks=[trips])
    for i in range(5):
        services.customer_data.audit.record(ALICE, "203.0.113.5", "contact.update", f"old{i}", {"name": "x"})
    clock.advance(days=300)
    for i in range(3):
        clock.advance(seconds=1)
        services.customer_data.audit.record(ALICE, "203.0.113.5", "account.update", f"new{i}", {"credentials": {"auth_token": "s"}})
    clock.advance(days=70)  # the first five are 370 days old, past the default 365
    trips.reset()
    assert services.customer_data.audit.expire() == 5
    assert trips.count == 2  # the query of the expired entries, one batch deleting them
    page = services.customer_data.audit.page({}, 10, None)
    assert [e.target for e in page.entries] == ["new2", "new1", "new0"] and page.next is None
    assert page.entries[0].fields == ("credentials.auth_token",)
    assert services.customer_data.audit.expire() == 0


def test_pages_follow_one_another_and_filters_narrow_them(make_services, clock):
    services = make_services()
    for i in range(5):
        clock.advance(minutes=1)
        services.customer_data.audit.record(ALICE, "", "workstream.update" if i % 2 else "agent.create", f"t{i}")
    first = services.customer_data.audit.page({"action": "workstream"}, 1, None)
    second = services.customer_data.audit.page({"action": "workstream"}, 1, first.next)
    assert [e.target for e in first.entries + second.entries] == ["t3", "t1"]
    since = services.customer_data.audit.page({"since": (clock.now).isoformat()}, 10, None)
    assert [e.target for e in since.entries] == ["t4"]
