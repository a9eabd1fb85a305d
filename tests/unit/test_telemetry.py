"""Telemetry is off without a connection string and on, once per process, with one; route
values become span attributes only when shaped like our ids; a traced adapter's spans
carry the method's name, never its arguments; an event is a log record of ours that the
Azure Monitor exporter sends as a custom event with exactly the attributes it was given."""

from __future__ import annotations

import logging
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import azure.functions as func
from azure.monitor.opentelemetry.exporter._constants import _MICROSOFT_CUSTOM_EVENT_NAME
from azure.monitor.opentelemetry.exporter.export.logs._exporter import _convert_log_to_envelope
from opentelemetry.instrumentation.logging.handler import LoggingHandler
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from core import telemetry as names
from core.telemetry import NoTelemetry
from functions.settings import Settings
from functions.tracing import route_ids
from functions.wiring import telemetry_for
from telemetry.monitor import _credential
from telemetry.otel import CUSTOM_EVENT, IdsOnLogs, OpenTelemetry
from telemetry.traced import Traced

REPO = Path(__file__).resolve().parents[2]
RECORD_ID = "0123456789abcdef" * 2


def test_without_a_connection_string_nothing_is_recorded():
    assert isinstance(telemetry_for(Settings.from_env({})), NoTelemetry)


def test_with_one_the_distro_is_configured_once_exports_only_our_logs_and_instruments_nothing():
    probe = """
import logging
from azure.core.settings import settings as azure_sdk
from opentelemetry.instrumentation.requests import RequestsInstrumentor
from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor
from functions.settings import Settings
from functions.wiring import telemetry_for
from opentelemetry.instrumentation.logging.handler import LoggingHandler
settings = Settings.from_env({"APPLICATIONINSIGHTS_CONNECTION_STRING":
    "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/"})
first, second = telemetry_for(settings), telemetry_for(settings)
[handler] = [h for h in logging.getLogger().handlers if isinstance(h, LoggingHandler)]
ours = logging.LogRecord("conversations.messaging.delivery", logging.INFO, "x", 1, "m", (), None)
sdk = logging.LogRecord("azure.core.pipeline", logging.WARNING, "x", 1, "m", (), None)
event = logging.LogRecord("telemetry.events", logging.INFO, "x", 1, "switchboard.conversation.closed", (), None)
print(type(first).__name__, first is second, handler.filter(ours), handler.filter(sdk), handler.filter(event))
print(azure_sdk.tracing_implementation(), RequestsInstrumentor().is_instrumented_by_opentelemetry,
      URLLib3Instrumentor().is_instrumented_by_opentelemetry)
"""
    # Nothing may leave this machine: no statsbeat, no cloud resource detectors, a loopback endpoint.
    env = {"PATH": "/usr/bin:/bin", "OTEL_EXPERIMENTAL_RESOURCE_DETECTORS": "otel",
           "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL": "true"}
    run = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["OpenTelemetry", "True", "True", "False", "True", "None", "False", "False"]


def test_entra_ingestion_uses_the_identity_the_authentication_string_names():
    assert _credential(None) is None
    credential = _credential("ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD")
    assert type(credential).__name__ == "ManagedIdentityCredential"


def request(path: str, **route: str) -> func.HttpRequest:
    return func.HttpRequest("GET", f"https://sb.example.com{path}", route_params=route, body=b"")


def test_route_values_are_attributes_only_when_they_are_ids():
    assert route_ids(request(f"/api/admin/accounts/{RECORD_ID}", id=RECORD_ID)) == {"account_id": RECORD_ID}
    assert route_ids(request(f"/api/twilio/{RECORD_ID}/inbound", account_id=RECORD_ID)) == {"account_id": RECORD_ID}
    assert route_ids(request("/api/conversations/+15017122661", id="+15017122661")) == {}
    assert route_ids(request("/api/admin/contacts/15017122661", id="15017122661")) == {}


class Recording(NoTelemetry):
    def __init__(self) -> None:
        self.spans: list[tuple[str, dict]] = []

    @contextmanager
    def span(self, name: str, **attributes: str):
        self.spans.append((name, attributes))
        yield


class Store:
    table = "threads"

    def find(self, phone: str) -> str:
        return phone[::-1]


def test_a_traced_adapter_spans_each_call_by_name_alone():
    recording = Recording()
    store = Traced(Store(), "storage.contacts", recording)
    assert store.find("+15017122661") == "16622171051+"
    assert store.table == "threads"
    assert recording.spans == [("storage.contacts.find", {})]


# What the reports code hands a closed conversation's event: ids and measures.
CLOSED = {"conversation_id": RECORD_ID, "workstream_id": "fedcba9876543210" * 2, "queue": "general",
          "channel": "sms", "provider": "twilio", "closed_by": "agent", "agent_id": "5d2a1c0f-9e3b-4f7a-8c6d-2b1e0a9f8c7d",
          "wait_seconds": 42, "first_response_seconds": 65, "handle_seconds": 600, "resolution_seconds": 700,
          "answered": True, "abandoned": False, "bot_resolved": False, "transfers": 1, "customer_messages": 3,
          "agent_messages": 2, "csat": 4.5}


@contextmanager
def exported_logs():
    """The root logger's records as the distro's handler (with our filter) hands them to
    an exporter: here one in memory."""
    exporter, provider = InMemoryLogRecordExporter(), LoggerProvider()
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    handler, root = LoggingHandler(logger_provider=provider), logging.getLogger()
    handler.addFilter(IdsOnLogs())
    root.addHandler(handler)
    try:
        yield exporter
    finally:
        root.removeHandler(handler)
        provider.shutdown()


def test_an_event_is_a_custom_event_with_the_attributes_given_and_nothing_else():
    assert CUSTOM_EVENT == _MICROSOFT_CUSTOM_EVENT_NAME  # the exporter's marker, not a name of ours
    spans, tracer_provider = InMemorySpanExporter(), TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    telemetry = OpenTelemetry(tracer_provider)
    with exported_logs() as exporter:
        # Under a timer's span that learnt another conversation's id: the event keeps its own.
        with telemetry.span("auto_close", trigger="timer", conversation_id="0" * 32):
            telemetry.event(names.CONVERSATION_CLOSED, **CLOSED, bot_outcome=None)
    [exported] = exporter.get_finished_logs()
    record = exported.log_record
    assert dict(record.attributes) == {**CLOSED, CUSTOM_EVENT: names.CONVERSATION_CLOSED, "trigger": "timer"}
    [span] = spans.get_finished_spans()
    assert record.trace_id == span.context.trace_id  # the event is in the trace of its invocation

    envelope = _convert_log_to_envelope(exported)
    assert envelope.name == "Microsoft.ApplicationInsights.Event" and envelope.data.base_type == "EventData"
    event = envelope.data.base_data
    assert event.name == names.CONVERSATION_CLOSED
    # customDimensions: what was passed (as strings), the span's trigger and the logger, no more.
    assert event.properties == {**{key: str(value) for key, value in CLOSED.items()}, "trigger": "timer",
                                "logger_name": "telemetry.events"}
    assert "bot_outcome" not in event.properties


def test_a_late_survey_answer_is_its_own_event():
    with exported_logs() as exporter:
        OpenTelemetry(TracerProvider()).event(names.CONVERSATION_RATED, conversation_id=RECORD_ID,
                                              workstream_id=CLOSED["workstream_id"], csat=5, agent_id=None)
    [exported] = exporter.get_finished_logs()
    event = _convert_log_to_envelope(exported).data.base_data
    assert (event.name, event.properties) == (names.CONVERSATION_RATED, {
        "conversation_id": RECORD_ID, "workstream_id": CLOSED["workstream_id"], "csat": "5",
        "logger_name": "telemetry.events"})


def test_without_a_connection_string_an_event_goes_nowhere():
    with exported_logs() as exporter:
        assert NoTelemetry().event(names.CONVERSATION_CLOSED, **CLOSED) is None
    assert exporter.get_finished_logs() == ()
