"""Overflow and the waiting message on real storage (Azurite), with a clock the test moves
and a recording stand-in for Twilio: 40 customers arriving at once, two instances running
the timers, each action taken once per conversation and rule, and nothing sent to a
customer who opted out."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from channels.twilio_api import TwilioSender
from core.records import CLOSED, CLOSED_BY_OVERFLOW, OVERFLOWED
from tests.support.desk import customer, open_desk
from tests.support.scopes import ALICE
from tests.support.twilio import BUSINESS_E164, MESSAGES_PATH, inbound

pytestmark = pytest.mark.long  # started first (tests/conftest.py)

BASE = "https://sb.example.com"
CROWD = 40


@pytest.fixture
def instances(make_services, provider):
    def make():
        return make_services(senders={"twilio": TwilioSender(provider.base_url)})

    return make(), make()


def desk_with(instances, clock, **settings):
    desk = open_desk(instances[0], clock)
    desk.agent("ana", available=False)  # the queue's agent, away
    desk.services.admin.workstreams.update(desk.workstream_id, {"allow_automated_messages": True, **settings})
    return desk


def crowd(desk, size: int = CROWD) -> list[str]:
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda i: desk.customer_writes(customer(i), "Hello"), range(size)))


def both_run(instances) -> None:
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda s: s.clockwork.run(), [*instances, *instances]))


def sent(provider) -> list[tuple[str, str]]:
    return [(r.form["To"][0], r.form["Body"][0]) for r in provider.calls("POST", MESSAGES_PATH)]


def overflow_events(c) -> list[str]:
    return [e.detail for e in c.events if e.action == OVERFLOWED]


def test_moving_out_of_a_swamped_queue_once_per_conversation(instances, clock):
    desk = desk_with(instances, clock, overflow=[
        {"name": "Busy", "queue": "general", "when": "waiting_over", "threshold": 5, "action": "move",
         "to_queue": "billing"}])
    ids = crowd(desk)
    clock.advance(seconds=61)
    both_run(instances)
    both_run(instances)

    conversations = [desk.conversation(i) for i in ids]
    moved = [c for c in conversations if c.queue == "billing"]
    assert len([c for c in conversations if c.queue == "general"]) == 5  # the five oldest stay
    assert len(moved) == CROWD - 5
    assert all(overflow_events(c) == ["Busy"] and c.overflowed == ("Busy",) for c in moved)
    assert all(overflow_events(c) == [] for c in conversations if c.queue == "general")
    assert sorted(c.id for c in desk.waiting("billing")) == sorted(c.id for c in moved)


def test_a_message_to_those_waiting_too_long_once_each(instances, clock, provider):
    desk = desk_with(instances, clock, overflow=[
        {"name": "Slow", "queue": "general", "when": "wait_over", "threshold": 60, "action": "message",
         "text": "Sorry for the wait: you are number {{position}}, about {{expected_wait}} to go."}])
    ids = crowd(desk)
    assert sent(provider) == []  # nobody waited yet
    clock.advance(seconds=61)
    both_run(instances)
    clock.advance(seconds=61)
    both_run(instances)

    told = Counter(to for to, _ in sent(provider))
    assert told == Counter({customer(i): 1 for i in range(CROWD)})
    bodies = sorted(body for _, body in sent(provider))
    assert bodies[0] == "Sorry for the wait: you are number 1, about a few minutes to go."
    assert all(overflow_events(desk.conversation(i)) == ["Slow"] for i in ids)


def test_closing_out_of_hours_with_a_message_once_each(instances, clock, provider):
    closed_week = {"time_zone": "UTC", "weekly": [], "closures": []}
    desk = desk_with(instances, clock, operating_hours=closed_week, overflow=[
        {"name": "Closed", "queue": "general", "when": "out_of_hours", "action": "close",
         "text": "We are closed; please write again tomorrow."}])
    ids = crowd(desk)
    clock.advance(seconds=61)
    both_run(instances)  # the queue's timer finds nobody left waiting

    for c in (desk.conversation(i) for i in ids):
        assert (c.state, c.closed_reason, overflow_events(c)) == (CLOSED, CLOSED_BY_OVERFLOW, ["Closed"])
    assert Counter(sent(provider)) == Counter({(customer(i), "We are closed; please write again tomorrow."): 1
                                              for i in range(CROWD)})


def test_the_waiting_message_once_with_its_place_never_to_an_opted_out_customer(instances, clock, provider):
    desk = desk_with(instances, clock, waiting_message={
        "after_seconds": 120, "text": "You are number {{position}} in line; about {{expected_wait}} to wait."})
    desk.customer_writes(customer(50), "STOP")
    ids = [desk.customer_writes(customer(i), "Hello") for i in (51, 52, 50)]
    provider.requests.clear()  # the answer to STOP
    clock.advance(seconds=119)
    both_run(instances)
    assert sent(provider) == []
    clock.advance(seconds=2)
    both_run(instances)
    both_run(instances)

    # the customer who opted out waits first (its STOP opened its conversation), told nothing
    assert sorted(sent(provider)) == [(customer(51), "You are number 2 in line; about a few minutes to wait."),
                                      (customer(52), "You are number 3 in line; about a few minutes to wait.")]
    [held_back] = [m for m in desk.conversation(ids[2]).messages if m.automated == "waiting"]
    assert held_back.status == "not_sent"


def test_the_expected_wait_is_the_queues_median_today(instances, clock, provider):
    desk = desk_with(instances, clock, waiting_message={"after_seconds": 60, "text": "About {{expected_wait}}."})
    ana = desk.scopes["ana"]
    for i, minutes in enumerate((2, 4, 9)):  # three taken after 2, 4 and 9 minutes
        cid = desk.customer_writes(customer(700 + i))
        clock.advance(minutes=minutes)
        desk.services.distribution.assignments.accept(cid, ana)
    provider.requests.clear()
    desk.customer_writes(customer(710))
    clock.advance(seconds=61)
    both_run(instances)
    assert sent(provider) == [(customer(710), "About 4 minutes.")]


def test_the_expected_wait_counts_a_conversation_begun_yesterday_and_taken_today(instances, clock, provider):
    desk = desk_with(instances, clock, waiting_message={"after_seconds": 60, "text": "About {{expected_wait}}."})
    ana = desk.scopes["ana"]
    overnight = [desk.customer_writes(customer(720 + i)) for i in range(2)]
    clock.advance(hours=24 - clock().hour, minutes=30)  # half past midnight: both begun yesterday
    for cid in overnight:
        desk.services.distribution.assignments.accept(cid, ana)
    quick = desk.customer_writes(customer(722))
    clock.advance(minutes=2)
    desk.services.distribution.assignments.accept(quick, ana)
    provider.requests.clear()
    desk.customer_writes(customer(723))
    clock.advance(seconds=61)
    both_run(instances)
    assert sent(provider) == [(customer(723), "About 16 hours.")]  # today's three: 15 h 30 min twice, 2 min


def test_a_proactive_message_put_in_its_queue_before_the_customer_wrote_gets_its_waiting_message(
        instances, clock, provider):
    desk = desk_with(instances, clock, waiting_message={"after_seconds": 60, "text": "You are number {{position}}."})
    outbox = desk.services.messaging.outbox
    account = desk.services.admin.accounts.list()[0]
    compose = outbox.proactive_compose(account, BUSINESS_E164, "Your order shipped.", None, ALICE)
    cid = outbox.send_proactive(account, BUSINESS_E164, customer(960), compose, BASE).conversation_id
    desk.services.distribution.assignments.transfer_to_queue(cid, ALICE, "general")  # someone put it there
    reply = inbound(desk.account.id, "SM" + "f" * 32, body="Where is it?", customer=customer(960))
    desk.services.messaging.ingest.message(desk.account, reply)
    for _ in range(2):
        clock.advance(seconds=61)
        both_run(instances)
    assert sent(provider) == [(customer(960), "Your order shipped."), (customer(960), "You are number 1.")]


def test_moving_when_nobody_of_the_queue_is_available(instances, clock):
    desk = desk_with(instances, clock, overflow=[
        {"name": "Unstaffed", "queue": "general", "when": "nobody_available", "action": "move", "to_queue": "billing"}])
    away = desk.conversation(desk.customer_writes(customer(800), "Hello"))  # Ana, the queue's agent, is away
    assert (away.queue, away.overflowed) == ("billing", ("Unstaffed",))
    ana = desk.scopes["ana"]
    desk.services.admin.directory.update(ana.principal.id, {"capacity": {"sms": 0}})
    desk.services.distribution.presence.set(ana, "available")  # there, with no room: it waits, not moved
    there = desk.conversation(desk.customer_writes(customer(801), "Hello"))
    assert (there.queue, there.overflowed) == ("general", ())


def test_a_conversation_offered_on_arrival_and_declined_gets_its_waiting_message(instances, clock, provider):
    desk = desk_with(instances, clock, waiting_message={"after_seconds": 120, "text": "You are number {{position}}."})
    ana = desk.scopes["ana"]
    desk.services.distribution.presence.set(ana, "available")
    cid = desk.customer_writes(customer(900), "Hello")
    assert desk.offered_to(cid) == "ana"
    desk.services.distribution.assignments.decline(cid, ana)  # passed over for 5 minutes: it waits
    for _ in range(3):
        clock.advance(seconds=60)
        both_run(instances)
    assert desk.conversation(cid).queued
    assert sent(provider) == [(customer(900), "You are number 1.")]


def test_a_conversation_transferred_to_a_queue_meets_that_queues_rules(instances, clock):
    desk = desk_with(instances, clock, overflow=[
        {"name": "Slow", "queue": "billing", "when": "wait_over", "threshold": 60, "action": "move",
         "to_queue": "general"}])
    cid = desk.customer_writes(customer(901), "Hello")
    desk.services.distribution.assignments.transfer_to_queue(cid, ALICE, "billing")  # an admin
    for _ in range(3):
        clock.advance(seconds=60)
        both_run(instances)
    assert (desk.conversation(cid).queue, desk.conversation(cid).overflowed) == ("general", ("Slow",))


def test_a_proactive_message_waits_for_no_one_and_is_told_no_place_in_line(instances, clock, provider):
    desk = desk_with(instances, clock, waiting_message={"after_seconds": 60, "text": "You are number {{position}}."})
    outbox = desk.services.messaging.outbox
    account = desk.services.admin.accounts.list()[0]
    compose = outbox.proactive_compose(account, BUSINESS_E164, "Your order shipped.", None, ALICE)
    outbox.send_proactive(account, BUSINESS_E164, customer(950), compose, BASE)
    for _ in range(3):
        clock.advance(seconds=60)
        both_run(instances)
    assert sent(provider) == [(customer(950), "Your order shipped.")]
    clock.advance(minutes=30)
    reply = inbound(desk.account.id, "SM" + "e" * 32, body="Where is it?", customer=customer(950))
    desk.services.messaging.ingest.message(desk.account, reply)  # now it waits for an agent
    clock.advance(seconds=30)
    both_run(instances)
    assert len(sent(provider)) == 1  # its wait began when the customer wrote
    clock.advance(seconds=31)
    both_run(instances)
    assert sent(provider)[1:] == [(customer(950), "You are number 1.")]
