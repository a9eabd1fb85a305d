"""Reports on real storage (Azurite) over a scripted day with a clock the test moves: each
measure as computed by hand, the conversations behind a figure, a finished day computed
once and kept, scope, and an erasure that leaves counts but no number."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from channels.twilio_api import TwilioSender
from conversations.access import Scope
from core.agents import Agent
from core.errors import Forbidden, NotFound
from core.identity import AGENT, SUPERVISOR, Principal
from core.reports import Digest, Entry, ReportQuery
from core.telemetry import CONVERSATION_CLOSED, NoTelemetry
from functions.reports_api import query_of
from tests.support.desk import customer, open_desk
from tests.support.scopes import ALICE
from tests.support.storage import RoundTrips
from tests.support.twilio import BUSINESS, account_body, inbound

BASE = "https://sb.example.com"
NO_CLOCKS = {f"sla_{t}_{r}": 0 for t in ("first_response", "next_response", "resolution") for r in ("met", "breached")}
DAY = date(2026, 11, 23)  # the fake clock's day, 09:00 UTC at the start; the workstream keeps UTC
A, B, C = "+15017122601", "+15017122602", "+15017122603"


@pytest.fixture
def day(make_services, provider, clock):
    """Three conversations: A answered, B abandoned, C transferred back to its queue once."""
    trips = RoundTrips()
    services = make_services(senders={"twilio": TwilioSender(provider.base_url)}, request_hooks=[trips])
    account = services.admin.accounts.create(account_body())
    workstream = services.admin.workstreams.create({"name": "Support", "channel": "sms", "account_id": account.id,
                                                   "number": BUSINESS, "queues": ["billing"],
                                                   "default_queue": "billing"})
    sids = iter(range(1, 100))

    def customer(number: str, text: str) -> str:
        return services.messaging.ingest.message(account, inbound(account.id, f"SMin{next(sids)}", text, number),
                                                 BASE).conversation_id

    def at(minutes: int) -> None:  # minutes after 09:00
        clock.now = clock.now.replace(hour=9, minute=0) + timedelta(minutes=minutes)

    accept, reply = services.distribution.assignments.accept, services.messaging.outbox.reply
    close = services.messaging.actions.close
    a = customer(A, "my order is late")                              # 09:00
    at(2), accept(a, ALICE)                                          # waited 2 min
    at(3), reply(a, "Sorry, let me look", ALICE, BASE)                # first response 3 min
    at(4), customer(A, "thanks")
    at(10), close(a, ALICE, BASE)                                     # handled 8 min
    at(30)
    b = customer(B, "hello?")                                        # 09:30, nobody answers
    at(60), close(b, ALICE, BASE)
    at(120)
    c = customer(C, "billing question")                              # 11:00
    at(125), accept(c, ALICE)                                        # waited 5 min
    at(126), services.distribution.assignments.transfer_to_queue(c, ALICE, "billing")
    at(128), accept(c, ALICE)
    at(129), reply(c, "Here to help", ALICE, BASE)                    # first response 9 min
    at(140), close(c, ALICE, BASE)                                    # handled 15 min from the first accept
    return services, workstream, (a, b, c), trips


def query(**kw) -> ReportQuery:
    return ReportQuery(DAY, DAY, **kw)


def test_each_measure_is_as_computed_by_hand(day):
    services, workstream, (a, b, c), _ = day
    rows = {r.conversation_id: r for _, r in services.reporting.history.rows(ALICE, query())}
    got = {cid: (r.measures.wait_seconds, r.measures.first_response_seconds, r.measures.handle_seconds,
                 r.measures.resolution_seconds, r.measures.answered, r.measures.abandoned, r.facts.transfers,
                 r.facts.customer_messages, r.facts.agent_messages, r.facts.closed_by, r.hour)
           for cid, r in rows.items()}
    assert got == {
        a: (120, 180, 480, 600, True, False, 0, 2, 1, "agent", 9),
        b: (None, None, None, 1800, False, True, 0, 1, 0, "agent", 9),
        c: (300, 540, 900, 1200, True, False, 1, 1, 1, "agent", 11),
    }
    summary = services.reporting.history.summary(ALICE, query(workstream_id=workstream.id))
    assert summary["total"] == {
        "conversations": 3, "answered": 2, "abandoned": 1, "bot_resolved": 0,
        "wait_seconds": {"median": 120, "p90": 300}, "first_response_seconds": {"median": 180, "p90": 540},
        "handle_seconds": {"median": 480, "p90": 900}, "csat": {"average": None, "responses": 0},
        "sla": {t: {"met": 0, "breached": 0, "share_met": None}  # the workstream sets no targets
                for t in ("first_response", "next_response", "resolution")},
        "estimated_cost": "0"}  # nothing priced: no rate table
    by_hour = services.reporting.history.summary(ALICE, query(group_by="hour"))["groups"]
    assert len(by_hour) == 24 and {g["key"]: g["conversations"] for g in by_hour if g["conversations"]} == {
        "09": 2, "11": 1}


def test_a_workstream_moved_to_another_time_zone_still_counts_its_first_days(make_services, clock):
    """A workstream made at 12:00 UTC, its first conversation filed under that UTC day; its
    time zone then becomes one where that instant was the next day: the day before its
    first day there is read too, so the conversation is still counted (as its drill-down
    lists it)."""
    clock.now = clock.now.replace(hour=12, minute=0)
    services = make_services()
    desk = open_desk(services, clock)
    desk.customer_writes(customer(1))
    services.admin.workstreams.update(desk.workstream_id, {"operating_hours": {
        "time_zone": "Pacific/Kiritimati", "weekly": [{"day": "monday", "open": "09:00", "close": "17:00"}]}})
    wide = ReportQuery(DAY - timedelta(days=1), DAY + timedelta(days=1), workstream_id=desk.workstream_id)
    assert services.reporting.history.summary(ALICE, wide)["total"]["conversations"] == 1


def test_a_report_without_a_last_day_covers_today_where_the_workstream_is_a_day_ahead(make_services, clock):
    """At 15:32 UTC it is already tomorrow in Tokyo: a report that names no last day ends
    on the latest today of the workstreams it covers, so today's conversation is in it."""
    clock.now = clock.now.replace(hour=15, minute=32)
    services = make_services()
    desk = open_desk(services, clock)
    services.admin.workstreams.update(desk.workstream_id, {"operating_hours": {
        "time_zone": "Asia/Tokyo", "weekly": [{"day": "tuesday", "open": "09:00", "close": "17:00"}]}})
    desk.customer_writes(customer(1))
    history = services.reporting.history
    assert history.latest_day(ALICE, desk.workstream_id) == DAY + timedelta(days=1)
    found = history.summary(ALICE, query_of({}, lambda: history.latest_day(ALICE, None)))
    assert (found["to"], found["total"]["conversations"]) == ((DAY + timedelta(days=1)).isoformat(), 1)


def test_a_workstream_moved_west_counts_what_it_files_before_its_first_day(make_services, clock):
    """Made at 05:00 UTC (the day before, in zones far enough west), read once, then moved
    to Los Angeles, where a conversation at 06:30 UTC is filed under that day before: the
    first read kept nothing for it, so the conversation is counted a day later."""
    clock.now = clock.now.replace(hour=5, minute=0)
    services = make_services()
    desk = open_desk(services, clock)
    wide = ReportQuery(DAY - timedelta(days=1), DAY + timedelta(days=1), workstream_id=desk.workstream_id)
    assert services.reporting.history.summary(ALICE, wide)["total"]["conversations"] == 0
    clock.advance(hours=1)
    services.admin.workstreams.update(desk.workstream_id, {"operating_hours": {
        "time_zone": "America/Los_Angeles", "weekly": [{"day": "monday", "open": "09:00", "close": "17:00"}]}})
    clock.advance(minutes=30)
    desk.customer_writes(customer(1))
    clock.advance(days=1)
    assert services.reporting.history.summary(ALICE, wide)["total"]["conversations"] == 1


def test_the_conversations_behind_a_figure_are_exactly_those_it_counts(day):
    services, _, (a, b, c), _ = day

    def behind(**kw) -> list[str]:
        return [r.conversation_id for _, r in services.reporting.history.rows(ALICE, query(**kw))]

    assert behind(measure="abandoned") == [b]
    assert sorted(behind(measure="answered")) == sorted([a, c])
    assert behind(group_by="hour", group="09", measure="answered") == [a]
    assert behind(group_by="agent", group=ALICE.principal.id, measure="wait_seconds") != []
    assert behind(queue="elsewhere") == []


def test_a_finished_day_is_computed_once_and_kept(day, clock):
    services, workstream, _, trips = day
    today = services.reporting.history.summary(ALICE, query(workstream_id=workstream.id))
    clock.advance(days=1)
    trips.reset()
    first = services.reporting.history.summary(ALICE, query(workstream_id=workstream.id))
    computing = list(trips.paths)
    trips.reset()
    again = services.reporting.history.summary(ALICE, query(workstream_id=workstream.id))
    assert first["total"] == again["total"] == today["total"]
    assert any("PUT" in p or "POST" in p for p in computing), computing  # the digest, kept
    assert len(trips.paths) == 1 and trips.paths[0].startswith("GET"), trips.paths  # one range of digests


def test_a_late_survey_answer_marks_the_day_stale_and_counts(day, clock):
    services, workstream, (a, _, _), _ = day
    clock.advance(days=1)
    services.reporting.history.summary(ALICE, query(workstream_id=workstream.id))  # kept
    row = next(r for _, r in services.reporting.history.rows(ALICE, query()) if r.conversation_id == a)
    services.stores.reports.put(replace(row, facts=replace(row.facts, csat=5), version=row.version + 1), finished=True)
    later = services.reporting.history.summary(ALICE, query(workstream_id=workstream.id))
    assert later["total"]["csat"] == {"average": 5.0, "responses": 1}


def test_reports_are_for_supervisors_of_the_workstream_and_admins(day):
    services, workstream, _, _ = day
    since = ALICE.agent.created_at

    def person(name: str, roles: set[str], supervises: tuple[str, ...] = ()) -> Scope:
        principal = Principal(name, name, frozenset(roles))
        return Scope.of(principal, Agent(name, name, frozenset(roles), (), supervises, since, since))

    theirs = person("sue", {SUPERVISOR}, (workstream.id,))
    assert services.reporting.history.summary(theirs, query())["total"]["conversations"] == 3
    other = person("otto", {SUPERVISOR}, ("another",))
    assert services.reporting.history.summary(other, query())["total"]["conversations"] == 0
    with pytest.raises(NotFound):
        services.reporting.history.summary(other, query(workstream_id=workstream.id))
    with pytest.raises(Forbidden):
        services.reporting.history.summary(person("ada", {AGENT}), query())


def test_an_erasure_leaves_the_counts_and_no_number(day):
    services, _, (a, _, _), _ = day
    services.customer_data.erasure.start({"address": A}, ALICE.principal.actor)
    rows = [r for _, r in services.reporting.history.rows(ALICE, query())]
    assert len(rows) == 3 and a not in {r.conversation_id for r in rows}  # kept under a key nothing names
    assert sorted(r.customer for r in rows) == ["", B, C]
    assert services.reporting.history.summary(ALICE, query())["total"]["abandoned"] == 1


def test_live_figures_count_what_waits_now(day, clock):
    services, workstream, _, _ = day
    services.messaging.ingest.message(services.admin.accounts.list()[0], inbound(
        services.admin.accounts.list()[0].id, "SMlive", "anyone?", "+15017122604"), BASE)
    clock.advance(seconds=90)
    live = services.reporting.live.live(ALICE, workstream.id)["workstreams"][0]
    assert live["queues"] == [{"queue": "billing", "waiting": 1, "longest_wait_seconds": 90, "offered": 0,
                               "active": 0}]
    assert live["today"]["conversations"] == 4 and live["today"]["abandoned"] == 1


def test_a_survey_answer_counts_once_in_reports(make_services, provider, clock):
    services = make_services(senders={"twilio": TwilioSender(provider.base_url)})
    account = services.admin.accounts.create(account_body())
    workstream = services.admin.workstreams.create({
        "name": "Support", "channel": "sms", "account_id": account.id, "number": BUSINESS,
        "survey": {"enabled": True, "mode": "question", "text": "How did we do? Reply 1 to 5", "window_minutes": 60}})
    cid = services.messaging.ingest.message(account, inbound(account.id, "SMq1", "hello", A), BASE).conversation_id
    services.messaging.actions.close(cid, ALICE, BASE)
    clock.advance(minutes=5)
    for _ in range(2):  # the provider delivers the answer twice
        services.messaging.ingest.message(account, inbound(account.id, "SMq2", "4", A), BASE)
    summary = services.reporting.history.summary(ALICE, query(workstream_id=workstream.id))
    assert summary["total"]["csat"] == {"average": 4.0, "responses": 1}
    assert summary["total"]["conversations"] == 1  # the answer opened none
    [row] = [r for _, r in services.reporting.history.rows(ALICE, query(measure="csat"))]
    assert (row.conversation_id, row.facts.csat, row.facts.customer_messages) == (cid, 4, 1)


class Events(NoTelemetry):
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    def event(self, name: str, **attributes) -> None:
        self.sent.append((name, attributes))


def test_a_closed_conversation_goes_to_application_insights_with_ids_and_measures(make_services, provider, clock):
    events = Events()
    services = make_services(senders={"twilio": TwilioSender(provider.base_url)}, telemetry=events)
    account = services.admin.accounts.create(account_body())
    workstream = services.admin.workstreams.create({"name": "Support", "channel": "sms", "account_id": account.id,
                                                   "number": BUSINESS, "queues": ["billing"],
                                                   "default_queue": "billing"})
    cid = services.messaging.ingest.message(account, inbound(account.id, "SMai", "my card was charged twice", A),
                                            BASE).conversation_id
    clock.advance(minutes=1)
    services.distribution.assignments.accept(cid, ALICE)
    clock.advance(minutes=1)
    services.messaging.outbox.reply(cid, "Let me check", ALICE, BASE)
    clock.advance(minutes=5)
    services.messaging.actions.close(cid, ALICE, BASE)
    [(name, sent)] = [e for e in events.sent if e[0] == CONVERSATION_CLOSED]
    assert sent == {"conversation_id": cid, "workstream_id": workstream.id, "queue": "billing", "channel": "sms",
                    "provider": "twilio", "closed_by": "agent", "agent_id": ALICE.principal.id, "wait_seconds": 60,
                    "first_response_seconds": 120, "handle_seconds": 360, "resolution_seconds": 420,
                    "answered": True, "abandoned": False, "bot_resolved": False, "transfers": 0,
                    "customer_messages": 1, "agent_messages": 1, "csat": None, **NO_CLOCKS}


def test_an_answer_counts_today_before_the_conversation_closes(make_services, provider, clock):
    trips = RoundTrips()
    services = make_services(senders={"twilio": TwilioSender(provider.base_url)}, request_hooks=[trips])
    account = services.admin.accounts.create(account_body())
    workstream = services.admin.workstreams.create({"name": "Support", "channel": "sms", "account_id": account.id,
                                                   "number": BUSINESS})
    cid = services.messaging.ingest.message(account, inbound(account.id, "SMo1", "hi", A), BASE).conversation_id
    services.distribution.assignments.accept(cid, ALICE)
    clock.advance(minutes=2)
    services.messaging.outbox.reply(cid, "Hello, how can I help?", ALICE, BASE)
    today = services.reporting.live.live(ALICE, workstream.id)["workstreams"][0]["today"]
    assert (today["answered"], today["first_response_seconds"]["median"]) == (1, 120)
    trips.reset()
    services.messaging.ingest.message(account, inbound(account.id, "SMo2", "my order", A), BASE)
    assert trips.count == 2, trips.paths  # a customer's message changes no measure: no fact row written


def test_the_next_page_starts_after_the_last_row_even_when_rows_arrive_meanwhile(make_services, provider, clock):
    services = make_services(senders={"twilio": TwilioSender(provider.base_url)})
    account = services.admin.accounts.create(account_body())
    services.admin.workstreams.create({"name": "Support", "channel": "sms", "account_id": account.id,
                                      "number": BUSINESS})

    def arrive(first: int, count: int) -> None:
        for n in range(first, first + count):
            services.messaging.ingest.message(account, inbound(account.id, f"SMp{n}", "hi", f"+1206555{n:04d}"), BASE)

    arrive(0, 10)
    pages = services.reporting.history.rows(ALICE, query())
    seen = [next(pages) for _ in range(4)]
    arrive(10, 20)
    rest = list(services.reporting.history.rows(ALICE, query(), after=seen[-1][0]))
    ids = [row.conversation_id for _, row in seen + rest]
    assert len(ids) == len(set(ids)) and ids == sorted(ids)  # in key order, none twice


def test_an_older_snapshot_never_overwrites_a_newer_fact_row(day):
    services, _, (a, _, _), _ = day
    [row] = [r for _, r in services.reporting.history.rows(ALICE, query()) if r.conversation_id == a]
    older = replace(row, facts=replace(row.facts, closed_at=None, closed_by=None), version=row.version - 1)
    services.stores.reports.put(older, finished=False)  # a reaction that was slow to write
    services.stores.reports.put(older, finished=False, new=True)
    [kept] = [r for _, r in services.reporting.history.rows(ALICE, query()) if r.conversation_id == a]
    assert kept == row and kept.facts.closed_by == "agent"


def test_a_day_of_fifty_thousand_conversations_keeps_its_digest(make_services):
    services = make_services()
    rng = random.Random(3)
    entries = [Entry(rng.randrange(24), rng.choice(["billing", None]), (f"agent-{rng.randrange(40)}",), "sms",
                     rng.random() < .8, rng.random() < .1, False, rng.randrange(600), rng.randrange(900),
                     rng.randrange(3600), rng.choice([None, 1, 5])) for _ in range(50_000)]
    etag = services.stores.reports.keep("w1", "2026-11-23", Digest.of(entries), None)
    [(digest, read_etag)] = services.stores.reports.digests("w1", "2026-11-23", "2026-11-23").values()
    assert etag == read_etag and digest == Digest.of(entries)


@pytest.fixture
def clocked(make_services, provider, clock):
    """Targets of 5 min (first response), 10 (next) and 60 (resolution): A meets every clock;
    B's first response runs late (the service-level timer records it); so does C's next
    response, and C stays open."""
    events = Events()
    services = make_services(senders={"twilio": TwilioSender(provider.base_url)}, telemetry=events)
    account = services.admin.accounts.create(account_body())
    workstream = services.admin.workstreams.create({
        "name": "Support", "channel": "sms", "account_id": account.id, "number": BUSINESS,
        "service_levels": {"first_response_minutes": 5, "next_response_minutes": 10, "resolution_minutes": 60}})
    sids = iter(range(1, 100))

    def customer(number: str) -> str:
        return services.messaging.ingest.message(account, inbound(account.id, f"SMs{next(sids)}", "hello", number),
                                                 BASE).conversation_id

    def answer(cid: str, minutes: int, accept: bool = False) -> None:
        clock.now = clock.now.replace(hour=9, minute=minutes)
        if accept:
            services.distribution.assignments.accept(cid, ALICE)
        services.messaging.outbox.reply(cid, "Happy to help", ALICE, BASE)

    a, b, c = customer(A), customer(B), customer(C)                         # 09:00
    answer(a, 1, accept=True), answer(c, 2, accept=True)                     # first responses in time
    clock.advance(minutes=1), customer(A), clock.advance(minutes=1), customer(C)  # next responses due 09:13, 09:14
    answer(a, 5)                                                             # A's in time
    clock.advance(minutes=1), services.clockwork.run()                       # 09:06: B's first response is late
    answer(b, 7, accept=True)
    clock.advance(minutes=3)
    for done in (a, b):
        services.messaging.actions.close(done, ALICE, BASE)                  # 09:10: resolved in time
    clock.advance(minutes=5), services.clockwork.run()                       # 09:15: C's next response is late
    return services, workstream, (a, b, c), events


def test_service_levels_show_per_target_with_the_share_met(clocked, clock):
    services, workstream, (a, b, c), events = clocked
    rows = {r.conversation_id: r.measures.sla_counts() for _, r in services.reporting.history.rows(ALICE, query())}
    assert rows == {a: {**NO_CLOCKS, "sla_first_response_met": 1, "sla_next_response_met": 1, "sla_resolution_met": 1},
                    b: {**NO_CLOCKS, "sla_first_response_breached": 1, "sla_resolution_met": 1},
                    c: {**NO_CLOCKS, "sla_first_response_met": 1, "sla_next_response_breached": 1}}  # by the timer
    expected = {"first_response": {"met": 2, "breached": 1, "share_met": 0.6667},
                "next_response": {"met": 1, "breached": 1, "share_met": 0.5},
                "resolution": {"met": 2, "breached": 0, "share_met": 1.0}}
    summary = services.reporting.history.summary(ALICE, query(workstream_id=workstream.id, group_by="hour"))
    assert summary["total"]["sla"] == expected and summary["groups"][9]["sla"] == expected
    assert services.reporting.live.live(ALICE, workstream.id)["workstreams"][0]["today"]["sla"] == expected
    behind = [r.conversation_id for _, r in services.reporting.history.rows(ALICE, query(measure="sla_next_response"))]
    assert sorted(behind) == sorted([a, c])
    closed = {e["conversation_id"]: e for name, e in events.sent if name == CONVERSATION_CLOSED}
    assert {k: v for k, v in closed[b].items() if k.startswith("sla_")} == rows[b]
    clock.advance(days=1)
    for _ in range(2):  # the finished day's digest, computed and kept, then read back
        assert services.reporting.history.summary(ALICE, query(workstream_id=workstream.id))["total"]["sla"] == expected
