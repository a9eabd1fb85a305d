"""The in-channel satisfaction rule (conversations/messaging/satisfaction.py): which
customer message on a closed thread answers its survey question."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from conversations.messaging.satisfaction import answered, score
from core.content import Choice
from core.facts import Facts
from core.records import Conversation, Workstream
from core.settings import Survey, WorkstreamSettings

SENT = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
QUESTION = Survey(enabled=True, text="How did we do? Reply 1 to 5", mode="question", window_minutes=60)


def workstream(survey: Survey = QUESTION, workstream_id: str = "w") -> Workstream:
    return Workstream(id=workstream_id, name="Support", channel="sms", account_id="a", number="+14252306549",
                      auto_close_after_minutes=60, created_at=SENT, updated_at=SENT,
                      settings=WorkstreamSettings(survey=survey))


def closed(**facts) -> Conversation:
    start = SENT - timedelta(hours=1)
    return Conversation(id="c1", state="closed", channel="sms", provider="twilio", account_id="a", workstream_id="w",
                        customer="+12065550100", business="+14252306549", agent=None, created_at=start,
                        last_activity_at=SENT, last_customer_message_at=start, auto_close_after_minutes=60,
                        closed_at=SENT, facts=Facts(**{"survey_sent_at": SENT, **facts}))


@pytest.mark.parametrize("body, expected", [
    ("1", 1), ("5", 5), (" 4\n", 4), ("\t3 ", 3),
    ("0", None), ("6", None), ("45", None), ("4.", None), ("4/5", None), ("great thanks", None), ("", None),
    ("４", None), ("٤", None), ("one", None), ("4 stars", None),
])
def test_only_one_digit_from_1_to_5_is_an_answer(body, expected):
    assert score(closed(), workstream(), body, SENT + timedelta(minutes=5)) == expected


def test_an_answer_counts_inside_the_window_only():
    assert score(closed(), workstream(), "4", SENT) == 4
    assert score(closed(), workstream(), "4", SENT + timedelta(minutes=60)) == 4
    assert score(closed(), workstream(), "4", SENT + timedelta(minutes=60, seconds=1)) is None


def test_a_conversation_answers_once():
    assert score(closed(csat=3, csat_at=SENT), workstream(), "4", SENT + timedelta(minutes=1)) is None


@pytest.mark.parametrize("case", ["no survey sent", "link mode", "survey disabled", "live conversation",
                                  "another workstream", "no workstream", "no conversation"])
def test_nothing_else_answers(case):
    conversation, ws = closed(), workstream()
    if case == "no survey sent":
        conversation = closed(survey_sent_at=None)
    elif case == "link mode":
        ws = workstream(replace(QUESTION, mode="link", text="{{link}}", url="https://s.example.com"))
    elif case == "survey disabled":
        ws = workstream(replace(QUESTION, enabled=False))
    elif case == "live conversation":
        conversation = replace(conversation, state="open", closed_at=None)
    elif case == "another workstream":
        ws = workstream(workstream_id="w2")
    elif case == "no workstream":
        ws = None
    elif case == "no conversation":
        conversation = None
    assert score(conversation, ws, "4", SENT + timedelta(minutes=1)) is None


def test_an_answer_is_kept_with_when_it_came_and_the_customer_wrote():
    at = SENT + timedelta(minutes=2)
    kept = answered(closed(), 4, at, at - timedelta(seconds=3))
    assert (kept.facts.csat, kept.facts.csat_at, kept.facts.survey_sent_at) == (4, at, SENT)
    assert kept.last_customer_message_at == at - timedelta(seconds=3)
    assert (kept.state, kept.closed_at, kept.last_activity_at) == ("closed", SENT, SENT)


@pytest.mark.parametrize("choice, body, expected", [
    (Choice("4", "Good"), "Good", 4),  # its id
    (Choice("great", "5"), "5", 5),  # else its title, the text it came with
    (Choice("1", "5"), "5", 1),  # the id first
    (Choice("good", "Good"), "Good", None),
    (Choice("45", "4 stars"), "4 stars", None),
])
def test_a_chosen_option_scores_by_its_id_else_its_title(choice, body, expected):
    assert score(closed(), workstream(), body, SENT + timedelta(minutes=5), choice) == expected
