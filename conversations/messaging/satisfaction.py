"""In-channel satisfaction (CSAT): a customer's answer to the survey question their closed
conversation ended with. Pure: ingest (conversations/messaging/ingest.py) asks ``score``
of every customer message on a closed thread, and when it answers, keeps the message in
the closed conversation as ``answered`` has it, thanks the customer and opens nothing.

A message is an answer when its conversation's workstream asks its survey as a question
(core/settings.py ``Survey.asks``), the survey went out (``facts.survey_sent_at``), the
message comes within the survey's ``window_minutes`` of it, the conversation has no
answer yet, and the message is exactly one digit from 1 to 5 (spaces around it aside).
When the survey offered reply buttons or a list, the option a customer chose answers by its
id when that is such a digit, else by its title (the message's text), as if typed: options
with ids "1" to "5" score whatever their titles say. Anything else opens a new
conversation, as any message on a closed thread does.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from core.content import Choice
from core.facts import CSAT_SCORES
from core.records import CLOSED, Conversation, Workstream

_ANSWERS = {str(n): n for n in CSAT_SCORES}


def score(conversation: Conversation | None, workstream: Workstream | None, body: str,
          at: datetime, choice: Choice | None = None) -> int | None:
    """The score a customer message (``body``, arriving ``at``; ``choice``: the option it
    chose) gives the survey question of ``conversation``, the thread's latest, under
    ``workstream``, the number's; None when it is no answer to it."""
    if conversation is None or workstream is None or conversation.state != CLOSED:
        return None
    survey, facts = workstream.settings.survey, conversation.facts
    if conversation.workstream_id != workstream.id or not survey.asks:
        return None
    if facts.survey_sent_at is None or facts.csat is not None:
        return None
    if at - facts.survey_sent_at > timedelta(minutes=survey.window_minutes):
        return None
    typed = (choice.id, body) if choice else (body,)
    return next((_ANSWERS[t.strip()] for t in typed if t.strip() in _ANSWERS), None)


def answered(conversation: Conversation, score: int, at: datetime, wrote_at: datetime) -> Conversation:
    """The closed conversation with its answer: the score and when it came, and the
    customer's message as their latest (so the thanks may follow on WhatsApp)."""
    latest = conversation.last_customer_message_at
    return replace(conversation, facts=replace(conversation.facts, csat=score, csat_at=at),
                   last_customer_message_at=max(latest, wrote_at) if latest else wrote_at)
