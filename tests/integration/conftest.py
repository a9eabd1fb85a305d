"""Integration tests: the engine on real storage; a recording server stands in for Twilio."""

from __future__ import annotations

from typing import Iterator

import pytest

from localhost.webpubsub.process import StandIn
from tests.support.recorder import Recorder, recording
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
