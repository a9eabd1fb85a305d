"""Integration tests: the engine on real storage; a recording server stands in for Twilio."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.support.recorder import Recorder, recording
from tests.support.twilio import serve_sent_list


@pytest.fixture
def twilio_api() -> Iterator[Recorder]:
    with recording() as recorder:
        serve_sent_list(recorder)  # where a send whose answer was lost is looked for
        yield recorder
