"""Service levels on real storage (Azurite) with a clock the test moves: each conversation
carries its due times from its opening, the service-level timer records a warning and a
breach once however many instances run it, tells the holder and the workstream's
supervisors through Web PubSub (the stand-in), and costs nothing when nothing is due."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import unquote

import pytest

from channels.twilio_api import TwilioSender
from core.live import workstream_group
from core.records import SLA_BREACHED, SLA_WARNING
from core.sla import FIRST_RESPONSE, NEXT_RESPONSE, RESOLUTION
from localhost.easyauth import object_id_of
from localhost.webpubsub.process import StandIn
from push.webpubsub import WebPubSub
from tests.support.desk import customer, open_desk
from tests.support.storage import RoundTrips

BASE = "https://sb.example.com"
TARGETS = {"first_response_minutes": 10, "next_response_minutes": 20, "resolution_minutes": 120}


@pytest.fixture
def instances(make_services, standin, provider):
    """Two instances of the app on one storage and one clock, as two hosts would run."""
    trips = RoundTrips()

    def make(hooks):
        return make_services(realtime=WebPubSub.connect(standin.hub, connection_string=standin.connection_string),
                             senders={"twilio": TwilioSender(provider.base_url)}, request_hooks=hooks)

    return make([trips]), make([]), trips


@pytest.fixture
def desk(instances, clock):
    first, _, _ = instances
    desk = open_desk(first, clock)
    first.admin.workstreams.update(desk.workstream_id, {"service_levels": TARGETS})
    return desk


def alerts(standin: StandIn) -> list[tuple[str, dict]]:
    """Each service-level notice published: its audience and its data."""
    found = []
    for call in standin.calls():
        parts = call["path"].split("/")
        if call["method"] == "POST" and parts[-1] == ":send":
            data = json.loads(call["body"])
            if data.get("type") == "sla":
                found.append((f"{parts[-3][:-1]}:{unquote(parts[-2])}", data))
    return found


def test_a_conversation_carries_its_due_times_from_its_opening(desk, clock):
    opened = clock()
    cid = desk.customer_writes(customer(1))
    sl = desk.conversation(cid).service_level
    assert sl.next_due.target == FIRST_RESPONSE
    assert sl.clock(FIRST_RESPONSE).due_at == opened + timedelta(minutes=10, milliseconds=10)
    assert sl.clock(RESOLUTION).due_at == sl.clock(RESOLUTION).started_at + timedelta(minutes=120)
    assert sl.scheduled_at == sl.clock(FIRST_RESPONSE).warn_at  # its timers row: the warning at 80 %


def test_a_warning_and_a_breach_are_recorded_once_by_two_instances(desk, instances, clock, standin):
    first, second, _ = instances
    ana = desk.agent("ana")
    cid = desk.customer_writes(customer(2))
    desk.services.distribution.assignments.accept(cid, ana)
    first_response = desk.conversation(cid).service_level.clock(FIRST_RESPONSE)
    standin.reset_calls()

    for moment in (first_response.warn_at, first_response.due_at):  # at 80 % of 10 minutes, then at 10
        clock.now = moment
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda s: s.clockwork.run(), [first, second, first, second]))

    c = desk.conversation(cid)
    history = [(e.action, e.detail) for e in c.events if e.action in (SLA_WARNING, SLA_BREACHED)]
    assert history == [(SLA_WARNING, FIRST_RESPONSE), (SLA_BREACHED, FIRST_RESPONSE)]
    assert c.service_level.met(FIRST_RESPONSE) == (0, 1) and c.facts.sla_breached == (FIRST_RESPONSE,)
    told = alerts(standin)
    audiences = sorted({audience for audience, _ in told})
    assert audiences == sorted([f"user:{object_id_of('ana')}", f"group:{workstream_group(desk.workstream_id)}"])
    assert [d["alerts"] for a, d in told if a.startswith("user:")] == [
        [{"target": FIRST_RESPONSE, "level": "warning"}], [{"target": FIRST_RESPONSE, "level": "breached"}]]
    assert all(set(d) == {"type", "conversation_id", "version", "alerts", "due_at"} for _, d in told)


def test_an_answer_in_time_is_met_and_its_timer_row_records_nothing(desk, clock, instances):
    first, _, trips = instances
    ana = desk.agent("ana")
    cid = desk.customer_writes(customer(3))
    desk.services.distribution.assignments.accept(cid, ana)
    clock.advance(minutes=3)
    desk.services.messaging.outbox.reply(cid, "Hello, how can we help?", ana, BASE)
    assert desk.conversation(cid).facts.sla_met == (FIRST_RESPONSE,)

    clock.advance(minutes=6)  # past where the warning would have been
    first.clockwork.run()
    c = desk.conversation(cid)
    assert not [e for e in c.events if e.action in (SLA_WARNING, SLA_BREACHED)]

    trips.reset()
    assert first.clockwork.run() == {}  # nothing due: the timers query alone
    assert trips.count == 1, trips.paths


def test_a_customer_message_after_the_answer_starts_the_next_response_clock(desk, clock):
    ana = desk.agent("ana")
    cid = desk.customer_writes(customer(4))
    desk.services.distribution.assignments.accept(cid, ana)
    desk.services.messaging.outbox.reply(cid, "Hello!", ana, BASE)
    clock.advance(minutes=1)
    desk.customer_writes(customer(4), "One more question")
    sl = desk.conversation(cid).service_level
    assert sl.next_due.target == NEXT_RESPONSE
    assert sl.clock(NEXT_RESPONSE).due_at == sl.clock(NEXT_RESPONSE).started_at + timedelta(minutes=20)


def test_without_targets_a_message_into_a_conversation_stays_two_round_trips(instances, clock):
    first, _, trips = instances
    desk = open_desk(first, clock)
    desk.agent("ana")
    cid = desk.customer_writes(customer(5))
    assert desk.conversation(cid).service_level is None and desk.conversation(cid).facts.sla_met == ()
    trips.reset()
    desk.customer_writes(customer(5), "still there?")
    assert trips.count == 2, trips.paths
