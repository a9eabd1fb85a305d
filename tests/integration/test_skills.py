"""Skill-based routing on real storage (Azurite) with a clock the test moves: the skills
catalogue, agents' skills and a routing rule that needs some; an exact match first, the
closest match only once the conversation waited the workstream's time, and nothing
unknown kept."""

from __future__ import annotations

import pytest

from core.errors import Conflict, ValidationFailed
from tests.support.desk import customer, open_desk
from tests.support.storage import RoundTrips

RULE = {"name": "Spanish refunds", "conditions": [{"field": "body", "operator": "contains", "value": "hola"}],
        "queue": "general", "skills": [{"name": "spanish", "min_proficiency": 6}, {"name": "Refunds"}]}


@pytest.fixture
def trips() -> RoundTrips:
    return RoundTrips()


@pytest.fixture
def desk(make_services, clock, trips):
    desk = open_desk(make_services(request_hooks=[trips]), clock)
    for name in ("Spanish", "Refunds"):
        desk.services.admin.skills.create({"name": name, "description": f"{name} conversations"})
    desk.services.admin.workstreams.update(desk.workstream_id, {
        "routing_rules": [RULE], "distribution": {"widen_skills_after_seconds": 120}})
    return desk


def skilled(desk, name: str, capacity: int = 3, available: bool = True, **skills: int):
    scope = desk.agent(name, capacity=capacity, available=False)
    desk.services.admin.directory.update(scope.principal.id, {
        "skills": [{"name": skill, "proficiency": level} for skill, level in skills.items()]})
    if available:
        desk.services.distribution.presence.set(scope, "available")
    return scope


def test_a_rule_names_the_skills_as_the_catalogue_spells_them_and_the_conversation_needs_them(desk):
    [rule] = desk.services.admin.workstreams.get(desk.workstream_id).settings.routing_rules
    assert [(n.name, n.min_proficiency) for n in rule.skills] == [("Spanish", 6), ("Refunds", 1)]
    skilled(desk, "ana", spanish=7, refunds=1)
    c = desk.conversation(desk.customer_writes(customer(1), "hola, my refund?"))
    assert [(n.name, n.min_proficiency) for n in c.skills] == [("Spanish", 6), ("Refunds", 1)]
    assert desk.offered_to(c.id) == "ana"


def test_only_an_agent_who_has_the_skills_is_offered_one_that_needs_them(desk):
    skilled(desk, "ana", capacity=1, Spanish=7, Refunds=4)
    skilled(desk, "bo", capacity=9, Spanish=9)
    assert desk.offered_to(desk.customer_writes(customer(2), "hola")) == "ana"
    assert desk.offered_to(desk.customer_writes(customer(3), "hello")) == "bo"  # no rule: the most free capacity


def test_the_closest_match_is_offered_only_after_the_wait(desk, clock):
    skilled(desk, "bo", Spanish=9)
    skilled(desk, "cy", Refunds=4)
    cid = desk.customer_writes(customer(4), "hola")
    assert desk.offered_to(cid) is None and [c.id for c in desk.waiting()] == [cid]

    clock.advance(seconds=60)
    desk.services.distribution.presence.set(desk.scopes["cy"], "available")  # an agent turning available: not yet
    desk.services.clockwork.run()
    assert desk.offered_to(cid) is None

    clock.advance(seconds=50)
    for name in ("bo", "cy"):  # their workspaces are still there
        desk.services.distribution.presence.set(desk.scopes[name], "available")
    assert desk.offered_to(cid) is None

    clock.advance(seconds=11)
    desk.services.clockwork.run()  # the dispatch row due at 120 s
    assert desk.offered_to(cid) == "bo"  # one skill each at the level asked; bo the more proficient (9 > 4)


def test_skills_unknown_to_the_catalogue_are_refused_and_one_in_use_is_kept(desk):
    ana = desk.agent("ana")
    with pytest.raises(ValidationFailed) as refused:
        desk.services.admin.directory.update(ana.principal.id, {"skills": [{"name": "Klingon", "proficiency": 3}]})
    assert refused.value.field == "skills[0].name"
    with pytest.raises(ValidationFailed) as refused:
        desk.services.admin.directory.update(ana.principal.id, {"skills": [{"name": "Spanish", "proficiency": 11}]})
    assert refused.value.field == "skills[0].proficiency"
    with pytest.raises(ValidationFailed) as refused:
        desk.services.admin.workstreams.update(desk.workstream_id, {
            "routing_rules": [{**RULE, "skills": [{"name": "Klingon"}]}]})
    assert refused.value.field == "routing_rules[0].skills[0].name"
    with pytest.raises(Conflict) as in_use:
        desk.services.admin.skills.delete("spanish")
    assert in_use.value.code == "skill_in_use" and "Spanish refunds" in in_use.value.message
    with pytest.raises(Conflict) as twice:
        desk.services.admin.skills.create({"name": "SPANISH"})
    assert twice.value.code == "skill_exists"
    for description in ([], {}, 0, False):
        with pytest.raises(ValidationFailed) as refused:
            desk.services.admin.skills.create({"name": "Billing", "description": description})
        assert refused.value.field == "description"
    assert desk.services.admin.skills.create({"name": "Billing", "description": ""}).description == ""


def test_an_offer_that_needs_skills_costs_the_round_trips_of_one_that_does_not(desk, trips):
    skilled(desk, "ana", capacity=50, Spanish=7, Refunds=2)
    desk.customer_writes(customer(5), "warm up")
    desk.customer_writes(customer(6), "hola")
    counted = {}
    for name, body in (("plain", "hello"), ("skills", "hola")):
        trips.reset()
        desk.customer_writes(customer(7 if name == "plain" else 8), body)
        counted[name] = trips.count
    assert counted["skills"] == counted["plain"], counted


def test_an_agent_who_turns_available_is_offered_what_she_can_take_behind_many_she_cannot(desk):
    spanish = [desk.customer_writes(customer(i), "hola") for i in range(12)]  # nobody there: they wait
    english = desk.customer_writes(customer(99), "hello")
    bo = skilled(desk, "bo", capacity=1)  # turns available, no Spanish; widening is 2 minutes away
    assert desk.offered_to(english) == "bo"
    assert all(desk.offered_to(cid) is None for cid in spanish)


def test_once_the_only_agent_who_fits_declined_it_widens_to_the_closest_in_time(desk, clock):
    ana = skilled(desk, "ana", spanish=8, refunds=1)
    skilled(desk, "bo", spanish=3)  # the closest match after ana
    cid = desk.customer_writes(customer(1), "hola, a refund please")
    assert desk.offered_to(cid) == "ana"
    desk.services.distribution.assignments.decline(cid, ana)  # passed over for 5 minutes
    assert desk.offered_to(cid) is None
    for _ in range(13):
        clock.advance(seconds=10)
        for name in ("ana", "bo"):
            desk.services.distribution.presence.heartbeat(desk.scopes[name].principal.id)
        desk.services.clockwork.run()
    assert desk.offered_to(cid) == "bo"  # at 2 minutes, not when ana may be offered it again


def test_a_close_match_who_turns_available_while_it_waits_is_offered_it_when_it_widens(desk, clock):
    cid = desk.customer_writes(customer(1), "hola, a refund please")  # nobody there
    clock.advance(seconds=30)
    bo = skilled(desk, "bo", spanish=3)  # a close match, not a fit: not yet
    assert desk.offered_to(cid) is None
    for _ in range(10):
        clock.advance(seconds=10)
        desk.services.distribution.presence.heartbeat(bo.principal.id)
        desk.services.clockwork.run()
    assert desk.offered_to(cid) == "bo"  # at 2 minutes, by the conversation's own row
