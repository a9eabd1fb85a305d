"""What the services tell operators: counters, measurements and events named here, each
with attributes that are ids, provider names and (events) measures only (never a body, a
phone number or a secret). The adapter that exports them (Application Insights through
OpenTelemetry) is given to the services as a core.ports.Telemetry; without one, nothing
is recorded."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

# Counters (attributes in brackets)
MESSAGES_IN = "switchboard.messages.in"  # [provider, channel]
MESSAGES_OUT = "switchboard.messages.out"  # [provider, channel, kind: reply|template|automated|proactive]
SEND_FAILURES = "switchboard.sends.failed"  # [provider, code: the provider's, or ours]
SEND_RETRIES = "switchboard.sends.retried"  # [provider]
SENDS_POISONED = "switchboard.sends.poisoned"  # [provider]
# A try whose answer was lost, settled: [provider, outcome: found (it had gone out) | resent]
SENDS_IN_DOUBT = "switchboard.sends.in_doubt"
SWEEP_DUE = "switchboard.sweep.due"  # []
SWEEP_CLOSED = "switchboard.sweep.closed"  # []
SLA_WARNINGS = "switchboard.sla.warnings"  # service-level warnings recorded [target]
SLA_BREACHES = "switchboard.sla.breaches"  # service-level breaches recorded [target]
PUBLISHES = "switchboard.live.published"  # live updates sent to Web PubSub (one per audience) []
PUBLISH_FAILURES = "switchboard.live.failed"  # changes whose live updates could not all be sent []
READ_RECEIPT_FAILURES = "switchboard.read_receipts.failed"  # an opening's read call that failed [provider, code]

# Measurements (histograms)
WEBHOOK_DURATION = "switchboard.webhook.duration"  # ms [provider, function, status_code]
OUTBOX_DEPTH = "switchboard.outbox.depth"  # jobs in the outbox queue, read by the distribution timer []
OUTBOX_AGE = "switchboard.outbox.age"  # s: the oldest job waiting to be run []
UNITS = {WEBHOOK_DURATION: "ms", OUTBOX_DEPTH: "{job}", OUTBOX_AGE: "s"}

# Spans: the edge opens one per invocation, named for its function, with ``trigger``
# (http, queue or timer) and the ids it has; these go around calls that leave the process.
STORAGE = "storage"  # "storage.<port>.<method>", around each call of a storage adapter
PROVIDER = "provider"  # "provider.<api>.<method>", around each call of a provider's API (Direct Line)
PROVIDER_SEND = "provider.send"  # [provider, message_id]

# Custom events (rows of customEvents in Application Insights), their attributes ids and
# measures (customDimensions). A conversation that closed, with its facts: [conversation_id,
# workstream_id, queue, channel, provider, closed_by, agent_id, wait_seconds,
# first_response_seconds, handle_seconds, resolution_seconds, answered, abandoned,
# bot_resolved, transfers, customer_messages, agent_messages, csat, and its service-level
# clocks met and breached per target (core/facts.py SLA_COUNTS): sla_first_response_met,
# sla_first_response_breached, sla_next_response_met, sla_next_response_breached,
# sla_resolution_met, sla_resolution_breached]; a survey answer that arrived after its
# conversation closed: the same, its csat set (the latest answer of a conversation counts).
CONVERSATION_CLOSED = "switchboard.conversation.closed"
CONVERSATION_RATED = "switchboard.conversation.rated"

# The ids spans and logs carry, as attribute names (each a value, never the thing itself)
IDS = ("account_id", "conversation_id", "message_id", "provider_message_id", "event_id", "job_id")


class NoTelemetry:
    """Records nothing: the default, and what tests get unless they watch."""

    def count(self, name: str, value: int = 1, **attributes: str) -> None:
        return None

    def record(self, name: str, value: float, **attributes: str) -> None:
        return None

    @contextmanager
    def span(self, name: str, **attributes: str) -> Iterator[None]:
        yield

    def tag(self, **attributes: str) -> None:
        return None

    def event(self, name: str, **attributes: str | int | float | bool | None) -> None:
        return None
