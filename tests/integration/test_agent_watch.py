"""The agent's watch and capacity reserved for a commit that has not landed (yet), on real
storage: the watch frees a reservation only once no commit can land on it any more."""

from __future__ import annotations

import pytest

from core.identity import SUPERVISOR
from tests.support.desk import customer, open_desk
from tests.support.storage import HeldAt

WATCHES = {"minutes": 3}  # past two of an agent's watches (60 s each)


@pytest.fixture
def make_services(settings_env, make_services):
    """Agents stay present while the test moves the clock on by minutes."""
    settings_env["AGENT_OFFLINE_AFTER_SECONDS"] = "3600"
    return make_services


def two_watches_on(services, clock, desk) -> None:
    """Ana's watch runs two watches on; her capacity still counts the reservation."""
    clock.advance(**WATCHES)
    services.clockwork.run()
    assert desk.load("ana") == 1


@pytest.fixture
def assigning(make_services, clock, table_prefix):
    """Sue (a supervisor) and ana (an agent) where agents pick, on an instance whose first
    commit to a thread can be held."""
    held = HeldAt(f"{table_prefix}Threads")
    services = make_services(request_hooks=[held])
    desk = open_desk(services, clock, mode="pick")
    sue = desk.agent("sue", roles=(SUPERVISOR,), available=False)
    return held, services, desk, sue, desk.agent("ana")


def test_an_opening_slow_to_commit_keeps_the_capacity_it_reserved(make_services, clock, table_prefix):
    """A new conversation offered to ana as it opens: her capacity is reserved, then its
    commit takes longer than two of her watches. Her watch finds no conversation yet; the
    commit may still land, so it leaves the reservation, and the offer lands counted."""
    held = HeldAt(f"{table_prefix}Threads")
    services = make_services(request_hooks=[held])
    desk = open_desk(services, clock)
    desk.agent("ana")
    opened: list[str] = []
    held.meanwhile(lambda: opened.append(desk.customer_writes(customer(1))),
                   lambda: two_watches_on(services, clock, desk))
    assert desk.offered_to(opened[0]) == "ana" and desk.load("ana") == 1


def test_an_assignment_slow_to_commit_keeps_the_capacity_it_reserved(assigning, clock):
    """Sue gives ana a conversation waiting in its queue: ana's capacity is reserved for
    it, then the commit takes longer than two of her watches. The conversation has not
    moved since the reservation read it: the commit may still land, and does."""
    held, services, desk, sue, ana = assigning
    cid = desk.customer_writes(customer(1))
    held.meanwhile(lambda: services.distribution.assignments.assign(cid, sue, ana.principal.id),
                   lambda: two_watches_on(services, clock, desk))
    assert desk.holder(cid) == "ana" and desk.load("ana") == 1


def test_the_watch_frees_a_reservation_no_commit_can_land_on(make_services, clock, settings_env):
    """Reservations a host made before it died: the one whose conversation has moved on
    since goes at the next watch two watches on (its commit would find the conversation
    changed); one whose conversation has not moved, or never came, only once the
    reservation is COMMIT_TIMEOUT_SECONDS old (no invocation runs that long)."""
    services = make_services()
    desk = open_desk(services, clock)
    ana = desk.agent("ana", capacity=5, queue="billing")  # the conversations wait in "general"
    moved_on, unmoved = desk.customer_writes(customer(1)), desk.customer_writes(customer(2))
    agent = services.stores.agents.get(ana.principal.id)
    for cid in (moved_on, unmoved, "never-came"):
        version = desk.conversation(cid).version if cid != "never-came" else 0
        services.distribution.capacity.reserve(agent, cid, "sms", version)
    desk.customer_writes(customer(1), "are you there?")

    clock.advance(**WATCHES)
    services.clockwork.run()
    assert set(services.distribution.capacity.read(ana.principal.id).slots) == {unmoved, "never-came"}

    clock.advance(seconds=int(settings_env.get("COMMIT_TIMEOUT_SECONDS", 360)))
    services.clockwork.run()
    assert desk.load("ana") == 0


def test_a_renewal_on_an_older_version_keeps_the_reservation_for_the_later_commit(assigning, clock):
    """Sue gives ana a conversation on its second version, her commit slow; meanwhile an
    instance that read the first version renews ana's reservation for it. The slot stays
    for the second version: the watch two watches on leaves it, and Sue's commit lands
    counted."""
    held, services, desk, sue, ana = assigning
    cid = desk.customer_writes(customer(1))
    desk.customer_writes(customer(1), "still there?")  # the second version: a commit that moved nothing
    agent = services.stores.agents.get(ana.principal.id)

    def stale_renewal_then_watches() -> None:
        services.distribution.capacity.reserve(agent, cid, "sms", version=1)
        two_watches_on(services, clock, desk)

    held.meanwhile(lambda: services.distribution.assignments.assign(cid, sue, ana.principal.id),
                   stale_renewal_then_watches)
    assert desk.holder(cid) == "ana" and desk.load("ana") == 1
