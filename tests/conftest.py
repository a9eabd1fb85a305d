"""Session-wide real parts: Azurite (tables) on a free port, and per-test services wired
to their own tables (a unique table prefix), so tests never see each other's data."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator

import pytest
from cryptography.fernet import Fernet

from functions.settings import Settings
from functions.wiring import Services, build
from localhost.services import Azurite

REPO = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules marked ``long`` first, each worker taking a module at a time in this order:
    the longest start while the others are still to come, so that no worker is left
    running one of them alone at the end."""
    long = {item.path for item in items if item.get_closest_marker("long")}
    items.sort(key=lambda item: item.path not in long)


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    """In memory: a worker's tests add up to a large database, which Azurite would save to
    disk again and again (stalling its requests meanwhile); nothing here restarts it."""
    with Azurite.start(tmp_path_factory.mktemp("azurite"), in_memory=True) as service:
        yield service


@pytest.fixture(scope="session")
def sealing_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def table_prefix() -> str:
    return "t" + secrets.token_hex(5)


@pytest.fixture
def settings_env(azurite: Azurite, sealing_key: str, table_prefix: str) -> dict[str, str]:
    """App settings for a fresh, isolated Switchboard on the session's Azurite."""
    return {
        "AzureWebJobsStorage": azurite.connection_string,
        "SWITCHBOARD_TABLE_PREFIX": table_prefix,
        "SWITCHBOARD_SEALING_KEY": sealing_key,
        "AUTO_CLOSE_MIN_MINUTES": "1",
        "OUTBOX_QUEUE": f"{table_prefix}-outbox",  # its own queue, like its own tables
        "OUTBOX_GUARD_SECONDS": "2", "OUTBOX_RETRY_SECONDS": "1", "OUTBOX_UNKNOWN_SECONDS": "2",
    }


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_services(settings_env: dict[str, str], clock: FakeClock) -> Callable[..., Services]:
    def make(**kwargs) -> Services:
        kwargs.setdefault("clock", clock)
        return build(Settings.from_env(settings_env), **kwargs)

    return make
