"""The survey question's answer window over HTTP, with a fixed clock: the app served in
this process by the local host's server (as tests/e2e/test_hours_fixed_clock.py serves
it), so signed webhooks land on both sides of the window's end."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import FakeClock
from tests.e2e.test_hours_fixed_clock import MESSAGES, base, call, routes, tenant, twilio_api  # noqa: F401 (fixtures)
from tests.support.twilio import BUSINESS, account_body, encode, fixture_form, sign

CUSTOMER = "+12065550310"
QUESTION = {"enabled": True, "mode": "question", "text": "How did we do? Reply 1 to 5", "window_minutes": 30,
            "thanks": "Thanks!"}


def write(base: str, account_id: str, sid: str, body: str) -> None:
    url = f"{base}/twilio/{account_id}/inbound"
    form = fixture_form("twilio_sms_inbound.txt", MessageSid=sid, From=CUSTOMER, Body=body)
    answer = requests.post(url, data=encode(form), timeout=30, headers={
        "X-Twilio-Signature": sign(url, form), "Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("minutes, kept", [(30, True), (31, False)])
def test_an_answer_counts_inside_the_window_only(base, tenant, clock: FakeClock, twilio_api, minutes, kept):
    account = call(tenant, "POST", f"{base}/admin/accounts", account_body()).json()
    created = call(tenant, "POST", f"{base}/admin/workstreams", {
        "name": "Support", "channel": "sms", "account_id": account["id"], "number": BUSINESS, "survey": QUESTION})
    assert created.status_code == 201, created.text
    write(base, account["id"], "SM" + "1" * 32, "my order is late")
    [first] = call(tenant, "GET", f"{base}/conversations").json()["conversations"]
    assert call(tenant, "POST", f"{base}/conversations/{first['id']}/close").status_code == 200

    clock.advance(minutes=minutes)
    write(base, account["id"], "SM" + "2" * 32, "4")
    listed = call(tenant, "GET", f"{base}/conversations").json()["conversations"]
    closed = call(tenant, "GET", f"{base}/conversations/{first['id']}").json()
    bodies = [r.form["Body"][0] for r in twilio_api.calls("POST", MESSAGES)]
    if kept:
        assert ([c["id"] for c in listed], closed["csat"]) == ([first["id"]], 4)
        assert bodies == [QUESTION["text"], "Thanks!"]
    else:
        assert len(listed) == 2 and listed[0]["state"] == "open" and closed["csat"] is None
        assert bodies == [QUESTION["text"]]
