"""What the services tell operators: counters and measurements named here, each with
attributes that are ids and provider names only (never a body, a phone number or a
secret). The adapter that exports them (Application Insights through OpenTelemetry) is
given to the services as a core.ports.Telemetry; without one, nothing is recorded."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

# Counters (attributes in brackets)
MESSAGES_IN = "switchboard.messages.in"  # [provider, channel]
MESSAGES_OUT = "switchboard.messages.out"  # [provider, channel, kind: reply|template|automated|proactive]
SEND_FAILURES = "switchboard.sends.failed"  # [provider, code: the provider's, or ours]
SEND_RETRIES = "switchboard.sends.retried"  # [provider]
SENDS_POISONED = "switchboard.sends.poisoned"  # [provider]
SWEEP_DUE = "switchboard.sweep.due"  # []
SWEEP_CLOSED = "switchboard.sweep.closed"  # []


class NoTelemetry:
    """Records nothing: the default, and what tests get unless they watch."""

    def count(self, name: str, value: int = 1, **attributes: str) -> None:
        return None

    def record(self, name: str, value: float, **attributes: str) -> None:
        return None

    @contextmanager
    def span(self, name: str, **attributes: str) -> Iterator[None]:
        yield
