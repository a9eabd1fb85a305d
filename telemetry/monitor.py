"""Application Insights through the Azure Monitor OpenTelemetry distro, configured once
per process, when APPLICATIONINSIGHTS_CONNECTION_STRING is set (functions/wiring/):
traces, metrics and the project's logs. Its automatic instrumentations stay off: they
record every HTTP call's URL, and storage URLs hold row keys such as a contact's phone
number; storage and provider calls get spans of ours instead, with ids only."""

from __future__ import annotations

import logging
import threading
from typing import Any

from telemetry.otel import IdsOnLogs, OpenTelemetry

_INSTRUMENTATIONS = ("azure_sdk", "django", "fastapi", "flask", "httpx", "httpx2", "psycopg2", "requests", "urllib",
                     "urllib3")
_lock = threading.Lock()
_configured: OpenTelemetry | None = None


def azure_monitor(connection_string: str, authentication: str | None) -> OpenTelemetry:
    """The process's telemetry, exporting to the Application Insights of ``connection_string``.
    ``authentication`` is APPLICATIONINSIGHTS_AUTHENTICATION_STRING: with ``Authorization=AAD``
    telemetry is sent with the managed identity it names (``ClientId=...``), as infra/ sets it."""
    global _configured
    with _lock:
        if _configured is None:
            from azure.monitor.opentelemetry import configure_azure_monitor

            configure_azure_monitor(connection_string=connection_string, credential=_credential(authentication),
                                    instrumentation_options={name: {"enabled": False} for name in _INSTRUMENTATIONS},
                                    enable_live_metrics=False)
            _filter_logs()
            _configured = OpenTelemetry()
        return _configured


def _credential(authentication: str | None) -> Any:
    """A ManagedIdentityCredential for Entra ingestion, or None for the connection string alone."""
    fields = dict(part.split("=", 1) for part in (authentication or "").split(";") if "=" in part)
    if fields.get("Authorization", "").upper() != "AAD":
        return None
    from azure.identity import ManagedIdentityCredential

    return ManagedIdentityCredential(client_id=fields.get("ClientId") or None)


def _filter_logs() -> None:
    """The distro's handler on the root logger exports only the project's records, with ids."""
    from opentelemetry.instrumentation.logging.handler import LoggingHandler

    for handler in logging.getLogger().handlers:
        if isinstance(handler, LoggingHandler):
            handler.addFilter(IdsOnLogs())
