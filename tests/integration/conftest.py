"""Integration tests: the engine on real storage; a recording server stands in for Twilio."""

from __future__ import annotations

import logging
from typing import Iterator

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from channels.twilio_api import TwilioSender
from functions import wiring
from functions.settings import LOCAL_EASY_AUTH, Settings
from localhost.webpubsub.process import StandIn
from telemetry.otel import OpenTelemetry
from tests.support.recorder import Recorder, recording
from tests.support.telemetry import BASE, Capture, Watched
from tests.support.twilio import MESSAGES_PATH, message_created, serve_sent_list


@pytest.fixture
def twilio_api() -> Iterator[Recorder]:
    with recording() as recorder:
        serve_sent_list(recorder)  # where a send whose answer was lost is looked for
        yield recorder


@pytest.fixture
def provider() -> Iterator[Recorder]:
    """Twilio's API, taking every message sent (a new SID each)."""
    with recording() as recorder:
        counter = iter(range(1, 10_000))
        recorder.on("POST", MESSAGES_PATH, lambda _r: message_created(f"SM{next(counter):032d}"))
        yield recorder


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    """The Web PubSub stand-in, one per module of tests that publish to it."""
    with StandIn.start() as found:
        yield found


@pytest.fixture
def watch(settings_env, clock, twilio_api, monkeypatch):
    """Wires the app with telemetry into memory and these app settings (and captures logs)."""
    logs: list[logging.LogRecord] = []
    handler, root = Capture(logs), logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)  # setLevel, not the attribute: loggers cache what was enabled

    def wired(**settings: str) -> Watched:
        exporter, reader = InMemorySpanExporter(), InMemoryMetricReader()
        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
        telemetry = OpenTelemetry(tracer_provider, MeterProvider(metric_readers=[reader]))
        env = {**settings_env, LOCAL_EASY_AUTH: "1", "PUBLIC_BASE_URL": BASE, **settings}
        services = wiring.build(Settings.from_env(env), clock=clock, telemetry=telemetry,
                                senders={"twilio": TwilioSender(twilio_api.base_url, timeout=1.0)})
        monkeypatch.setattr(wiring, "_services", services)
        return Watched(services, exporter, reader, logs)

    yield wired
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def watched(watch) -> Watched:
    return watch()
