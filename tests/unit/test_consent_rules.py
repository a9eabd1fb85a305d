"""The opt-out keyword rules (pure)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from conversations.messaging.consent import (
    CUSTOMER_KEYWORD, PROVIDER_ERROR, PROVIDER_KEYWORD, after_keyword, ensure_reachable, keyword_of, opted_out,
)
from core.errors import RecipientOptedOut
from core.records import OPTED_IN, OPTED_OUT, Consent, Conversation

AT = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("body", ["STOP", "stop", "  Stop  ", "STOPALL", "unsubscribe", "Cancel", "END", "quit",
                                  "revoke", "OptOut", "\tstop\n"])
def test_stop_keywords_are_whole_messages_in_any_case(body):
    assert keyword_of(body) == ("stop", CUSTOMER_KEYWORD)


@pytest.mark.parametrize("body", ["START", " yes ", "Unstop"])
def test_start_keywords(body):
    assert keyword_of(body) == ("start", CUSTOMER_KEYWORD)


def test_help_is_a_keyword_that_changes_nothing():
    assert keyword_of(" Help ") == ("help", CUSTOMER_KEYWORD)
    assert after_keyword(Consent(), "help", CUSTOMER_KEYWORD, AT) == Consent()


@pytest.mark.parametrize("body", ["please stop", "STOP!", "stop it", "", "yes please", "s t o p", "HELP ME"])
def test_anything_else_is_an_ordinary_message(body):
    assert keyword_of(body) == (None, None)


def test_the_providers_reading_wins():
    assert keyword_of("arret", "stop") == ("stop", PROVIDER_KEYWORD)
    assert keyword_of("STOP", "start") == ("start", PROVIDER_KEYWORD)
    assert keyword_of("STOP", "generic") == ("stop", CUSTOMER_KEYWORD)


@pytest.mark.parametrize(("title", "keyword"), [("Cancel", None), ("End", None), ("Quit", None), ("Yes", None),
                                                ("STOP", "stop"), ("Unsubscribe", "stop"), ("Start", "start")])
def test_an_option_picked_is_a_keyword_only_when_its_title_means_consent_alone(title, keyword):
    assert keyword_of(title, None, chosen=True)[0] == keyword


def test_stop_then_start_flips_consent_and_records_when_and_why():
    out = after_keyword(Consent(), "stop", CUSTOMER_KEYWORD, AT)
    assert out == Consent(OPTED_OUT, AT, CUSTOMER_KEYWORD)
    again = after_keyword(out, "stop", PROVIDER_KEYWORD, AT.replace(hour=10))  # the latest word, though no change
    assert again == Consent(OPTED_OUT, AT.replace(hour=10), PROVIDER_KEYWORD)
    assert after_keyword(again, "start", CUSTOMER_KEYWORD, AT.replace(hour=9, minute=30)) is again  # written before it
    back = after_keyword(again, "start", PROVIDER_KEYWORD, AT.replace(hour=11))
    assert back == Consent(OPTED_IN, AT.replace(hour=11), PROVIDER_KEYWORD)


def test_a_refused_send_opts_out_once():
    out = opted_out(Consent(), PROVIDER_ERROR, AT)
    assert out == Consent(OPTED_OUT, AT, PROVIDER_ERROR)
    assert opted_out(out, PROVIDER_ERROR, AT.replace(hour=12)) is out


def test_sending_to_an_opted_out_customer_is_refused():
    conversation = Conversation(
        id="c", state="open", channel="sms", provider="twilio", account_id="a", workstream_id=None,
        customer="+15017122661", business="+14252306549", agent=None, created_at=AT, last_activity_at=AT,
        last_customer_message_at=AT, auto_close_after_minutes=480,
    )
    ensure_reachable(conversation)
    with pytest.raises(RecipientOptedOut) as refused:
        ensure_reachable(Conversation(**{**conversation.__dict__, "consent": Consent(OPTED_OUT, AT, "x")}))
    assert (refused.value.status, refused.value.code) == (409, "recipient_opted_out")


def test_a_stop_and_a_start_written_at_once_leave_the_customer_opted_out():
    out = after_keyword(Consent(), "stop", CUSTOMER_KEYWORD, AT)
    assert after_keyword(out, "start", CUSTOMER_KEYWORD, AT) is out
    assert after_keyword(after_keyword(Consent(), "start", CUSTOMER_KEYWORD, AT), "stop", CUSTOMER_KEYWORD, AT) == out
