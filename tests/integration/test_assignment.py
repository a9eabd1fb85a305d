"""People deciding who holds a conversation, on real storage: transfer to an agent or a
queue, supervisors assigning, unassigning, and capacity on every path."""

from __future__ import annotations

from datetime import timedelta

import pytest

from channels.twilio_api import TwilioSender
from core.errors import Conflict, Forbidden, ValidationFailed
from core.identity import SUPERVISOR
from core.records import Media
from tests.support.desk import customer, open_desk
from tests.support.scopes import ALICE
from tests.support.storage import BodyOutage, HeldAt, InboxOutage
from tests.support.twilio import ACCOUNT_SID, message_created

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


@pytest.fixture
def desk(make_services):
    return open_desk(make_services(), mode="pick")


def test_nobody_is_given_a_conversation_they_could_not_answer(desk):
    services = desk.services
    ana, sam = desk.agent("ana"), desk.agent("sam", roles=(SUPERVISOR,), available=False)
    never = services.admin.directory.create({"object_id": "0" * 8 + "-0000-4000-8000-" + "0" * 12, "name": "Nia",
                                             "queues": [{"workstream_id": desk.workstream_id, "queue": "general"}]})
    assert [a.name for a in services.admin.directory.of_workstream(desk.workstream_id, ALICE)] == ["ana"]  # whom to offer
    cid = desk.customer_writes(customer(1))
    services.distribution.assignments.accept(cid, ana)
    for target in (sam.principal.id, never.id):  # a supervisor only; an entry that never signed in
        with pytest.raises(ValidationFailed) as assigned:
            services.distribution.assignments.assign(cid, sam, target)
        assert assigned.value.field == "agent_id" and "Switchboard.Agent" in assigned.value.message
        with pytest.raises(ValidationFailed):
            services.distribution.assignments.transfer_to_agent(cid, ana, target)
    assert desk.conversation(cid).agent.name == "ana" and desk.mine("ana") == [cid]


def test_transfer_to_an_agent_moves_the_capacity(desk):
    services = desk.services
    ana, bo = desk.agent("ana"), desk.agent("bo", capacity=1)
    cid = desk.customer_writes(customer(1))
    services.distribution.assignments.accept(cid, ana)
    moved = services.distribution.assignments.transfer_to_agent(cid, ana, bo.principal.id)
    assert moved.agent.name == "bo" and desk.mine("bo") == [cid] and desk.mine("ana") == []
    assert (desk.load("ana"), desk.load("bo")) == (0, 1)
    event = desk.conversation(cid).events[-1]
    assert (event.action, event.actor.name, event.subject.name) == ("transferred", "ana", "bo")
    other = desk.customer_writes(customer(2))
    services.distribution.assignments.accept(other, ana)
    with pytest.raises(Conflict) as full:
        services.distribution.assignments.transfer_to_agent(other, ana, bo.principal.id)
    assert full.value.code == "agent_at_capacity" and full.value.message == "bo has no free capacity for SMS conversations"
    assert desk.holder(other) == "ana" and desk.load("bo") == 1


def test_transfer_to_a_queue_puts_it_back_for_distribution(make_services):
    services = make_services()
    desk = open_desk(services)
    ana = desk.agent("ana")
    bo = desk.agent("bo", queue="billing")
    cid = desk.customer_writes(customer(1))
    services.distribution.assignments.accept(cid, ana)
    moved = services.distribution.assignments.transfer_to_queue(cid, ana, "billing")
    assert (moved.queue, moved.agent) == ("billing", None) and desk.load("ana") == 0
    assert desk.offered_to(cid) == "bo" and desk.offers("bo") == [cid]
    services.distribution.assignments.accept(cid, bo)
    with pytest.raises(ValidationFailed):
        services.distribution.assignments.transfer_to_queue(cid, bo, "nowhere")


def test_transfer_to_a_queue_is_for_someone_else_first(make_services):
    services = make_services()
    desk = open_desk(services)
    ana = desk.agent("ana", capacity=5)
    cid = desk.customer_writes(customer(1))
    services.distribution.assignments.accept(cid, ana)
    desk.agent("bo", capacity=1)
    moved = services.distribution.assignments.transfer_to_queue(cid, ana, "general")
    assert moved.agent is None and desk.offered_to(cid) == "bo"  # ana, with more room, gave it away
    assert [d.agent_id for d in desk.conversation(cid).declined] == [ana.principal.id]


def test_only_the_holder_a_supervisor_or_an_admin_transfers(desk):
    services = desk.services
    ana, bo = desk.agent("ana"), desk.agent("bo")
    cid = desk.customer_writes(customer(1))
    services.distribution.assignments.accept(cid, ana)
    with pytest.raises(Forbidden):
        services.distribution.assignments.transfer_to_agent(cid, bo, bo.principal.id)
    with pytest.raises(Forbidden):
        services.distribution.assignments.assign(cid, bo, bo.principal.id)
    with pytest.raises(ValidationFailed):
        services.distribution.assignments.transfer_to_agent(cid, ana, "3f2504e0-4f89-41d3-9a0c-0305e82c3301")


def test_only_an_admin_gives_a_conversation_to_someone_outside_its_workstream(desk):
    services = desk.services
    ana, sue = desk.agent("ana"), desk.agent("sue", roles=(SUPERVISOR,), available=False)
    cy = desk.agent("cy", available=False)
    services.admin.directory.update(cy.principal.id, {"queues": []})  # works another workstream, or none
    cid = desk.customer_writes(customer(1))
    services.distribution.assignments.accept(cid, ana)
    for give, by in ((services.distribution.assignments.transfer_to_agent, ana),
                     (services.distribution.assignments.assign, sue)):
        with pytest.raises(ValidationFailed) as refused:
            give(cid, by, cy.principal.id)
        assert refused.value.field == "agent_id" and "works in no queue" in refused.value.message
    assert desk.holder(cid) == "ana" and desk.load("cy") == 0
    assert services.distribution.assignments.assign(cid, ALICE, cy.principal.id).agent.name == "cy"


def test_a_supervisor_assigns_directly_within_capacity(desk):
    services = desk.services
    sue = desk.agent("sue", roles=(SUPERVISOR,), available=False)
    ana = desk.agent("ana", capacity=1, available=False)
    first, second = desk.customer_writes(customer(1)), desk.customer_writes(customer(2))
    assigned = services.distribution.assignments.assign(first, sue, ana.principal.id)
    assert assigned.agent.name == "ana" and desk.load("ana") == 1
    event = desk.conversation(first).events[-1]
    assert (event.action, event.actor.name, event.subject.name) == ("assigned", "sue", "ana")
    with pytest.raises(Conflict) as full:
        services.distribution.assignments.assign(second, sue, ana.principal.id)
    assert full.value.code == "agent_at_capacity"


def test_unassign_returns_it_to_the_queue_for_someone_else_first(make_services):
    services = make_services()
    desk = open_desk(services)
    ana = desk.agent("ana")
    cid = desk.customer_writes(customer(1))
    services.distribution.assignments.accept(cid, ana)
    desk.agent("bo")
    back = services.distribution.assignments.unassign(cid, ana)
    assert back.agent is None and back.state == "open" and desk.load("ana") == 0
    assert desk.offered_to(cid) == "bo"  # ana, who gave it up, is passed over
    with pytest.raises(Conflict) as nobody:
        services.distribution.assignments.unassign(desk.customer_writes(customer(2)), ALICE)
    assert nobody.value.code == "not_assigned"


def test_answering_a_conversation_nobody_holds_takes_it_within_capacity(make_services, twilio_api):
    twilio_api.on("POST", MESSAGES, message_created("SM" + "a" * 32))
    desk = open_desk(make_services(senders={"twilio": TwilioSender(twilio_api.base_url)}), mode="pick")
    ana = desk.agent("ana", capacity=1)
    first, second = desk.customer_writes(customer(1)), desk.customer_writes(customer(2))
    desk.services.messaging.outbox.reply(first, "Hi, Ana here", ana, "https://switchboard.example")
    assert desk.holder(first) == "ana" and desk.load("ana") == 1
    with pytest.raises(Conflict) as full:
        desk.services.messaging.outbox.reply(second, "Hi", ana, "https://switchboard.example")
    assert full.value.code == "agent_at_capacity"
    assert len(twilio_api.requests) == 1 and desk.holder(second) is None


def test_an_answer_the_rules_refuse_leaves_the_conversation_to_nobody(make_services, twilio_api):
    """Refused before anything is sent (attachments the workstream does not allow, a
    template that does not exist, a customer who opted out): the agent did not answer,
    so did not take the conversation, and its capacity is not used."""
    desk = open_desk(make_services(senders={"twilio": TwilioSender(twilio_api.base_url)}), mode="pick")
    ana = desk.agent("ana", capacity=1)
    cid = desk.customer_writes(customer(1))
    outbox, base = desk.services.messaging.outbox, "https://switchboard.example"
    with pytest.raises(Forbidden) as attachment:
        outbox.reply(cid, "See this", ana, base, media=(Media("https://example.com/a.png", "image/png"),))
    with pytest.raises(ValidationFailed) as template:
        outbox.send_template(cid, "no_such_template", "en", [], ana, base)
    desk.customer_writes(customer(1), "STOP")
    with pytest.raises(Conflict) as opted_out:
        outbox.reply(cid, "Hi", ana, base)
    assert (attachment.value.code, template.value.field, opted_out.value.code) == \
        ("attachments_disabled", "name", "recipient_opted_out")
    assert desk.holder(cid) is None and desk.load("ana") == 0 and twilio_api.requests == []


def test_closing_releases_capacity_and_so_does_the_sweep(make_services, clock):
    services = make_services()
    desk = open_desk(services, mode="pick")
    ana = desk.agent("ana", capacity=2)
    first, second = desk.customer_writes(customer(1)), desk.customer_writes(customer(2))
    services.distribution.assignments.accept(first, ana)
    services.distribution.assignments.accept(second, ana)
    services.messaging.actions.close(first, ana)
    assert desk.load("ana") == 1
    clock.advance(hours=9)
    services.messaging.sweep.run()
    assert desk.holder(second) == "ana" and desk.conversation(second).state == "closed"
    assert desk.load("ana") == 0 and desk.mine("ana") == []


@pytest.mark.parametrize("lag", [0, 5], ids=["same clock", "on an instance whose clock runs behind"])
def test_given_back_before_the_transfer_released_it_the_capacity_still_counts_it(make_services, clock, table_prefix,
                                                                                lag):
    """Given back to ana before the transfer away from her released her capacity: the
    renewal of her reservation is not the transfer's to release, even stamped (by a clock
    ``lag`` seconds behind) before the transfer's commit."""
    held = HeldAt(f"{table_prefix}Inbox")
    services = make_services(request_hooks=[held])
    giver = make_services(clock=lambda: clock() - timedelta(seconds=lag)) if lag else services
    desk = open_desk(services, mode="pick")
    sue = desk.agent("sue", roles=(SUPERVISOR,), available=False)
    ana, bo = desk.agent("ana"), desk.agent("bo")
    cid = desk.customer_writes(customer(1))
    services.distribution.assignments.accept(cid, ana)

    def back_to_ana() -> None:  # committed to bo; ana's capacity not released yet
        clock.advance(seconds=1)
        giver.distribution.assignments.assign(cid, sue, ana.principal.id)

    held.meanwhile(lambda: services.distribution.assignments.transfer_to_agent(cid, ana, bo.principal.id),
                   back_to_ana)
    assert desk.holder(cid) == "ana" and (desk.load("ana"), desk.load("bo")) == (1, 0)


def test_a_move_the_timer_finishes_releases_only_what_was_reserved_before_it(make_services, clock, table_prefix):
    """An unassign whose writer stopped after its commit, finished by the timer while a
    supervisor gives the conversation back (reserved, not committed yet): that
    reservation stays."""
    outage, held = InboxOutage(), HeldAt(f"{table_prefix}Threads")
    services = make_services(request_hooks=[outage, held])
    desk = open_desk(services, mode="pick")
    sue = desk.agent("sue", roles=(SUPERVISOR,), available=False)
    ana = desk.agent("ana")
    cid = desk.customer_writes(customer(1))
    services.distribution.assignments.accept(cid, ana)
    outage.on = True
    services.distribution.assignments.unassign(cid, ana)  # committed; placing it and its reactions left to the timer
    outage.on = False
    clock.advance(seconds=31)

    def timer() -> None:
        clock.advance(seconds=1)
        assert services.clockwork.run().get("place") == 1

    held.meanwhile(lambda: services.distribution.assignments.assign(cid, sue, ana.principal.id), timer)
    assert desk.holder(cid) == "ana" and desk.load("ana") == 1


def test_a_move_s_job_due_before_its_slow_commit_landed_waits_for_it(make_services, clock, table_prefix):
    """Ana gives a conversation back to the queue; her commit is slower than the move's job
    (30 s), which the timer finds due first: it leaves the job, for the commit may still
    land. It does, and placing it fails: the job is still there to finish it."""
    outage, held = InboxOutage(), HeldAt(f"{table_prefix}Threads")
    services = make_services(request_hooks=[outage, held])
    desk = open_desk(services, clock, mode="pick")
    ana = desk.agent("ana")
    cid = desk.customer_writes(customer(1))
    services.distribution.assignments.accept(cid, ana)

    def timer_first() -> None:
        clock.advance(seconds=31)
        services.clockwork.run()
        outage.on = True  # the writer's placing, once its commit lands

    held.meanwhile(lambda: services.distribution.assignments.unassign(cid, ana), timer_first)
    outage.on = False
    assert desk.holder(cid) is None and desk.mine("ana") == [cid] and desk.load("ana") == 1  # as left
    clock.advance(seconds=31)
    assert services.clockwork.run().get("place") == 1
    assert desk.mine("ana") == [] and desk.load("ana") == 0 and [c.id for c in desk.waiting()] == [cid]


def test_two_moves_from_one_version_keep_a_job_each(make_services, clock, table_prefix):
    """Ana gives the conversation back while Sue assigns it to Bo, both from the same
    version. Sue's commit lands first and her placing fails, leaving its job; Ana's commit
    fails, and removes its own job, not Sue's: the timer finishes Sue's move."""
    outage, held = InboxOutage(), HeldAt(f"{table_prefix}Threads")
    services = make_services(request_hooks=[outage, held])
    desk = open_desk(services, clock, mode="pick")
    sue = desk.agent("sue", roles=(SUPERVISOR,), available=False)
    ana, bo = desk.agent("ana"), desk.agent("bo")
    cid = desk.customer_writes(customer(1))
    services.distribution.assignments.accept(cid, ana)

    def sue_assigns_bo() -> None:
        outage.on = True
        services.distribution.assignments.assign(cid, sue, bo.principal.id)  # committed; placing it left to its job
        outage.on = False

    with pytest.raises(Forbidden):  # read again, the conversation is Bo's
        held.meanwhile(lambda: services.distribution.assignments.unassign(cid, ana), sue_assigns_bo)
    assert desk.holder(cid) == "bo" and desk.mine("ana") == [cid]  # as Sue's commit left the lists
    clock.advance(seconds=31)
    assert services.clockwork.run().get("place") == 1
    assert desk.mine("ana") == [] and desk.mine("bo") == [cid] and (desk.load("ana"), desk.load("bo")) == (0, 1)


def test_an_accept_whose_offer_lapsed_before_its_commit_reserves_the_capacity(make_services, clock, table_prefix):
    held = HeldAt(f"{table_prefix}Threads")
    services = make_services(request_hooks=[held])
    desk = open_desk(services, clock)
    ana = desk.agent("ana")
    cid = desk.customer_writes(customer(1))
    assert desk.offered_to(cid) == "ana" and desk.load("ana") == 1

    def lapse() -> None:  # the accept read the offer to ana; it lapses (her capacity released) first
        clock.advance(minutes=10)
        services.clockwork.run()
        assert desk.offered_to(cid) is None and desk.load("ana") == 0

    held.meanwhile(lambda: services.distribution.assignments.accept(cid, ana), lapse)
    assert desk.holder(cid) == "ana" and desk.load("ana") == 1


def test_an_offer_whose_commit_failed_leaves_the_reservation_an_assignment_renewed(make_services, clock,
                                                                                  table_prefix):
    """The offer to ana reserved her capacity; before its commit, a supervisor assigns her
    the conversation (her reservation renewed for it, at the same instant) and commits
    first. The offer's commit fails: what it releases is only its own reservation, which
    is no longer there."""
    held = HeldAt(f"{table_prefix}Threads")
    services = make_services(request_hooks=[held])
    desk = open_desk(services, clock)
    sue = desk.agent("sue", roles=(SUPERVISOR,), available=False)
    ana = desk.agent("ana", available=False)
    cid = desk.customer_writes(customer(1))
    assert desk.offered_to(cid) is None and desk.load("ana") == 0

    def assigned() -> None:
        services.distribution.assignments.assign(cid, sue, ana.principal.id)

    held.meanwhile(lambda: services.distribution.presence.set(ana, "available"), assigned)
    assert desk.holder(cid) == "ana" and desk.offered_to(cid) is None and desk.load("ana") == 1


def test_an_assignment_that_loses_to_another_giving_the_same_agent_writes_nothing_more(make_services, clock,
                                                                                        table_prefix):
    """Sue assigns ana the conversation (a new reservation); before her commit, Bo assigns
    it to ana too (the reservation renewed for his) and commits first. Sue's commit loses,
    and her next try finds it ana's already: done, with nothing written (storage refuses
    every commit by then), Bo's assignment the one recorded and ana's one slot kept."""
    threads = f"{table_prefix}Threads".encode()
    outage, held = BodyOutage(threads), HeldAt(f"{table_prefix}Threads")
    services = make_services(request_hooks=[outage, held])  # the held commit passed the outage before it broke
    desk = open_desk(services, clock, mode="pick")
    sue, bo = (desk.agent(name, roles=(SUPERVISOR,), available=False) for name in ("sue", "bo"))
    ana = desk.agent("ana")
    cid = desk.customer_writes(customer(1))

    def bo_assigns() -> None:
        services.distribution.assignments.assign(cid, bo, ana.principal.id)
        assert desk.holder(cid) == "ana" and desk.load("ana") == 1
        outage.on = True

    held.meanwhile(lambda: services.distribution.assignments.assign(cid, sue, ana.principal.id), bo_assigns)
    outage.on = False
    assert desk.holder(cid) == "ana" and desk.load("ana") == 1
    assert [e.actor.name for e in desk.conversation(cid).events if e.action == "assigned"] == ["bo"]


def test_an_accept_sent_twice_at_once_is_recorded_once(make_services, table_prefix):
    """The same agent's accept twice at once: the one whose commit comes second finds the
    conversation hers already and commits nothing (no second event, one slot)."""
    held = HeldAt(f"{table_prefix}Threads")
    services = make_services(request_hooks=[held])
    desk = open_desk(services, mode="pick")
    ana = desk.agent("ana")
    cid = desk.customer_writes(customer(1))
    accept = services.distribution.assignments.accept
    held.meanwhile(lambda: accept(cid, ana), lambda: accept(cid, ana))
    assert [e.action for e in desk.conversation(cid).events].count("accepted") == 1
    assert desk.holder(cid) == "ana" and desk.load("ana") == 1
