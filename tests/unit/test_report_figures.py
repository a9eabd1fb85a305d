"""Report arithmetic without storage: the facts a conversation's commits carry, its
measures (service-level results among them), percentiles over several days' sorted runs,
and the share of service-level clocks met."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from conversations.reports.figures import digest_figures, percentile
from core.facts import RESOLVED, Clocks, Facts, Measures
from core.identity import Actor
from core.records import ACCEPTED, CLOSED, INBOUND, OFFERED, OPEN, OUTBOUND, TRANSFERRED, Conversation, Event, Message
from core.reports import NO_CLOCKS, Digest, Entry, FactRow, counts_in
from functions.reports_api import query_of

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
NORA = Actor("nora", "Nora")


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def conversation(**kw) -> Conversation:
    base = dict(id="c1", state=OPEN, channel="sms", provider="twilio", account_id="a", workstream_id="w",
                customer="+1", business="+2", agent=None, created_at=T0, last_activity_at=T0,
                last_customer_message_at=T0, auto_close_after_minutes=60)
    return Conversation(**{**base, **kw})


def message(direction: str, minutes: float, **kw) -> Message:
    return Message(id=f"m{minutes}", conversation_id="c1", direction=direction, body="", media=(), status="sent",
                   provider_message_id=None, created_at=at(minutes), **kw)


def test_facts_follow_the_commits_and_give_the_measures():
    queued = conversation(queued_at=T0)
    f = Facts().after(None, queued, [message(INBOUND, 0)])
    f = f.after(queued, queued, events=[Event("c1", 2, at(1), OFFERED, None)])
    held = conversation(queued_at=T0, agent=NORA)
    f = f.after(queued, held, events=[Event("c1", 3, at(2), ACCEPTED, NORA)], at=at(2))
    f = f.after(held, held, [message(OUTBOUND, 3, automated="greeting"), message(OUTBOUND, 4, agent=NORA)])
    f = f.after(held, held, events=[Event("c1", 6, at(5), TRANSFERRED, NORA)])
    closed = conversation(queued_at=T0, agent=NORA, state=CLOSED, closed_at=at(10), closed_reason="agent")
    f = f.after(held, closed, at=at(10))
    f = f.after(closed, closed, [message(OUTBOUND, 10, automated="closing"), message(INBOUND, 11)])  # after closing
    assert (f.first_offered_at, f.accepted_at, f.first_reply_at, f.first_agent_reply_at) == (at(1), at(2), at(3), at(4))
    assert (f.transfers, f.customer_messages, f.agent_messages, f.agents, f.closed_by) == (1, 1, 1, ("nora",), "agent")
    m = Measures.of(T0, f)
    assert (m.wait_seconds, m.first_response_seconds, m.handle_seconds, m.resolution_seconds) == (120, 240, 480, 600)
    assert (m.answered, m.abandoned, m.bot_resolved) == (True, False, False)
    assert Facts.from_dict(f.to_dict()) == f


def test_a_message_the_business_sent_first_is_no_answer():
    opened = conversation(queued_at=T0, agent=NORA, last_customer_message_at=None)
    sent = Facts().after(None, opened, [message(OUTBOUND, 0, agent=NORA)])  # a proactive message
    closed = replace(opened, state=CLOSED, closed_at=at(40), closed_reason="inactivity")
    unanswered = Measures.of(T0, sent.after(opened, closed, at=at(40)))
    assert (unanswered.answered, unanswered.abandoned, unanswered.first_response_seconds) == (False, False, None)
    f = sent.after(opened, opened, [message(INBOUND, 30)]).after(opened, opened, [message(OUTBOUND, 32, agent=NORA)])
    m = Measures.of(T0, f)
    assert (m.answered, m.first_response_seconds, f.agent_messages) == (True, 120, 2)
    assert Facts.from_dict(f.to_dict()) == f
    kept_before = Facts(customer_messages=1)  # facts of an earlier version: no first_customer_at
    later = kept_before.after(opened, opened, [message(INBOUND, 20)]).after(opened, opened, [message(OUTBOUND, 25,
                                                                                                      agent=NORA)])
    assert Measures.of(T0, later).first_response_seconds == 25 * 60  # from its creation, as before


def test_a_conversation_its_bot_had_to_the_end_is_bot_resolved():
    with_bot = conversation(stage="bot")
    closed = conversation(stage="bot", state=CLOSED, closed_at=at(5), closed_reason="inactivity")
    assert Facts().after(with_bot, closed).bot_outcome == RESOLVED


def test_percentiles_over_runs_are_those_of_the_values_joined():
    rng = random.Random(7)
    for _ in range(200):
        runs = [sorted(rng.randrange(0, 900) for _ in range(rng.randrange(0, 30))) for _ in range(rng.randrange(1, 6))]
        joined = sorted(v for run in runs for v in run)
        for share in (0.5, 0.9, 0.01, 1.0):
            expected = joined[max(0, math.ceil(share * len(joined)) - 1)] if joined else None  # nearest rank
            assert percentile(runs, share) == expected, (runs, share)


def test_days_taken_together_count_once_and_average_csat():
    def entry(wait, csat=None, answered=True):
        return Entry(9, None, ("nora",), "sms", answered, not answered, False, wait, None, None, csat)

    days = [Digest.of([entry(10, 5), entry(20)]), Digest.of([entry(30, 3, answered=False)]), Digest.of([])]
    found = digest_figures(days)
    assert (found["conversations"], found["answered"], found["abandoned"]) == (3, 2, 1)
    assert found["wait_seconds"] == {"median": 20, "p90": 30}
    assert found["csat"] == {"average": 4.0, "responses": 2}
    assert digest_figures([Digest.of([])])["wait_seconds"] == {"median": None, "p90": None}


def test_time_with_its_bot_is_no_wait_in_a_queue():
    with_bot = conversation(stage="bot", queued_at=T0)
    f = Facts().after(None, with_bot)
    assert f.queued_at is None
    handed = conversation(queued_at=at(20), handoff=None)
    f = f.after(with_bot, handed)
    assert f.queued_at == at(20)
    closed = conversation(stage="bot", queued_at=T0, state=CLOSED, closed_at=at(5), closed_reason="inactivity")
    m = Measures.of(T0, Facts().after(None, with_bot).after(with_bot, closed))
    assert (m.abandoned, m.bot_resolved, m.wait_seconds) == (False, True, None)


def test_a_conversation_stays_filed_on_the_day_it_was_created_whatever_the_zone_becomes():
    late = conversation(created_at=datetime(2026, 11, 23, 23, 30, tzinfo=timezone.utc),
                        facts=Facts(day="2026-11-23", hour=23))
    assert (FactRow.of(late, "Europe/Berlin").day, FactRow.of(late, "Europe/Berlin").hour) == ("2026-11-23", 23)
    unfiled = conversation(created_at=datetime(2026, 11, 23, 23, 30, tzinfo=timezone.utc))
    assert (FactRow.of(unfiled, "Europe/Berlin").day, FactRow.of(unfiled, "Europe/Berlin").hour) == ("2026-11-24", 0)


def test_service_level_results_are_counted_per_target_and_change_the_measures():
    f = Facts(sla_met=("first_response", "next_response", "next_response"), sla_breached=("next_response",))
    m = Measures.of(T0, f)
    assert m.sla == {"first_response": Clocks(1, 0), "next_response": Clocks(2, 1), "resolution": Clocks(0, 0)}
    assert m.sla_counts() == {"sla_first_response_met": 1, "sla_first_response_breached": 0,
                              "sla_next_response_met": 2, "sla_next_response_breached": 1,
                              "sla_resolution_met": 0, "sla_resolution_breached": 0}
    breached = replace(f, sla_breached=(*f.sla_breached, "resolution"))
    assert Measures.of(T0, breached) != m  # a breach the timer records rewrites the fact row
    assert (Clocks(2, 1).share_met, Clocks(0, 3).share_met, Clocks().share_met) == (0.6667, 0.0, None)


def test_days_taken_together_give_the_share_of_clocks_met_per_target():
    def entry(*sla: int) -> Entry:  # clocks met and breached: first response, next response, resolution
        return Entry(9, None, ("nora",), "sms", True, False, False, 10, 20, 30, None, sla)

    days = [Digest.of([entry(1, 0, 2, 1, 0, 0), entry(0, 1, 0, 0, 1, 0)]), Digest.of([entry(1, 0, 0, 0, 0, 0)])]
    found = digest_figures(days)
    assert found["sla"] == {"first_response": {"met": 2, "breached": 1, "share_met": 0.6667},
                            "next_response": {"met": 2, "breached": 1, "share_met": 0.6667},
                            "resolution": {"met": 1, "breached": 0, "share_met": 1.0}}
    assert digest_figures([Digest.of([entry(*NO_CLOCKS)])])["sla"]["resolution"] == {
        "met": 0, "breached": 0, "share_met": None}
    behind = [e for d in days for e in d.entries() if counts_in(e, "sla_next_response")]
    assert behind == [entry(1, 0, 2, 1, 0, 0)]


def test_a_digest_kept_before_the_sla_columns_reads_as_one_without_clocks():
    kept = Digest.of([Entry(9, "billing", ("nora",), "sms", True, False, False, 10, 20, 30, 5)])
    old = Digest({name: values for name, values in kept.columns.items() if not name.startswith("sla_")})
    assert old == kept and old.entries()[0].sla == NO_CLOCKS
    assert digest_figures([old])["sla"]["first_response"] == {"met": 0, "breached": 0, "share_met": None}
    assert digest_figures([old])["conversations"] == 1


def test_facts_read_back_as_kept_the_first_hour_of_the_day_too():
    """Hour 0 is an hour: kept as None, a conversation created then differed from itself
    read back, and every move of it placed it twice."""
    facts = Facts(day="2026-12-07", hour=0, transfers=1, agents=("ana",))
    assert Facts.from_dict(facts.to_dict()) == facts
    assert Facts().to_dict() == {}


def test_a_query_tells_no_queue_from_every_queue():
    assert query_of({"queue": ""}).queue == ""  # Reports' "No queue": conversations no queue took
    assert query_of({}).queue is None  # every queue
    assert query_of({"queue": "billing"}).queue == "billing"
