"""What an operator sees, for the tests that look: the app wired with OpenTelemetry into
memory (the ``watch`` fixture of tests/integration/conftest.py), what it recorded
(``Watched``), and the check that nothing recorded holds a body, a number or a secret."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from core import telemetry as names
from telemetry.otel import IdsOnLogs
from tests.support.twilio import AUTH_TOKEN, BUSINESS, CUSTOMER

BASE = "https://sb.example.com"
PRINCIPAL = base64.b64encode(json.dumps({"auth_typ": "aad", "claims": [
    {"typ": "oid", "val": "5d2a1c0f-9e3b-4f7a-8c6d-2b1e0a9f8c7d"}, {"typ": "name", "val": "Ada"},
    {"typ": "roles", "val": "Switchboard.Admin"}, {"typ": "roles", "val": "Switchboard.Agent"}],
    "name_typ": "name", "role_typ": "roles"}).encode()).decode()


class Watched:
    """The app wired with telemetry into memory, and what it recorded."""

    def __init__(self, services: Any, spans: InMemorySpanExporter, reader: InMemoryMetricReader,
                 logs: list[logging.LogRecord]) -> None:
        self.services, self.exporter, self.reader, self.logs = services, spans, reader, logs

    def spans(self, name: str | None = None) -> list:
        return [s for s in self.exporter.get_finished_spans() if name is None or s.name == name]

    def span(self, name: str):
        [found] = self.spans(name)
        return found

    def points(self, name: str) -> list:
        data = self.reader.get_metrics_data()
        return [point for rm in (data.resource_metrics if data else ()) for sm in rm.scope_metrics
                for metric in sm.metrics if metric.name == name for point in metric.data.data_points]

    def counted(self, name: str, **attributes: str) -> int:
        return sum(p.value for p in self.points(name) if attributes.items() <= dict(p.attributes).items())


class Capture(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.into = into
        self.addFilter(IdsOnLogs())

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)


def nothing_private(watched: Watched, *secrets: str) -> None:
    """No span name or attribute, metric attribute or log line holds a body, a phone number
    (in any of its spellings) or a credential."""
    private = (CUSTOMER, CUSTOMER[1:], BUSINESS, AUTH_TOKEN, watched.services.settings.sealing_keys[0], *secrets)
    seen = [span.name for span in watched.spans()]
    seen += [str(value) for span in watched.spans() for value in span.attributes.values()]
    seen += [str(event.attributes) for span in watched.spans() for event in span.events]
    seen += [str(span.status.description) for span in watched.spans()]
    data = watched.reader.get_metrics_data()
    seen += [str(dict(point.attributes)) for rm in (data.resource_metrics if data else ()) for sm in rm.scope_metrics
             for metric in sm.metrics for point in metric.data.data_points]
    seen += [record.getMessage() for record in watched.logs]
    seen += [str(value) for record in watched.logs for key, value in vars(record).items() if key in names.IDS]
    leaks = [text for text in seen if any(secret in text for secret in private)]
    assert not leaks
