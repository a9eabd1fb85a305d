"""The bot stage on real storage, with the stand-in Direct Line and a recording Twilio: the
wait's timers row reads late answers, hands off a silent bot's conversation when its time
is up, and is gone once nothing waits; activities read twice are sent once."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Iterator

import pytest

from core.errors import NotFound
from core.ports import Deadline
from core.records import Media
from storage.deadlines import DeadlineStore
from tests.support.desk import Desk, customer
from tests.support.directline import SECRET, StandInBot
from tests.support.recorder import recording
from tests.support.twilio import ACCOUNT_SID, BUSINESS, account_body, inbound, message_created

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


@pytest.fixture
def bot() -> Iterator[StandInBot]:
    with recording() as recorder:
        yield StandInBot(recorder)


@pytest.fixture
def desk(make_services, settings_env, bot, twilio_api, clock) -> Desk:
    settings_env.update(DIRECTLINE_BASE_URL=bot.recorder.base_url, TWILIO_API_BASE_URL=twilio_api.base_url)
    sids = itertools.count(1)
    twilio_api.on("POST", MESSAGES, lambda _r: message_created(f"SM{next(sids):032d}"))
    services = make_services()
    account = services.admin.accounts.create(account_body())
    workstream = services.admin.workstreams.create({
        "name": "Bots", "account_id": account.id, "number": BUSINESS, "queues": ["general"],
        "default_queue": "general", "bot": {"secret": SECRET, "answer_timeout_seconds": 30},
        "attachments": {"customers_can_send": True}})
    return Desk(services, account, workstream.id, clock)


def bot_rows(desk: Desk) -> list[Deadline]:
    timers = DeadlineStore(desk.services.stores.storage, "timers")
    return [d for d in timers.due(desk.clock.now.replace(year=2100), 100) if d.key.startswith("bot|")]


def test_a_silent_bot_is_read_again_until_its_time_is_up(desk, clock, twilio_api):
    conversation_id = desk.customer_writes(customer(1), body="silent")
    assert desk.conversation(conversation_id).stage == "bot" and len(bot_rows(desk)) == 1
    clock.advance(seconds=11)
    assert desk.services.clockwork.run() == {"bot": 1}
    assert desk.conversation(conversation_id).stage == "bot"  # read again, still silent: the row moved on
    clock.advance(seconds=20)
    assert desk.services.clockwork.run() == {"bot": 1}
    handed = desk.conversation(conversation_id)
    assert handed.stage is None and handed.handoff.reason == "timeout" and handed.queued
    assert bot_rows(desk) == [] and twilio_api.calls("POST", MESSAGES) == []


def test_an_answered_message_leaves_no_row_and_activities_read_again_are_sent_once(desk, bot, twilio_api, clock):
    conversation_id = desk.customer_writes(customer(2), body="Hello")
    assert len(twilio_api.calls("POST", MESSAGES)) == 1
    conversation = desk.conversation(conversation_id)
    assert conversation.bot.waiting_since is None and conversation.bot.watermark == "2"
    bot.replay = True  # Direct Line answers every activity again, as after a lost watermark
    desk.customer_writes(customer(2), body="Hello again")
    assert [r.form["Body"][0] for r in twilio_api.calls("POST", MESSAGES)] == ["You said: Hello",
                                                                               "You said: Hello again"]
    clock.advance(seconds=11)
    desk.services.clockwork.run()
    assert bot_rows(desk) == []


def test_a_message_the_bot_never_got_is_handed_off_by_its_row_while_direct_line_is_down(desk, bot, clock):
    bot.down = True
    conversation_id = desk.customer_writes(customer(3), body="Hello")
    assert desk.conversation(conversation_id).stage == "bot"
    clock.advance(seconds=31)
    desk.services.clockwork.run()
    assert desk.conversation(conversation_id).handoff.reason == "timeout"


def test_the_direct_line_secret_is_sealed_at_rest(desk):
    table = desk.services.stores.storage.table("workstreams")
    stored = table.get_entity("workstream", desk.workstream_id)
    assert SECRET not in str(dict(stored)) and stored["BotSecret"]
    assert desk.services.distribution.lookup.workstream(desk.workstream_id).bot.secret == SECRET


def test_a_media_link_names_one_attachment_and_expires(desk, clock):
    picture = Media(url=f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM1/Media/ME1",
                    content_type="image/png")
    message = replace(inbound(desk.account.id, "SM" + "8" * 32, body="Receipt"), media=(picture,))
    conversation = desk.conversation(desk.services.messaging.ingest.message(desk.account, message).conversation_id)
    media = desk.services.messaging.bot_media
    [link] = media.links("https://sb.example/api", conversation, conversation.messages[0])
    path, query = link.split("?")
    *_, conversation_id, seq, index = path.split("/")
    expires, sig = (part.split("=")[1] for part in query.split("&"))
    assert conversation_id == conversation.id and (seq, index) == ("1", "0")
    tampered = sig[:-1] + ("1" if sig.endswith("0") else "0")  # always another signature (one in 16 ends in 0)
    for wrong in ((conversation_id, 1, 1, expires, sig), (conversation_id, 1, 0, str(int(expires) + 1), sig),
                  (conversation_id, 1, 0, expires, tampered)):
        with pytest.raises(NotFound):
            media.fetch(*wrong)
    clock.advance(minutes=61)
    with pytest.raises(NotFound):
        media.fetch(conversation_id, 1, 0, expires, sig)
    assert media.links(None, conversation, conversation.messages[0]) == [picture.url]
