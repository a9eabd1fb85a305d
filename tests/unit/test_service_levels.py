"""Service-level clocks (core/sla.py) with fixed times: when each target is due, in calendar
time and within operating hours (over nights, weekends, closures and a change of clocks),
and what a commit starts, ends and records."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from core.bots import BOT
from core.hours import Interval, OperatingHours
from core.identity import Actor
from core.records import CLOSED, INBOUND, OUTBOUND, Conversation, Message
from core.sla import (BREACHED, FIRST_RESPONSE, NEXT_RESPONSE, OPERATING_HOURS, RESOLUTION, WARNING, Result,
                      ServiceLevel, ServiceTargets)

NY = ZoneInfo("America/New_York")
WEEKDAYS = tuple(Interval(d, time(9), time(17)) for d in range(5))
HOURS = OperatingHours("America/New_York", WEEKDAYS, frozenset({date(2026, 12, 25)}))
AGENT = Actor("u1", "Nora")


def at(*args: int) -> datetime:
    """A New York wall-clock time, as the UTC moment it is."""
    return datetime(*args, tzinfo=NY).astimezone(timezone.utc)


@pytest.mark.parametrize(("start", "minutes", "due"), [
    (at(2026, 12, 7, 10, 0), 30, at(2026, 12, 7, 10, 30)),  # Monday, inside the day
    (at(2026, 12, 7, 16, 45), 30, at(2026, 12, 8, 9, 15)),  # over the night
    (at(2026, 12, 7, 20, 0), 30, at(2026, 12, 8, 9, 30)),  # begun after closing: counts from the opening
    (at(2026, 12, 11, 16, 50), 20, at(2026, 12, 14, 9, 10)),  # Friday to Monday, over the weekend
    (at(2026, 12, 24, 16, 30), 60, at(2026, 12, 28, 9, 30)),  # Christmas closed, then the weekend
    (at(2026, 12, 7, 9, 0), 8 * 60, at(2026, 12, 7, 17, 0)),  # exactly one open day
    (at(2027, 3, 12, 16, 0), 120, at(2027, 3, 15, 10, 0)),  # the clocks go forward on Sunday 14 March
])
def test_due_within_operating_hours(start, minutes, due):
    assert HOURS.after_open_time(start, timedelta(minutes=minutes)) == due


def test_hours_that_never_open_count_in_calendar_time():
    never = OperatingHours("UTC", (), frozenset())
    start = datetime(2026, 12, 7, 10, tzinfo=timezone.utc)
    sl = ServiceLevel.opening(ServiceTargets(first_response_minutes=10, counted=OPERATING_HOURS), never)
    assert sl.after(conversation(start), [], start).clock(FIRST_RESPONSE).due_at == start + timedelta(minutes=10)


def conversation(created: datetime, **changes) -> Conversation:
    c = Conversation("c1", "open", "sms", "twilio", "a1", "w1", "+12065550100", "+12065550199", None, created,
                     created, created, 60)
    return replace(c, **changes)


def customer(at_: datetime) -> Message:
    return Message("m-in", "c1", INBOUND, "hi", (), "received", None, at_)


def agent(at_: datetime, **changes) -> Message:
    return replace(Message("m-out", "c1", OUTBOUND, "hello", (), "sent", None, at_, agent=AGENT), **changes)


T0 = datetime(2026, 12, 7, 15, 0, tzinfo=timezone.utc)
TARGETS = ServiceTargets(first_response_minutes=10, next_response_minutes=20, resolution_minutes=120)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def test_opening_starts_first_response_and_resolution_warning_at_the_share():
    sl = ServiceLevel.opening(TARGETS, None).after(conversation(T0), [customer(T0)], T0)
    first = sl.clock(FIRST_RESPONSE)
    assert (first.due_at, first.warn_at) == (minutes(10), minutes(8))
    assert sl.clock(RESOLUTION).due_at == minutes(120)
    assert sl.clock(NEXT_RESPONSE) is None  # the first response covers the first message
    assert sl.next_due is first and sl.next_point() == minutes(8)


def test_no_targets_no_clocks():
    assert ServiceLevel.opening(ServiceTargets(), None) is None


def test_an_agent_answer_meets_the_first_response_then_customer_messages_start_next_responses():
    c = conversation(T0)
    sl = ServiceLevel.opening(TARGETS, None).after(c, [customer(T0)], T0)
    sl = sl.after(c, [agent(minutes(4))], minutes(4))
    assert sl.results == (Result(FIRST_RESPONSE, True),) and sl.clock(FIRST_RESPONSE) is None
    sl = sl.after(c, [customer(minutes(5))], minutes(5))
    sl = sl.after(c, [customer(minutes(6))], minutes(6))  # a clock runs already: it covers this one
    assert sl.clock(NEXT_RESPONSE).started_at == minutes(5)
    sl = sl.after(c, [agent(minutes(30))], minutes(30))  # 25 minutes after: late
    assert sl.met(NEXT_RESPONSE) == (0, 1)


def test_a_message_the_business_sent_first_answers_nothing_and_the_customers_reply_starts_the_first_response():
    proactive = conversation(T0, last_customer_message_at=None)
    sl = ServiceLevel.opening(TARGETS, None).after(proactive, [agent(T0)], T0)
    assert sl.results == () and sl.running == ()  # a campaign the customer never answers breaches nothing
    replied = conversation(T0, last_customer_message_at=minutes(30))
    sl = sl.after(replied, [customer(minutes(30))], minutes(30))
    assert sl.clock(FIRST_RESPONSE).started_at == minutes(30) == sl.clock(RESOLUTION).started_at
    sl = sl.after(replied, [agent(minutes(45))], minutes(45))  # 15 minutes after the customer: late
    assert sl.met(FIRST_RESPONSE) == (0, 1) and ServiceLevel.from_dict(sl.to_dict()) == sl


def test_automated_and_bot_messages_are_no_answer():
    c = conversation(T0)
    sl = ServiceLevel.opening(TARGETS, None).after(c, [customer(T0)], T0)
    sl = sl.after(c, [agent(minutes(1), automated="greeting"), agent(minutes(1), from_bot=True)], minutes(1))
    assert sl.clock(FIRST_RESPONSE) is not None and sl.results == ()


def test_a_bot_stage_holds_the_clocks_until_its_handoff():
    sl = ServiceLevel.opening(TARGETS, None).after(conversation(T0, stage=BOT), [customer(T0)], T0)
    assert sl.running == () and not sl.started
    sl = sl.after(conversation(T0), [], minutes(15))
    assert sl.clock(FIRST_RESPONSE).started_at == minutes(15)


def test_closing_ends_resolution_and_stops_the_rest_late_ones_counted_breached():
    c = conversation(T0)
    sl = ServiceLevel.opening(TARGETS, None).after(c, [customer(T0)], T0)
    closed = conversation(T0, state=CLOSED, closed_at=minutes(30))
    ended = sl.after(closed, [], minutes(30))
    assert ended.running == ()
    assert sorted(ended.results, key=lambda r: r.target) == [Result(FIRST_RESPONSE, False), Result(RESOLUTION, True)]
    early = sl.after(conversation(T0, state=CLOSED, closed_at=minutes(5)), [], minutes(5))
    assert early.results == (Result(RESOLUTION, True),)  # closed before the first response was due: no result


def test_warnings_and_breaches_are_recorded_once():
    sl = ServiceLevel.opening(TARGETS, None).after(conversation(T0), [customer(T0)], T0)
    assert sl.recorded(minutes(7)) == (sl, [])
    sl, said = sl.recorded(minutes(8))
    assert said == [(FIRST_RESPONSE, WARNING)] and sl.next_point() == minutes(10)
    assert sl.recorded(minutes(9))[1] == []
    sl, said = sl.recorded(minutes(11))
    assert said == [(FIRST_RESPONSE, BREACHED)] and sl.met(FIRST_RESPONSE) == (0, 1)
    sl = sl.after(conversation(T0), [agent(minutes(12))], minutes(12))
    assert sl.met(FIRST_RESPONSE) == (0, 1)  # answered late: still the one breach
    assert sl.next_point() == minutes(96)  # the resolution's warning


def test_a_level_survives_storage():
    sl = ServiceLevel.opening(replace(TARGETS, counted=OPERATING_HOURS), HOURS)
    sl = sl.after(conversation(T0), [customer(T0)], T0).recorded(minutes(9))[0]
    assert ServiceLevel.from_dict(sl.to_dict()) == sl
