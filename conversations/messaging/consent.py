"""Opt-out consent: which customer messages are keywords, and what they do to consent.

Consent is kept per thread (one customer on one business number). A customer message
that is exactly a stop keyword opts the customer out; a start keyword opts them back in;
HELP changes nothing but is flagged. Providers that read keywords themselves (Twilio's
``OptOutType``, TeleSign's ``action``) pass their reading on, and it wins over ours.
Every send path checks ``ensure_reachable`` before anything leaves.
"""

from __future__ import annotations

from datetime import datetime

from core.errors import RecipientOptedOut
from core.records import OPTED_IN, OPTED_OUT, Consent, Conversation

STOP, START, HELP = "stop", "start", "help"
KEYWORDS = (STOP, START, HELP)

# Words a whole message must be (case and surrounding spaces ignored) to count.
_WORDS = {
    **dict.fromkeys(("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"), STOP),
    **dict.fromkeys(("START", "YES", "UNSTOP"), START),
    "HELP": HELP,
}

# Words that say nothing but consent, so they count on a button or list option too (a
# template's "STOP" quick reply); everyday words ("Cancel", "End", "Yes") count typed only.
_CHOSEN_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "REVOKE", "OPTOUT", "START", "UNSTOP"}

# What changed consent last (Consent.source).
CUSTOMER_KEYWORD = "customer_keyword"  # the message text is a keyword
PROVIDER_KEYWORD = "provider_keyword"  # the provider flagged the message as a keyword
PROVIDER_ERROR = "provider_error"  # the provider refused a send: the recipient opted out


def keyword_of(body: str, provider_keyword: str | None = None, chosen: bool = False) -> tuple[str | None, str | None]:
    """The keyword a customer message carries and who recognised it, or (None, None).
    ``chosen``: the message is an option picked from buttons or a list, an answer ("Cancel"
    the appointment) unless its title is a word that means consent alone (STOP)."""
    if provider_keyword in KEYWORDS:
        return provider_keyword, PROVIDER_KEYWORD
    word = body.strip().upper()
    keyword = None if chosen and word not in _CHOSEN_WORDS else _WORDS.get(word)
    return (keyword, CUSTOMER_KEYWORD) if keyword else (None, None)


def after_keyword(current: Consent, keyword: str | None, source: str | None, at: datetime) -> Consent:
    """Consent once a customer message with ``keyword``, written ``at``, is in: the
    customer's latest word decides, whatever order deliveries arrive in (Event Grid keeps
    none), so a keyword written before the last one counted changes nothing, and one that
    repeats the state still counts as that latest word (else a START written between two
    STOPs, delivered last, would opt in a customer whose last word was STOP)."""
    target = {STOP: OPTED_OUT, START: OPTED_IN}.get(keyword or "")
    if target is None or (current.changed_at is not None and at < current.changed_at):
        return current
    if at == current.changed_at and current.state == OPTED_OUT:
        return current  # a STOP and a START written at once: the opt-out stands
    return Consent(state=target, changed_at=at, source=source)


def opted_out(current: Consent, source: str, at: datetime) -> Consent:
    return current if current.state == OPTED_OUT else Consent(state=OPTED_OUT, changed_at=at, source=source)


def ensure_reachable(conversation: Conversation) -> None:
    """Raise RecipientOptedOut (409) when the customer opted out on this business number."""
    if conversation.consent.state == OPTED_OUT:
        raise RecipientOptedOut(
            f"the customer opted out of messages from {conversation.business}; nothing was sent. "
            "They opt back in by sending START."
        )
