"""Operating hours over HTTP with a fixed clock: the app is served in this process by the
local host's server, its composition root built with a clock the test moves, so signed
webhooks land on both sides of each opening boundary and on a holiday."""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Iterator

import pytest
import requests

from channels.twilio_api import TwilioSender
from functions.settings import LOCAL_EASY_AUTH, Settings
from functions import wiring
from localhost.easyauth import EasyAuth
from localhost.entra import LocalTenant
from localhost.invoke import Invoker
from localhost.routes import RouteTable
from localhost.server import FunctionsServer, HostConfig, route_table
from tests.conftest import REPO, FakeClock
from tests.support.app import indexed
from tests.support.recorder import Recorder, recording
from tests.support.twilio import (
    ACCOUNT_SID, BUSINESS, account_body, encode, fixture_form, message_created, serve_sent_list, sign,
)

KEY = "fixed-clock-key"
MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
CLOSED = "We are closed; we answer Monday to Friday, 9 to 5."


@pytest.fixture
def twilio_api() -> Iterator[Recorder]:
    with recording() as recorder:
        serve_sent_list(recorder)  # where a send whose answer was lost is looked for
        counter = iter(range(1, 1000))
        recorder.on("POST", MESSAGES, lambda _r: message_created(f"SM{next(counter):032d}"))
        yield recorder


@pytest.fixture(scope="module")
def routes() -> RouteTable:
    return route_table(indexed().http)


@pytest.fixture
def tenant(tmp_path) -> LocalTenant:
    return LocalTenant(tmp_path / "entra.pem")


@pytest.fixture
def base(settings_env, clock, twilio_api, routes, monkeypatch, tenant) -> Iterator[str]:
    # Served in process, as the local host serves: its Easy Auth emulation in front of the app.
    services = wiring.build(Settings.from_env({**settings_env, LOCAL_EASY_AUTH: "1"}), clock=clock,
                            senders={"twilio": TwilioSender(twilio_api.base_url)})
    monkeypatch.setattr(wiring, "_services", services)
    invoker = Invoker(REPO)
    config = HostConfig(routes, "", KEY, invoker, tenant)
    server = FunctionsServer(("127.0.0.1", 0), config)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        invoker.close()


def call(tenant: LocalTenant, method: str, url: str, body: dict | None = None) -> requests.Response:
    token = EasyAuth(tenant).token("alice", ["Switchboard.Admin"])
    return requests.request(method, url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def write(base: str, account_id: str, customer: str, sid: str) -> None:
    url = f"{base}/twilio/{account_id}/inbound"
    form = fixture_form("twilio_sms_inbound.txt", MessageSid=sid, From=customer)
    answer = requests.post(url, data=encode(form), timeout=30, headers={
        "X-Twilio-Signature": sign(url, form), "Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 200, answer.text


@pytest.fixture
def account_id(base, tenant) -> str:
    account = call(tenant, "POST", f"{base}/admin/accounts", account_body()).json()
    workstream = call(tenant, "POST", f"{base}/admin/workstreams", {
        "name": "Support", "channel": "sms", "account_id": account["id"], "number": BUSINESS,
        "allow_automated_messages": True, "automated_messages": {"out_of_hours": {"text": CLOSED}},
        "operating_hours": {"time_zone": "America/New_York", "closures": ["2026-12-25"],
                            "weekly": [{"day": d, "open": "09:00", "close": "17:00"}
                                       for d in ("monday", "tuesday", "wednesday", "thursday", "friday")]},
    })
    assert workstream.status_code == 201, workstream.text
    return account["id"]


@pytest.mark.parametrize("moment,told", [
    (datetime(2026, 11, 23, 13, 59), True),   # Monday 08:59 in New York
    (datetime(2026, 11, 23, 14, 0), False),   # Monday 09:00
    (datetime(2026, 11, 23, 21, 59), False),  # Monday 16:59
    (datetime(2026, 11, 23, 22, 0), True),    # Monday 17:00
    (datetime(2026, 12, 25, 17, 0), True),    # Friday noon, Christmas
    (datetime(2026, 12, 24, 17, 0), False),   # Thursday noon
])
def test_out_of_hours_answer_follows_the_clock(base, account_id, clock: FakeClock, twilio_api, moment, told):
    clock.now = moment.replace(tzinfo=timezone.utc)
    write(base, account_id, "+12065550190", "SM" + "1" * 32)
    write(base, account_id, "+12065550190", "SM" + "2" * 32)  # the same closed period: told once at most
    bodies = [r.form["Body"][0] for r in twilio_api.calls("POST", MESSAGES)]
    assert bodies == ([CLOSED] if told else [])
