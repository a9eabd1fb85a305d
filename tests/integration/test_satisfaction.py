"""In-channel satisfaction on real storage (Azurite) with a clock the test moves and a
recording stand-in for Twilio: the answer to the survey question is kept once in the
closed conversation and thanked once; anything else opens a new conversation."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from channels.twilio_api import TwilioSender
from conversations.distribution.inboxes import Query
from tests.support.scopes import ALICE
from tests.support.storage import RoundTrips
from tests.support.twilio import BUSINESS, MESSAGES_PATH, account_body, inbound

BASE = "https://sb.example.com"
QUESTION = {"enabled": True, "mode": "question", "text": "How did we do? Reply 1 to 5", "window_minutes": 60,
            "thanks": "Thanks for your answer!"}


@pytest.fixture
def desk(make_services, provider):
    """A workstream whose survey asks its question, and a conversation it just closed."""
    trips = RoundTrips()
    services = make_services(senders={"twilio": TwilioSender(provider.base_url)}, request_hooks=[trips])
    account = services.admin.accounts.create(account_body())
    services.admin.workstreams.create({"name": "Support", "channel": "sms", "account_id": account.id,
                                      "number": BUSINESS, "survey": QUESTION})
    cid = services.messaging.ingest.message(account, inbound(account.id, "SM1", "my order is late"), BASE).conversation_id
    services.messaging.actions.close(cid, ALICE, BASE)
    return services, account, cid, trips


def sent(provider) -> list[str]:
    return [r.form["Body"][0] for r in provider.calls("POST", MESSAGES_PATH)]


def conversations(services) -> list:
    return services.distribution.inboxes.page(ALICE, Query(), 100).conversations


def test_an_answer_is_kept_in_the_closed_conversation_and_thanked(desk, provider, clock):
    services, account, cid, _ = desk
    assert sent(provider) == ["How did we do? Reply 1 to 5"]
    clock.advance(minutes=5)
    answer = services.messaging.ingest.message(account, inbound(account.id, "SM2", " 4 "), BASE)
    assert answer.conversation_id == cid and not answer.duplicate
    assert sent(provider) == ["How did we do? Reply 1 to 5", "Thanks for your answer!"]
    closed = services.messaging.actions.get(cid, ALICE)
    assert (closed.state, closed.facts.csat, closed.facts.csat_at) == ("closed", 4, clock.now)
    assert [(m.direction, m.body, m.automated) for m in closed.messages][-3:] == [
        ("outbound", "How did we do? Reply 1 to 5", "survey"), ("inbound", " 4 ", None),
        ("outbound", "Thanks for your answer!", "survey_thanks")]
    assert [c.id for c in conversations(services)] == [cid]


def test_the_answer_is_one_read_and_one_write_of_its_thread_before_the_thanks(desk, clock, monkeypatch):
    services, account, cid, trips = desk
    thanked = []
    monkeypatch.setattr(services.messaging.ingest, "_outbox",
                        type("Outbox", (), {"automated": lambda _s, *args: thanked.append(args[:2])})())
    trips.reset()
    services.messaging.ingest.message(account, inbound(account.id, "SM2", "5"), BASE)
    read, write, *reactions = trips.paths  # what reacts to it (a report's fact row) may follow
    assert read.startswith("GET") and "Threads(" in read and write.endswith("$batch"), trips.paths
    lists = [p for p in reactions if "Inbox" in p and "RowKey='f%7C" not in p]  # the fact row lies in the inbox table
    assert not any("Threads" in p for p in reactions) and not lists, trips.paths
    assert thanked == [(cid, "survey_thanks")]


def test_a_second_delivery_of_the_answer_is_a_duplicate(desk, provider, clock):
    services, account, cid, _ = desk
    clock.advance(minutes=1)
    first = services.messaging.ingest.message(account, inbound(account.id, "SM2", "4"), BASE)
    again = services.messaging.ingest.message(account, inbound(account.id, "SM2", "4"), BASE)
    assert not first.duplicate and again.duplicate
    assert sent(provider).count("Thanks for your answer!") == 1
    assert services.messaging.actions.get(cid, ALICE).facts.csat == 4
    assert len(conversations(services)) == 1


def test_the_answer_delivered_five_times_at_once_is_kept_and_thanked_once(desk, provider, clock):
    services, account, cid, _ = desk
    with ThreadPoolExecutor(5) as pool:
        results = list(pool.map(lambda _: services.messaging.ingest.message(account, inbound(account.id, "SMd", "2"),
                                                                            BASE), range(5)))
    assert sum(not r.duplicate for r in results) == 1
    assert sent(provider).count("Thanks for your answer!") == 1
    closed = services.messaging.actions.get(cid, ALICE)
    assert closed.facts.csat == 2 and [m.body for m in closed.messages].count("2") == 1
    assert len(conversations(services)) == 1


def test_an_answer_after_the_window_opens_a_new_conversation(desk, provider, clock):
    services, account, cid, _ = desk
    clock.advance(minutes=60, seconds=1)
    late = services.messaging.ingest.message(account, inbound(account.id, "SM2", "4"), BASE)
    assert late.conversation_id != cid
    assert services.messaging.actions.get(cid, ALICE).facts.csat is None
    assert services.messaging.actions.get(late.conversation_id, ALICE).state == "open"
    assert "Thanks for your answer!" not in sent(provider)


@pytest.mark.parametrize("body", ["great thanks", "0", "6", "45", "4 stars"])
def test_anything_but_a_score_opens_a_new_conversation(desk, provider, body):
    services, account, cid, _ = desk
    other = services.messaging.ingest.message(account, inbound(account.id, "SM2", body), BASE)
    assert other.conversation_id != cid
    assert services.messaging.actions.get(cid, ALICE).facts.csat is None
    assert sent(provider) == ["How did we do? Reply 1 to 5"]


def test_only_the_first_answer_counts(desk, provider):
    services, account, cid, _ = desk
    services.messaging.ingest.message(account, inbound(account.id, "SM2", "3"), BASE)
    second = services.messaging.ingest.message(account, inbound(account.id, "SM3", "5"), BASE)
    assert second.conversation_id != cid
    assert services.messaging.actions.get(cid, ALICE).facts.csat == 3
    assert sent(provider).count("Thanks for your answer!") == 1


def test_a_link_survey_keeps_no_answer(make_services, provider):
    services = make_services(senders={"twilio": TwilioSender(provider.base_url)})
    account = services.admin.accounts.create(account_body())
    services.admin.workstreams.create({"name": "Support", "channel": "sms", "account_id": account.id, "number": BUSINESS,
                                      "survey": {"enabled": True, "text": "Rate us: {{link}}",
                                                 "url": "https://survey.example.com/s/1"}})
    cid = services.messaging.ingest.message(account, inbound(account.id, "SM1"), BASE).conversation_id
    services.messaging.actions.close(cid, ALICE, BASE)
    other = services.messaging.ingest.message(account, inbound(account.id, "SM2", "4"), BASE)
    assert other.conversation_id != cid
    assert services.messaging.actions.get(cid, ALICE).facts.csat is None
    assert sent(provider) == ["Rate us: https://survey.example.com/s/1"]
