"""End-to-end: the real local host as a subprocess, on the session's Azurite, with
recording servers standing in for Twilio's and TeleSign's APIs, Prism (behind a
recorder) for ACS's, and the Web PubSub stand-in for live updates, as `make run` has."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Iterator

import pytest
import requests

from core.identity import ADMIN
from localhost.services import LocalHost
from localhost.webpubsub.process import StandIn
from tests.support import contracts, identity, openapi, telesign
from tests.support.openapi import documented
from tests.support.recorder import Recorder, recording
from tests.support.twilio import encode, serve_sent_list, sign


@dataclass
class Api:
    """A client for the host under test, signed in through the host's Easy Auth emulation
    (a bearer token of its local tenant) as ``alice``, an admin, unless told otherwise."""

    host: LocalHost
    twilio: Recorder
    telesign: Recorder
    env: dict[str, str]
    webpubsub: StandIn | None = None  # live updates (None: the module's host long-polls only)

    @property
    def base(self) -> str:
        return self.host.base_url + "/api"

    def token(self, name: str = "alice", *roles: str, app: bool = False) -> str:
        """A bearer token for ``name`` with Switchboard ``roles`` (admin when none are named)."""
        return identity.token(self.env, name, roles or (ADMIN,), app=app)

    def auth(self, name: str = "alice", *roles: str) -> dict[str, str]:
        return identity.bearer(self.env, name, roles or (ADMIN,))

    def call(self, method: str, path: str, json: Any = None, key: bool = True, as_: tuple[str, ...] = (),
             **kwargs: Any) -> requests.Response:
        """``key``: signed in (as ``as_``: a name and roles, by default alice the admin) or not."""
        headers = kwargs.pop("headers", {})
        if key:
            headers.update(self.auth(*as_))
        response = requests.request(method, self.base + path, json=json, headers=headers, timeout=30, **kwargs)
        if documented("/api" + path) and response.status_code != 401:
            openapi.check(response)
        return response

    def webhook(self, path: str, form: dict[str, str], token: str, signed: bool = True) -> requests.Response:
        url = self.base + path
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signed:
            headers["X-Twilio-Signature"] = sign(url, form, token)
        return requests.post(url, data=encode(form), headers=headers, timeout=30)

    def telesign_callback(self, account_id: str, payload: dict[str, Any], api_key: str = telesign.API_KEY,
                          signed: bool = True) -> requests.Response:
        raw, headers = telesign.signed(payload, api_key)
        if not signed:
            del headers["Authorization"]
        return requests.post(f"{self.base}/telesign/{account_id}/inbound", data=raw, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def twilio_api() -> Iterator[Recorder]:
    with recording() as recorder:
        serve_sent_list(recorder)  # where a send whose answer was lost is looked for
        yield recorder


@pytest.fixture(scope="module")
def telesign_api() -> Iterator[Recorder]:
    with recording() as recorder:
        yield recorder


@pytest.fixture(scope="module")
def extra_env() -> dict[str, str]:
    """Settings a test module adds to (or changes in) the host's environment."""
    return {}


@pytest.fixture(scope="module")
def host_port() -> int | None:
    """The port the host listens on (a module that must know it in advance picks one); None: any."""
    return None


@pytest.fixture(scope="module")
def live_updates() -> bool:
    """Whether the module's host has Web PubSub (the stand-in), as `make run` gives it."""
    return True


@pytest.fixture(scope="module")
def webpubsub(live_updates) -> Iterator[StandIn | None]:
    """The stand-in; its event handler is pointed at the host once the host is up."""
    if not live_updates:
        yield None
        return
    standin = StandIn.start()
    try:
        yield standin
    finally:
        standin.stop()


@pytest.fixture(scope="module")
def module_env(azurite, sealing_key, twilio_api, telesign_api, extra_env, webpubsub,
               tmp_path_factory) -> dict[str, str]:
    prefix = "e" + secrets.token_hex(5)
    return {
        **({"WEBPUBSUB_CONNECTION_STRING": webpubsub.connection_string} if webpubsub else {}),
        "AzureWebJobsStorage": azurite.connection_string,
        "SWITCHBOARD_TABLE_PREFIX": prefix,
        "OUTBOX_QUEUE": f"{prefix}-outbox",  # its own queue, like its own tables
        # The guard comes due well after an inline send gives up (the provider timeout is 10 s).
        "OUTBOX_GUARD_SECONDS": "25", "OUTBOX_RETRY_SECONDS": "1", "OUTBOX_UNKNOWN_SECONDS": "2",
        "IDEMPOTENCY_WAIT_SECONDS": "2",
        "SWITCHBOARD_SEALING_KEY": sealing_key,
        "AUTO_CLOSE_MIN_MINUTES": "1",
        "AUTO_CLOSE_SCHEDULE": "*/2 * * * * *",
        "TWILIO_API_BASE_URL": twilio_api.base_url,
        "TELESIGN_API_BASE_URL": telesign_api.base_url,
        "PUBLIC_BASE_URL": "",
        "SWITCHBOARD_LOCAL_DIR": str(tmp_path_factory.mktemp("local")),  # the host's own .local/ (Entra key)
        **extra_env,
    }


@pytest.fixture(scope="module")
def api(module_env, twilio_api, telesign_api, host_port, webpubsub) -> Iterator[Api]:
    host = LocalHost.start(module_env, port=host_port)
    try:
        if webpubsub is not None:
            webpubsub.set_event_handler(f"{host.base_url}/api/realtime/events")
        yield Api(host, twilio_api, telesign_api, module_env, webpubsub)
    finally:
        host.stop()


@pytest.fixture(scope="session")
def acs_messages_api() -> Iterator[Recorder]:
    yield from contracts.recorded_prism(contracts.acs_messages())


@pytest.fixture(scope="module")
def acs_reactions_api() -> Iterator[Recorder]:
    """ACS Messages API 2024-11-15-preview, the first with reactions (channels/acs_send.py)."""
    yield from contracts.recorded_prism(contracts.acs_messages_reactions())


@pytest.fixture(scope="module")
def acs_read_receipts_api() -> Iterator[Recorder]:
    """ACS Messages API 2025-09-01-preview, the first with read receipts (channels/acs_send.py)."""
    yield from contracts.recorded_prism(contracts.acs_messages_read_receipts())


@pytest.fixture(scope="session")
def acs_sms_api() -> Iterator[Recorder]:
    yield from contracts.recorded_prism(contracts.ACS_SMS)


@pytest.fixture(scope="module")
def twilio_contract_api() -> Iterator[Recorder]:
    """Twilio's API as the README's walkthrough has it: Prism serving the published contract."""
    yield from contracts.recorded_prism(contracts.TWILIO)
