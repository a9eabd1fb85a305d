"""The bot stage's decisions without I/O: bot settings as admins give them, keywords,
what the bot is told of the customer, replies split to the channel's limit, and what a
handoff event carries."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from conversations.bots import stage as bot_stage
from conversations.bots.settings import parse_bot
from core.bots import BOT, Activity, BotContext, BotSettings
from core.errors import ValidationFailed
from core.messages import Validation
from core.records import Contact, Conversation

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)


class Line:
    def __init__(self, valid: bool = True) -> None:
        self.valid, self.checked = valid, []

    def validate(self, secret: str) -> Validation:
        self.checked.append(secret)
        return Validation(self.valid, "Direct Line refused the secret (HTTP 403)")


def conversation(**changes) -> Conversation:
    c = Conversation(id="c1", state="open", channel="sms", provider="twilio", account_id="a", workstream_id="w",
                     customer="+12065550100", business="+14252306549", agent=None, created_at=NOW,
                     last_activity_at=NOW, last_customer_message_at=NOW, auto_close_after_minutes=60)
    return bot_stage.enter(c, NOW) if changes.pop("bot", True) else c


def test_a_new_secret_is_checked_once_and_a_refused_one_names_its_field():
    line = Line()
    bot = parse_bot({"secret": "s3cret", "handoff_keywords": ["Agent", "person"]}, None, line)
    assert line.checked == ["s3cret"] and bot.handoff_keywords == ("agent", "person")
    same = parse_bot({"answer_timeout_seconds": 120}, bot, line)
    assert line.checked == ["s3cret"] and same.secret == "s3cret" and same.answer_timeout_seconds == 120
    with pytest.raises(ValidationFailed) as refused:
        parse_bot({"secret": "wrong"}, bot, Line(valid=False))
    assert refused.value.field == "bot.secret"
    assert parse_bot(None, bot, line) is None


@pytest.mark.parametrize("value, field", [
    ({}, "bot.secret"), ({"secret": "s", "colour": 1}, "bot.colour"),
    ({"secret": "s", "answer_timeout_seconds": 5}, "bot.answer_timeout_seconds"),
    ({"secret": "s", "context": {"customer_number": "shown"}}, "bot.context.customer_number"),
    ({"secret": "s", "handoff_keywords": [""]}, "bot.handoff_keywords"), ("yes", "bot"),
])
def test_bad_bot_settings_name_their_field(value, field):
    with pytest.raises(ValidationFailed) as refused:
        parse_bot(value, None, Line())
    assert refused.value.field == field


def test_a_keyword_alone_hands_off_and_a_sentence_waits_for_the_bot():
    bot = BotSettings("s")
    waiting = conversation()
    handed, waits = bot_stage.after_customer(waiting, bot, "Human!", NOW)
    assert handed.stage is None and handed.handoff.reason == "keyword" and handed.queued_at == NOW and not waits
    kept, waits = bot_stage.after_customer(waiting, bot, "is a human there?", NOW)
    assert kept.stage == BOT and not waits  # it already waits since the conversation opened
    removed, _ = bot_stage.after_customer(waiting, None, "hello", NOW)
    assert removed.handoff.reason == "bot_removed"


def test_a_first_message_that_is_a_keyword_hands_off_at_once():
    bot, new = BotSettings("s"), conversation(bot=False)
    handed, waits = bot_stage.opening(new, bot, "Agent!", NOW)
    assert handed.stage is None and handed.handoff.reason == "keyword" and handed.queued_at == NOW and not waits
    asked, waits = bot_stage.opening(new, bot, "Where is my agent?", NOW)
    assert asked.stage == BOT and asked.bot.waiting_since == NOW and waits


def test_the_bot_is_told_what_the_workstream_allows_and_never_the_number_unless_full():
    contact = Contact("k", "+12065550100", "Ana", {"tier": "gold", "secret": "x"}, NOW, NOW)
    bot = BotSettings("s", context=BotContext(customer_number="masked", contact_fields=("tier",)))
    context = bot_stage.context_of(conversation(), bot, contact, "en-US")
    assert context == {"conversation_id": "c1", "channel": "sms", "customer_number": "+12*******00",
                       "language": "en-US", "contact": {"tier": "gold"}}
    hidden = BotSettings("s", context=BotContext(channel=False, customer_number="none", language=False))
    assert bot_stage.context_of(conversation(), hidden, None, "en-US") == {"conversation_id": "c1"}
    assert "+1206" not in bot_stage.user_id("c1")


def test_long_replies_are_split_at_whitespace_and_attachments_follow_the_channel():
    text = "word " * 700
    parts = bot_stage.replies(Activity("1", "message", "bot", text=text), "twilio", "sms")
    assert [len(body) <= 1600 for body, _ in parts] == [True, True, True]
    assert " ".join(body for body, _ in parts).split() == text.split()
    image = {"contentType": "image/png", "contentUrl": "https://example.com/a.png"}
    card = {"contentType": "application/vnd.microsoft.card.hero", "content": {"title": "Plans", "text": "Pick one"}}
    [(body, media)] = bot_stage.replies(Activity("2", "message", "bot", text="Here", attachments=(image, card)),
                                        "twilio", "sms")
    assert body == "Here\n\nPlans\nPick one" and media[0].url == image["contentUrl"]
    [(_, none)] = bot_stage.replies(Activity("3", "message", "bot", text="Here", attachments=(image,)), "acs", "sms")
    assert none == ()
    assert bot_stage.replies(Activity("4", "message", "bot"), "twilio", "sms") == []


def test_a_handoff_event_keeps_its_summary_context_and_transcript_bounded():
    transcript = [{"from": {"role": "user"}, "text": "help"}, {"from": {"role": "bot"}, "text": "x" * 900}]
    event = Activity("5", "event", "bot", name="handoff.initiate", value={"summary": "Late order", "order": "42"},
                     attachments=({"name": "Transcript", "content": transcript},))
    summary, context, lines = bot_stage.handoff_of(event)
    assert summary == "Late order" and context == {"order": "42"}
    assert [line["from"] for line in lines] == ["customer", "bot"] and len(lines[1]["text"]) == 500
    copilot = Activity("7", "event", "bot", name="handoff.initiate", value={"va_AgentMessage": "Benefits question"})
    assert bot_stage.handoff_of(copilot)[:2] == ("Benefits question", {"va_AgentMessage": "Benefits question"})
    huge = Activity("6", "event", "bot", name="handoff.initiate", value={"blob": "y" * 5000})
    assert bot_stage.handoff_of(huge)[1] == {"truncated": True}
