"""Telemetry is off without a connection string and on, once per process, with one; route
values become span attributes only when shaped like our ids; a traced adapter's spans
carry the method's name, never its arguments."""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import azure.functions as func

from core.telemetry import NoTelemetry
from functions.settings import Settings
from functions.tracing import route_ids
from functions.wiring import telemetry_for
from telemetry.monitor import _credential
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
print(type(first).__name__, first is second, handler.filter(ours), handler.filter(sdk))
print(azure_sdk.tracing_implementation(), RequestsInstrumentor().is_instrumented_by_opentelemetry,
      URLLib3Instrumentor().is_instrumented_by_opentelemetry)
"""
    # Nothing may leave this machine: no statsbeat, no cloud resource detectors, a loopback endpoint.
    env = {"PATH": "/usr/bin:/bin", "OTEL_EXPERIMENTAL_RESOURCE_DETECTORS": "otel",
           "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL": "true"}
    run = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["OpenTelemetry", "True", "True", "False", "None", "False", "False"]


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
