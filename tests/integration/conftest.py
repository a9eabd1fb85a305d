"""Integration tests: the engine on real storage; a recording server stands in for Twilio."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.support.recorder import Recorder, recording


@pytest.fixture
def twilio_api() -> Iterator[Recorder]:
    with recording() as recorder:
        yield recorder
