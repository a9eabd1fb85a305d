"""core.ports.Telemetry on the OpenTelemetry API: counters and histograms by the names of
core/telemetry.py, spans with the ids they are given, and those ids on every log record
written under a span (IdsOnLogs). Custom events are log records of the project's
``telemetry.events`` logger carrying ``microsoft.custom_event.name``, which the Azure Monitor
exporter sends as rows of customEvents. Attributes are what the services pass: ids,
provider names and (events) measures. An exception leaving a span marks it failed with
the exception's type only: its message may quote what a provider was sent (a number, a
text)."""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterator, Mapping

from opentelemetry import metrics, trace
from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import SpanKind, Status, StatusCode, TracerProvider

from core import telemetry as names

SCOPE = "switchboard"
_KINDS = {"http": SpanKind.SERVER, "queue": SpanKind.CONSUMER}
_CALLS_OUT = (names.STORAGE + ".", names.PROVIDER + ".")

# The log record attribute the Azure Monitor exporter (azure-monitor-opentelemetry-exporter,
# as the distro pinned in requirements.txt brings it) turns into a custom event: a row of
# customEvents named by its value, the record's other attributes its customDimensions (as
# strings), the record's message left out.
CUSTOM_EVENT = "microsoft.custom_event.name"
# A logger of the project's (IdsOnLogs lets it through), enabled for INFO whatever the root's level.
EVENTS = logging.getLogger("telemetry.events")
EVENTS.setLevel(logging.INFO)

# The ids of the span the code runs under (its own and its parents'), for the logs.
_ids: ContextVar[Mapping[str, str]] = ContextVar("switchboard_ids", default={})


class OpenTelemetry:
    """The services' telemetry on the given providers (the global ones by default)."""

    def __init__(self, tracer_provider: TracerProvider | None = None,
                 meter_provider: MeterProvider | None = None) -> None:
        self._tracer = trace.get_tracer(SCOPE, tracer_provider=tracer_provider)
        self._meter = metrics.get_meter(SCOPE, meter_provider=meter_provider)
        self._instruments: dict[str, Any] = {}
        self._lock = threading.Lock()

    def count(self, name: str, value: int = 1, **attributes: str) -> None:
        self._instrument(name, self._meter.create_counter).add(value, attributes)

    def record(self, name: str, value: float, **attributes: str) -> None:
        self._instrument(name, self._meter.create_histogram).record(value, attributes)

    @contextmanager
    def span(self, name: str, **attributes: str) -> Iterator[None]:
        kind = _KINDS.get(attributes.get("trigger", ""),
                          SpanKind.CLIENT if name.startswith(_CALLS_OUT) else SpanKind.INTERNAL)
        token = _ids.set({**_ids.get(), **attributes})
        try:
            with self._tracer.start_as_current_span(name, kind=kind, attributes=attributes, record_exception=False,
                                                    set_status_on_exception=False) as span:
                try:
                    yield
                except BaseException as exc:
                    span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                    raise
        finally:
            _ids.reset(token)

    def tag(self, **attributes: str) -> None:
        span = trace.get_current_span()
        span.set_attributes(attributes)
        if attributes.get("status_code", "").startswith("5"):
            span.set_status(Status(StatusCode.ERROR))
        _ids.set({**_ids.get(), **attributes})

    def event(self, name: str, **attributes: str | int | float | bool | None) -> None:
        """A custom event named ``name``, with the attributes that are not None (and, like any
        log record of ours, the ids of the span it is written under, where it has none of
        its own), in the trace of that span."""
        given = {key: value for key, value in attributes.items() if value is not None}
        EVENTS.info(name, extra={**given, CUSTOM_EVENT: name})

    def _instrument(self, name: str, create: Callable[..., Any]) -> Any:
        instrument = self._instruments.get(name)
        if instrument is None:
            with self._lock:
                instrument = self._instruments.get(name)
                if instrument is None:
                    instrument = self._instruments[name] = create(name, unit=names.UNITS.get(name, ""))
        return instrument


class IdsOnLogs(logging.Filter):
    """Puts the ids of the current span on each record (as attributes: custom dimensions
    in Application Insights) unless the record has its own (an event's), and lets through
    only the project's own loggers: SDKs log request URLs and payloads, which may hold
    numbers and texts."""

    OURS = ("core", "conversations", "storage", "channels", "functions", "telemetry")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.split(".")[0] not in self.OURS:
            return False
        for key, value in _ids.get().items():
            record.__dict__.setdefault(key, value)
        return True
