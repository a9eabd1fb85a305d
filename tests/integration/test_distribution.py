"""Push distribution on real storage: who is offered a new conversation by each method,
offers that lapse or are declined, conversations that wait until someone frees up, keep
same agent, and the distribution's timer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from core.clock import utcnow
from core.errors import Conflict, StorageUnavailable
from conversations.distribution.inboxes import Query
from core.retry import ConcurrencyConflict
from channels.twilio_api import TwilioSender
from tests.support.desk import customer, open_desk
from tests.support.scopes import ALICE
from tests.support.storage import HeldAt, Outage
from tests.support.twilio import ACCOUNT_SID, BUSINESS_E164, message_created

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
BASE = "https://switchboard.example"


def test_highest_capacity_offers_to_whoever_has_most_free(make_services):
    desk = open_desk(make_services(), assignment="highest_capacity")
    desk.agent("ana", capacity=1)
    desk.agent("bo", capacity=3)
    first = desk.customer_writes(customer(1))
    assert desk.offered_to(first) == "bo"
    assert desk.offers("bo") == [first] and desk.offers("ana") == []
    second = desk.customer_writes(customer(2))
    assert desk.offered_to(second) == "bo"  # 2 free against ana's 1
    third = desk.customer_writes(customer(3))
    assert desk.offered_to(third) == "ana"  # 1 each: ana was offered work longest ago (never)


def test_round_robin_takes_turns(make_services, clock):
    desk = open_desk(make_services(), assignment="round_robin")
    for name in ("ana", "bo", "cy"):
        desk.agent(name, capacity=5)
    offered = []
    for i in range(6):
        clock.advance(seconds=1)
        offered.append(desk.offered_to(desk.customer_writes(customer(i))))
    assert offered[:3] == sorted(offered[:3]) and set(offered[:3]) == {"ana", "bo", "cy"}
    assert offered[3:] == offered[:3]


def test_least_active_prefers_fewest_conversations_then_longest_idle(make_services, clock):
    services = make_services()
    desk = open_desk(services, assignment="least_active")
    ana, bo = desk.agent("ana", capacity=5), desk.agent("bo", capacity=5)
    first = desk.customer_writes(customer(1))
    holder = desk.scopes[desk.offered_to(first)]
    services.distribution.assignments.accept(first, holder)
    other = bo if holder is ana else ana
    second = desk.customer_writes(customer(2))
    assert desk.offered_to(second) == other.principal.name  # fewer conversations at once
    services.distribution.assignments.accept(second, other)
    clock.advance(minutes=1)
    services.messaging.actions.close(first, holder)
    clock.advance(minutes=1)
    services.messaging.actions.close(second, other)
    third = desk.customer_writes(customer(3))
    assert desk.offered_to(third) == holder.principal.name  # both idle: whose last one ended longest ago


def test_accepting_an_offer_assigns_it(make_services):
    services = make_services()
    desk = open_desk(services)
    ana = desk.agent("ana", capacity=2)
    cid = desk.customer_writes(customer(1))
    accepted = services.distribution.assignments.accept(cid, ana)
    assert (accepted.state, accepted.agent.name, accepted.offer) == ("active", "ana", None)
    assert desk.mine("ana") == [cid] and desk.offers("ana") == []
    assert desk.load("ana") == 1
    actions = [e.action for e in desk.conversation(cid).events]
    assert actions == ["offered", "accepted"]


def test_an_offer_that_lapses_moves_on_and_sets_the_agent_away(make_services, clock):
    services = make_services()
    desk = open_desk(services, assignment="round_robin", offer_timeout_seconds=30)
    desk.agent("ana")
    clock.advance(seconds=1)
    desk.agent("bo")
    cid = desk.customer_writes(customer(1))
    first = desk.offered_to(cid)
    clock.advance(seconds=20)
    assert services.clockwork.run() == {} and desk.offered_to(cid) == first
    clock.advance(seconds=11)
    assert services.clockwork.run().get("offer") == 1
    second = desk.offered_to(cid)
    assert second not in (None, first)
    assert desk.load(first) == 0 and desk.load(second) == 1
    assert services.distribution.presence.present(services.distribution.capacity.read(desk.scopes[first].principal.id)) == "away"
    history = desk.conversation(cid).events
    assert [(e.action, e.subject.name) for e in history] == [("offered", first), ("offer_expired", first),
                                                             ("offered", second)]


def test_an_offer_lapsing_while_the_customer_writes_lapses_on_the_next_try(make_services, clock, table_prefix):
    """The customer writes between the lapse's read and its commit: the lapse reads again
    and lapses the offer, in the same timer run, which goes on to its other rows."""
    held = HeldAt(f"{table_prefix}Threads")
    services = make_services(request_hooks=[held])
    desk = open_desk(services, clock, offer_timeout_seconds=30)
    desk.agent("ana")
    cid = desk.customer_writes(customer(1))
    clock.advance(seconds=31)
    ran: list[dict[str, int]] = []
    held.meanwhile(lambda: ran.append(services.clockwork.run()),
                   lambda: desk.customer_writes(customer(1), "hello?"))
    assert ran[0].get("offer") == 1 and desk.offered_to(cid) is None
    assert [e.action for e in desk.conversation(cid).events][-1] == "offer_expired"


@pytest.mark.parametrize("held_at", ["Threads", "Inbox"], ids=["before the lapse's commit", "after it"])
def test_an_offer_accepted_as_it_lapses_leaves_the_agent_available(make_services, clock, table_prefix, held_at):
    """Ana accepts as her offer lapses: before the lapse's commit (it reads again and finds
    the offer gone), or after it while its lists are written (her capacity is then
    reserved against the lapse's version). She holds it and stays available."""
    held = HeldAt(f"{table_prefix}{held_at}", single=True)
    services = make_services(request_hooks=[held])
    desk = open_desk(services, clock, offer_timeout_seconds=30)
    ana = desk.agent("ana")
    cid = desk.customer_writes(customer(1))
    clock.advance(seconds=31)
    held.meanwhile(services.clockwork.run, lambda: services.distribution.assignments.accept(cid, ana))
    assert desk.holder(cid) == "ana" and desk.load("ana") == 1
    assert services.distribution.presence.present(services.distribution.capacity.read(ana.principal.id)) == "available"


def test_a_lapse_whose_agent_could_not_be_set_away_lapses_all_the_same(make_services, clock, monkeypatch):
    """Setting the agent away fails after the lapse's commit: the lapse is done (its row
    removed, the conversation offered on), not left to fail again and again."""
    services = make_services()
    desk = open_desk(services, clock, offer_timeout_seconds=30)
    desk.agent("ana")
    cid = desk.customer_writes(customer(1))
    clock.advance(seconds=31)

    def unreachable(*_args, **_kwargs):
        raise StorageUnavailable("storage unreachable (test outage)")

    monkeypatch.setattr(services.distribution.capacity, "change", unreachable)
    ran = services.clockwork.run()
    assert ran.get("offer") == 1 and "failed" not in ran
    assert [e.action for e in desk.conversation(cid).events][-1] == "offer_expired"


def listed_offers(desk, cid: str) -> list[str | None]:
    """Whom the workstream's list and everyone's say the conversation is offered to."""
    found = []
    for query in (Query("workstream", desk.workstream_id, None, False), Query("all")):
        [row] = [c for c in desk.services.distribution.inboxes.page(ALICE, query, 100).conversations if c.id == cid]
        found.append(row.offer.agent.name if row.offer else None)
    return found


def test_a_declined_offer_goes_to_the_next_agent_then_waits(make_services):
    services = make_services()
    desk = open_desk(services)
    desk.agent("ana")
    desk.agent("bo")
    cid = desk.customer_writes(customer(1))
    first = desk.offered_to(cid)
    services.distribution.assignments.decline(cid, desk.scopes[first])
    second = desk.offered_to(cid)
    assert second not in (None, first) and desk.load(first) == 0
    assert listed_offers(desk, cid) == [second, second]  # the workstream's list and everyone's, as Supervise shows them
    services.distribution.assignments.decline(cid, desk.scopes[second])
    assert desk.offered_to(cid) is None  # both declined: it waits in the queue
    assert [c.id for c in desk.waiting()] == [cid]
    assert listed_offers(desk, cid) == [None, None]
    with pytest.raises(Conflict) as refused:
        services.distribution.assignments.decline(cid, desk.scopes[first])
    assert refused.value.code == "not_offered_to_you"


def test_declined_by_everyone_it_is_offered_again_later(make_services, clock):
    services = make_services()
    desk = open_desk(services)
    ana = desk.agent("ana")
    cid = desk.customer_writes(customer(1))
    services.distribution.assignments.decline(cid, ana)
    assert desk.offered_to(cid) is None
    for _ in range(5):  # her workspace stays open
        clock.advance(minutes=1)
        services.distribution.presence.heartbeat(ana.principal.id)
    clock.advance(seconds=1)
    assert services.clockwork.run().get("dispatch") == 1
    assert desk.offered_to(cid) == "ana"


def test_with_nobody_available_it_waits_then_goes_to_whoever_turns_available(make_services):
    services = make_services()
    desk = open_desk(services)
    ana = desk.agent("ana", available=False)
    cid = desk.customer_writes(customer(1))
    assert desk.offered_to(cid) is None and [c.id for c in desk.waiting()] == [cid]
    services.distribution.presence.set(ana, "busy")
    assert desk.offered_to(cid) is None
    services.distribution.presence.set(ana, "available")
    assert desk.offered_to(cid) == "ana" and desk.waiting() == []


def test_a_proactive_message_s_conversation_is_offered_once_its_customer_writes(make_services, twilio_api, clock):
    """A campaign fills nobody's capacity: only a customer who writes waits for an agent."""
    twilio_api.on("POST", MESSAGES, message_created("SM" + "b" * 32))
    services = make_services(senders={"twilio": TwilioSender(twilio_api.base_url)})
    desk = open_desk(services)
    desk.agent("ana", capacity=1)
    outbox, account = services.messaging.outbox, desk.account
    outbox.send_proactive(account, BUSINESS_E164, customer(1),
                          outbox.proactive_compose(account, BUSINESS_E164, "Your order shipped.", None, ALICE), BASE)
    [cid] = [c.id for c in desk.services.distribution.inboxes.page(ALICE, Query("all", None, None, False), 10)
             .conversations]

    def waiting_now() -> int:
        [workstream] = services.reporting.live.live(ALICE, desk.workstream_id)["workstreams"]
        return sum(q["waiting"] for q in workstream["queues"])

    assert desk.offered_to(cid) is None and desk.waiting() == [] and desk.load("ana") == 0
    walk_in = desk.customer_writes(customer(2))
    assert desk.offered_to(walk_in) == "ana"
    services.distribution.assignments.accept(walk_in, desk.scopes["ana"])
    services.distribution.presence.set(desk.scopes["ana"], "busy")  # so that what waits is seen waiting
    assert desk.offered_to(cid) is None and waiting_now() == 0
    clock.advance(seconds=30)
    desk.customer_writes(customer(1), "Where is it?")
    assert [c.id for c in desk.waiting()] == [cid] and waiting_now() == 1  # in its queue, counted
    clock.advance(seconds=5)
    services.messaging.actions.close(walk_in, desk.scopes["ana"])
    services.distribution.presence.set(desk.scopes["ana"], "available")
    assert desk.offered_to(cid) == "ana"
    services.distribution.assignments.accept(cid, desk.scopes["ana"])
    assert desk.conversation(cid).facts.queued_at == desk.conversation(cid).queued_at > desk.conversation(cid).created_at


def test_a_waiting_conversation_goes_to_the_agent_who_frees_capacity(make_services):
    services = make_services()
    desk = open_desk(services)
    ana = desk.agent("ana", capacity=1)
    first = desk.customer_writes(customer(1))
    services.distribution.assignments.accept(first, ana)
    second = desk.customer_writes(customer(2))
    assert desk.offered_to(second) is None
    services.messaging.actions.close(first, ana)
    assert desk.offered_to(second) == "ana" and desk.load("ana") == 1


def test_an_agent_whose_workspace_went_silent_is_offered_nothing(make_services, clock):
    services = make_services()
    desk = open_desk(services)
    ana = desk.agent("ana")
    clock.advance(seconds=services.distribution.presence.offline_after.total_seconds() + 1)
    cid = desk.customer_writes(customer(1))
    assert desk.offered_to(cid) is None
    clock.advance(minutes=1)
    services.clockwork.run()  # ana's watch writes her offline
    assert services.distribution.capacity.read(ana.principal.id).presence == "offline"


def test_keep_same_agent_offers_a_returning_customer_to_whoever_had_them(make_services):
    services = make_services()
    desk = open_desk(services, assignment="highest_capacity", keep_same_agent=True)
    ana, bo = desk.agent("ana", capacity=2), desk.agent("bo", capacity=5)
    first = desk.customer_writes(customer(1))
    assert desk.offered_to(first) == "bo"
    services.distribution.assignments.decline(first, bo)
    services.distribution.assignments.accept(first, ana)
    services.messaging.actions.close(first, ana)
    again = desk.customer_writes(customer(1), "Me again")
    assert again != first and desk.offered_to(again) == "ana"


def test_pick_mode_offers_nothing_and_agents_take_within_capacity(make_services, clock):
    services = make_services()
    desk = open_desk(services, clock, mode="pick")
    ana = desk.agent("ana", capacity=1)
    first, second = desk.customer_writes(customer(1)), desk.customer_writes(customer(2))
    assert desk.offered_to(first) is None and [c.id for c in desk.waiting()] == [first, second]
    assert services.distribution.assignments.accept(first, ana).agent.name == "ana"
    with pytest.raises(Conflict) as full:
        services.distribution.assignments.accept(second, ana)
    assert full.value.code == "agent_at_capacity"
    assert [c.id for c in desk.waiting()] == [second]


def test_forty_at_once_over_three_agents_of_two_each(make_services):
    """Exactly six offered, nobody over capacity, 34 waiting in arrival order; then all of
    them assigned as capacity frees, oldest first."""
    services = make_services(clock=utcnow)
    desk = open_desk(services)
    agents = [desk.agent(name, capacity=2) for name in ("ana", "bo", "cy")]
    with ThreadPoolExecutor(10) as pool:
        conversations = list(pool.map(lambda i: desk.customer_writes(customer(i)), range(40)))
    offered = [c for c in conversations if desk.offered_to(c)]
    assert len(offered) == 6
    assert sorted(desk.load(a.principal.name) for a in agents) == [2, 2, 2]
    waiting = desk.waiting()
    assert len(waiting) == 34
    assert [c.queued_at for c in waiting] == sorted(c.queued_at for c in waiting)
    closed: set[str] = set()
    while len(closed) < 40:
        for agent in agents:
            for cid in desk.offers(agent.principal.name):
                services.distribution.assignments.accept(cid, agent)
            for cid in desk.mine(agent.principal.name):
                services.messaging.actions.close(cid, agent)
                closed.add(cid)
    assert desk.waiting() == []
    offered = sorted((next(e.at for e in c.events if e.action == "offered"), c.queued_at)
                     for c in map(desk.conversation, conversations))
    later = [queued_at for _, queued_at in offered[6:]]
    assert later == sorted(later)


def test_a_new_conversation_whose_offer_could_not_be_asked_is_stored_and_offered_by_the_timer(make_services, clock):
    """Storage failing for the agents' states as the conversation opens: the message is
    stored all the same (the webhook is answered), and the move's job offers it later."""
    outage = Outage("Agentstates")
    services = make_services(request_hooks=[outage])
    desk = open_desk(services, clock)
    desk.agent("ana")
    outage.on = True
    cid = desk.customer_writes(customer(1))
    outage.on = False
    assert desk.offered_to(cid) is None and len(desk.conversation(cid).messages) == 1
    clock.advance(seconds=31)
    services.distribution.presence.heartbeat(desk.scopes["ana"].principal.id)
    assert services.clockwork.run().get("place") == 1
    assert desk.offered_to(cid) == "ana"


@pytest.mark.parametrize("presence", ["offline", "away", "busy"])
def test_an_offer_to_an_agent_who_stops_being_available_moves_on_at_once(make_services, clock, presence):
    services = make_services()
    desk = open_desk(services, clock, offer_timeout_seconds=600)
    ana = desk.agent("ana", capacity=5)
    cid = desk.customer_writes(customer(1))
    assert desk.offered_to(cid) == "ana"
    desk.agent("bo", capacity=1)
    services.distribution.presence.set(ana, presence)
    assert desk.offered_to(cid) == "bo"
    assert services.distribution.capacity.read(ana.principal.id).slots == {}
    history = desk.conversation(cid).events
    assert [(e.action, e.subject.name if e.subject else None) for e in history][-2:] == [
        ("offer_expired", "ana"), ("offered", "bo")]


def test_a_new_conversation_whose_offered_commit_loses_a_race_is_offered_once_when_taken_again(make_services, clock):
    services = make_services()
    desk = open_desk(services, clock)
    ana = desk.agent("ana", capacity=2)
    writer, lost = services.distribution.writer, []
    commit = writer.commit

    def losing_once(*args, **kwargs):
        if not lost:
            lost.append(True)
            raise ConcurrencyConflict("another commit of the thread landed first")
        return commit(*args, **kwargs)

    writer.commit = losing_once  # the opening's commit; ingest takes the message again
    cid = desk.customer_writes(customer(1))
    assert lost and desk.offered_to(cid) == "ana"
    assert list(services.distribution.capacity.read(ana.principal.id).slots) == [cid]  # the first reservation gone


def test_an_agent_who_goes_away_keeps_what_she_holds_and_one_whose_workspace_went_silent_loses_her_offers(
        make_services, clock):
    services = make_services()
    desk = open_desk(services, clock, offer_timeout_seconds=3600)
    ana = desk.agent("ana", capacity=5)
    held = desk.customer_writes(customer(1))
    services.distribution.assignments.accept(held, ana)
    offered = desk.customer_writes(customer(2))
    services.distribution.presence.set(ana, "away")
    assert desk.holder(held) == "ana" and desk.offered_to(offered) is None
    services.distribution.presence.set(ana, "available")
    assert desk.offered_to(offered) == "ana"
    clock.advance(seconds=services.distribution.presence.offline_after.total_seconds() + 61)  # silent: no feed calls
    desk.agent("bo", capacity=1)
    services.clockwork.run()  # her watch finds her offline
    assert desk.offered_to(offered) == "bo" and desk.holder(held) == "ana"
