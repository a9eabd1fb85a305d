"""Who is offered a conversation (core/dispatch.py), decided on records alone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core.agents import Agent, AgentState, QueueRef, Slot
from core.dispatch import REOFFER_AFTER, ranked
from core.identity import Actor
from core.records import Conversation, Decline
from core.settings import Distribution
from core.skills import SkillNeed

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
OFFLINE_AFTER = timedelta(minutes=2)
WORKSTREAM = "a" * 32


def agent(name: str, capacity: int = 3, queue: str | None = "general", roles=frozenset({"agent"})) -> Agent:
    return Agent(name, name, roles, (QueueRef(WORKSTREAM, queue),), (), NOW, NOW, capacity={"sms": capacity})


def state(name: str, held: int = 0, presence: str = "available", seen: timedelta = timedelta(seconds=5),
          offered_ago: timedelta | None = None, released_ago: timedelta | None = None) -> AgentState:
    slots = {f"{name}-{i}": Slot("sms", NOW) for i in range(held)}
    return AgentState(name, presence, NOW - seen, slots, NOW - offered_ago if offered_ago else None,
                      NOW - released_ago if released_ago else None)


def conversation(**changes) -> Conversation:
    base = dict(id="c1", state="open", channel="sms", provider="twilio", account_id="acc", workstream_id=WORKSTREAM,
                customer="+12065550100", business="+14252306549", agent=None, created_at=NOW, last_activity_at=NOW,
                last_customer_message_at=NOW, auto_close_after_minutes=480, queue="general", queued_at=NOW)
    return Conversation(**{**base, **changes})


def names(found) -> list[str]:
    return [a.id for a in found[0]]


def test_only_available_agents_of_the_queue_with_free_capacity_are_eligible():
    agents = [agent("ana"), agent("bo", queue="billing"), agent("cy", capacity=1), agent("di"), agent("ed"),
              agent("fay", roles=frozenset({"supervisor"}))]
    states = {"ana": state("ana"), "bo": state("bo"), "cy": state("cy", held=1), "di": state("di", presence="away"),
              "ed": state("ed", seen=timedelta(minutes=3)), "fay": state("fay")}
    assert names(ranked(conversation(), Distribution(), agents, states, NOW, OFFLINE_AFTER)) == ["ana"]


def test_assignment_methods_order_the_eligible():
    agents = [agent("ana", capacity=5), agent("bo", capacity=5), agent("cy", capacity=5)]
    states = {"ana": state("ana", held=1, offered_ago=timedelta(minutes=1), released_ago=timedelta(minutes=9)),
              "bo": state("bo", held=3, offered_ago=timedelta(minutes=9), released_ago=timedelta(minutes=1)),
              "cy": state("cy", held=1, offered_ago=timedelta(minutes=5), released_ago=timedelta(minutes=2))}
    order = {m: names(ranked(conversation(), Distribution(assignment=m), agents, states, NOW, OFFLINE_AFTER))
             for m in ("highest_capacity", "round_robin", "least_active")}
    assert order == {"highest_capacity": ["cy", "ana", "bo"], "round_robin": ["bo", "cy", "ana"],
                     "least_active": ["ana", "cy", "bo"]}


def test_the_previous_agent_comes_first_only_with_keep_same_agent_and_when_eligible():
    agents = [agent("ana", capacity=9), agent("bo")]
    states = {"ana": state("ana"), "bo": state("bo")}
    returning = conversation(previous_agent=Actor("bo", "bo"))
    assert names(ranked(returning, Distribution(), agents, states, NOW, OFFLINE_AFTER)) == ["ana", "bo"]
    keep = Distribution(keep_same_agent=True)
    assert names(ranked(returning, keep, agents, states, NOW, OFFLINE_AFTER)) == ["bo", "ana"]
    states["bo"] = state("bo", presence="busy")
    assert names(ranked(returning, keep, agents, states, NOW, OFFLINE_AFTER)) == ["ana"]


def test_who_declined_is_passed_over_for_a_while_and_the_retry_time_is_told():
    agents = [agent("ana"), agent("bo")]
    states = {"ana": state("ana"), "bo": state("bo")}
    one = conversation(declined=(Decline("ana", NOW - timedelta(minutes=1)),))
    assert ranked(one, Distribution(), agents, states, NOW, OFFLINE_AFTER) == ([agents[1]], None)
    both = conversation(declined=(Decline("ana", NOW - timedelta(minutes=1)), Decline("bo", NOW)))
    assert ranked(both, Distribution(), agents, states, NOW, OFFLINE_AFTER) == \
        ([], NOW - timedelta(minutes=1) + REOFFER_AFTER)
    long_ago = conversation(declined=(Decline("ana", NOW - REOFFER_AFTER - timedelta(seconds=1)),))
    assert names(ranked(long_ago, Distribution(), agents, states, NOW, OFFLINE_AFTER)) == ["ana", "bo"]


def skilled(name: str, capacity: int = 3, **skills: int) -> Agent:
    return Agent(name, name, frozenset({"agent"}), (QueueRef(WORKSTREAM, "general"),), (), NOW, NOW,
                 capacity={"sms": capacity}, skills=skills)


SPANISH_REFUNDS = (SkillNeed("spanish", 6), SkillNeed("refunds"))


def test_a_conversation_that_needs_skills_goes_only_to_agents_who_have_them_ranked_as_usual():
    agents = [skilled("ana", spanish=9, refunds=2), skilled("bo", spanish=5, refunds=9),
              skilled("cy", capacity=9, spanish=6, refunds=1), skilled("di")]
    states = {a.id: state(a.id) for a in agents}
    needing = conversation(skills=SPANISH_REFUNDS)
    assert names(ranked(needing, Distribution(), agents, states, NOW, OFFLINE_AFTER)) == ["cy", "ana"]
    assert names(ranked(conversation(), Distribution(), agents, states, NOW, OFFLINE_AFTER)) == ["cy", "ana", "bo", "di"]


def test_the_closest_match_only_once_the_conversation_waited_the_workstreams_time():
    agents = [skilled("bo", spanish=5, refunds=9), skilled("di", refunds=3), skilled("ed", refunds=9),
              skilled("fay")]
    states = {a.id: state(a.id) for a in agents}
    widening = Distribution(widen_skills_after_seconds=120)
    needing = conversation(skills=SPANISH_REFUNDS, queued_at=NOW - timedelta(seconds=60))
    assert ranked(needing, Distribution(), agents, states, NOW, OFFLINE_AFTER) == ([], None)  # never widens
    assert ranked(needing, widening, agents, states, NOW, OFFLINE_AFTER) == ([], NOW + timedelta(seconds=60))
    waited = conversation(skills=SPANISH_REFUNDS, queued_at=NOW - timedelta(seconds=120))
    # bo, di and ed each have one of its skills at the level asked; bo and ed the most proficient (9)
    assert names(ranked(waited, widening, agents, states, NOW, OFFLINE_AFTER)) == ["bo", "ed"]
