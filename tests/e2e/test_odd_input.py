"""Every input that once answered 500 or no answer at all (a fuzzing run over every
endpoint) now gets a 4xx naming what is wrong, or, for data a provider signed, is stored
in a bounded form. Each case sends exactly what the run sent, through the local host."""

from __future__ import annotations

import json
import socket
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator

import pytest
import requests

from tests.support import telesign
from tests.support.acs import events, whatsapp_account
from tests.support.recorder import Recorder, recording
from tests.support.twilio import AUTH_TOKEN, BUSINESS, account_body, fixture_form

SURROGATE = '"x\\ud800y"'  # JSON for a string holding half of a UTF-16 surrogate pair


def raw_json(api, method: str, path: str, text: str) -> requests.Response:
    """A request whose JSON body is written by hand (json.dumps would never emit these)."""
    return requests.request(method, api.base + path, data=text.encode(), timeout=30,
                            headers={**api.auth(), "Content-Type": "application/json"})


def refused(response: requests.Response, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    if field is not None:
        assert error["field"] == field
    return error


@pytest.fixture(scope="module")
def twilio_account(api) -> dict[str, Any]:
    created = api.call("POST", "/admin/accounts", account_body(name="Odd input"))
    assert created.status_code == 201, created.text
    return created.json()


@pytest.fixture(scope="module")
def conversation(api, twilio_account) -> str:
    form = fixture_form("twilio_sms_inbound.txt", MessageSid="SM" + "7" * 32, From="+12065550171")
    assert api.webhook(f"/twilio/{twilio_account['id']}/inbound", form, AUTH_TOKEN).status_code == 200
    listed = api.call("GET", "/conversations").json()["conversations"]
    return next(c["id"] for c in listed if c["customer"] == "+12065550171")


@pytest.fixture(scope="module")
def acs_api() -> Iterator[Recorder]:
    with recording() as recorder:
        recorder.on("GET", r"/messages/streams/[^/]+", (200, b"\xff\xd8jpeg", {"Content-Type": "image/jpeg"}))
        yield recorder


def test_an_acs_connection_string_that_is_no_url_or_no_key_is_refused(api):
    for connection in ("endpoint=http://[::1/;accesskey=abc", "endpoint=https://contoso.communication.azure.com/;"
                                                              "accesskey=not base64!"):
        body = whatsapp_account("http://127.0.0.1:1")
        body["credentials"]["connection_string"] = connection
        refused(api.call("POST", "/admin/accounts", body), 422, "credentials.connection_string")


def test_an_overlong_time_zone_is_a_field_error(api, twilio_account):
    body = {"name": "Zones", "account_id": twilio_account["id"], "number": BUSINESS,
            "operating_hours": {"time_zone": "A" * 300, "weekly": []}}
    refused(api.call("POST", "/admin/workstreams", body), 422, "operating_hours.time_zone")


def test_a_lone_surrogate_is_refused_before_anything_is_stored_or_sent(api, twilio_account, conversation):
    before = len(api.call("GET", f"/conversations/{conversation}").json()["messages"])
    refused(raw_json(api, "POST", f"/conversations/{conversation}/messages", '{"body": %s}' % SURROGATE), 422, "body")
    assert len(api.call("GET", f"/conversations/{conversation}").json()["messages"]) == before
    outbound = '{"account_id": "%s", "from": "%s", "to": ["+12065550172"], "body": %s}' % (
        twilio_account["id"], BUSINESS, SURROGATE)
    refused(raw_json(api, "POST", "/outbound", outbound), 422, "body")
    refused(raw_json(api, "POST", "/admin/contacts", '{"mobile_phone": "+12065550173", "fields": {"a": %s}}'
                     % SURROGATE), 422, "fields.a")
    refused(api.call("POST", "/admin/contacts", {"mobile_phone": "+12065550173", "name": "\u0000"}), 422, "name")
    refused(api.call("POST", "/admin/contacts", {"mobile_phone": "+12065550173", "fields": {"tier": "g\x1b[2J"}}),
            422, "fields.tier")
    refused(api.call("POST", f"/conversations/{conversation}/messages", {"body": "bell\x07"}), 422, "body")
    refused(raw_json(api, "POST", "/admin/contacts", '{"mobile_phone": "+12065550173", "name": "Del\x7f"}'),
            422, "name")  # DEL and the C1 controls come unescaped, as a browser sends them
    utf16 = requests.post(api.base + "/admin/contacts", data='{"mobile_phone": "+12065550173"}'.encode("utf-16"),
                          headers={**api.auth(), "Content-Type": "application/json"}, timeout=30)
    refused(utf16, 400)  # an API body is UTF-8


def test_a_telesign_sender_no_phone_can_have_is_refused(api):
    account = api.call("POST", "/admin/accounts", telesign.account_body(
        numbers=[{"number": "14252306550", "type": "long_code"}])).json()
    payload = telesign.fixture_json("telesign_mo_sms.json", phone_number="1206\ud800", sender_id="14252306550")
    raw, headers = telesign.signed(payload)
    answer = requests.post(f"{api.base}/telesign/{account['id']}/inbound", data=raw, headers=headers, timeout=30)
    assert answer.status_code == 400 and "phone_number" in answer.json()["error"]["message"]


def test_list_filters_too_long_for_storage_are_field_errors(api):
    refused(api.call("GET", "/conversations", params={"workstream_id": "w" * 20_000}), 422, "workstream_id")
    refused(api.call("GET", "/conversations", params={"queue": "q" * 20_000}), 422, "queue")


def test_records_too_large_for_a_table_entity_are_refused(api, twilio_account):
    fields = {f"f{i}": "x" * 1000 for i in range(200)}
    refused(api.call("POST", "/admin/contacts", {"mobile_phone": "+12065550174", "fields": fields}), 422, "fields")
    body = {"name": "Queues", "account_id": twilio_account["id"], "number": BUSINESS,
            "queues": [f"q{i}" for i in range(5000)]}
    refused(api.call("POST", "/admin/workstreams", body), 422, "queues")


def test_the_largest_records_the_api_allows_fit_in_storage(api):
    """Every list at its documented maximum, every text at its longest, in characters that
    take two UTF-16 code units where free text is allowed."""
    wide = "\U0001F600"
    contact = {"mobile_phone": "+12065550175", "name": wide * 200,
               "fields": {f"f{i:02d}" + "x" * 60: wide * 1000 for i in range(50)}}
    created = api.call("POST", "/admin/contacts", contact)
    assert created.status_code == 201, created.text
    assert api.call("GET", f"/admin/contacts/{created.json()['id']}").json()["fields"] == contact["fields"]
    numbers = [{"number": f"+1206555{i:04d}", "type": "long_code", "description": wide * 500} for i in range(100)]
    account = api.call("POST", "/admin/accounts", account_body(name=wide * 200, numbers=numbers))
    assert account.status_code == 201, account.text
    queues = [f"{i:02d}" + wide * 98 for i in range(50)]
    condition = {"field": "contact." + "f" * 64, "operator": "contains", "value": wide * 200}
    workstream = {
        "name": wide * 200, "account_id": account.json()["id"], "number": "+12065550000", "queues": queues,
        "routing_rules": [{"name": wide * 200, "conditions": [condition] * 10, "queue": queues[i]} for i in range(50)],
        "operating_hours": {"time_zone": "America/Los_Angeles",
                            "weekly": [{"day": "monday", "open": "09:00", "close": "17:00"}] * 50,
                            "closures": [f"2027-{1 + i // 28:02d}-{1 + i % 28:02d}" for i in range(336)]},
        "allow_automated_messages": True,
        "automated_messages": {kind: {"text": wide * 1600} for kind in ("greeting", "out_of_hours", "closing")},
        "survey": {"enabled": True, "text": "{{link}}" + wide * 1000, "url": "https://s.example.com/" + "a" * 500},
        "templates": [{"name": f"t{i}" + "a" * 500, "language": "en_US", "text": wide * 1024} for i in range(20)],
    }
    created = api.call("POST", "/admin/workstreams", workstream)
    assert created.status_code == 201, created.text
    assert api.call("GET", f"/admin/workstreams/{created.json()['id']}").json()["routing_rules"][49]["queue"] == queues[49]


@pytest.mark.parametrize("kind", ["accounts", "contacts", "workstreams"])
def test_a_patch_racing_a_delete_answers_404_or_409(api, twilio_account, kind):
    def create(i: int) -> str:
        body = {"accounts": account_body(name="Race", numbers=[{"number": f"+1206556{i:04d}", "type": "long_code"}]),
                "contacts": {"mobile_phone": f"+1206557{i:04d}"},
                "workstreams": {"name": "Race", "account_id": twilio_account["id"], "number": BUSINESS}}[kind]
        created = api.call("POST", f"/admin/{kind}", body)
        assert created.status_code == 201, created.text
        return created.json()["id"]

    def race(record_id: str) -> set[int]:
        with ThreadPoolExecutor(2) as pool:
            patch = pool.submit(api.call, "PATCH", f"/admin/{kind}/{record_id}", {"name": "Renamed"})
            delete = pool.submit(api.call, "DELETE", f"/admin/{kind}/{record_id}")
            return {patch.result().status_code, delete.result().status_code}

    seen: set[int] = set()
    for i in range(12):
        seen |= race(create(i))
    assert seen <= {200, 204, 404, 409}, seen


def test_signed_twilio_fields_too_long_to_store_are_bounded_or_refused(api, twilio_account):
    path = f"/twilio/{twilio_account['id']}/inbound"
    long_sid = "SM" + "8" * 1998
    stored = api.webhook(path, fixture_form("twilio_sms_inbound.txt", MessageSid=long_sid, From="+12065550176"),
                         AUTH_TOKEN)
    assert stored.status_code == 200, stored.text
    again = api.webhook(path, fixture_form("twilio_sms_inbound.txt", MessageSid=long_sid, From="+12065550176"),
                        AUTH_TOKEN)
    assert again.status_code == 200  # the retry is recognised through the marker keyed by the id's hash
    listed = api.call("GET", "/conversations").json()["conversations"]
    cid = next(c["id"] for c in listed if c["customer"] == "+12065550176")
    [message] = api.call("GET", f"/conversations/{cid}").json()["messages"]
    assert long_sid.startswith(message["provider_message_id"]) and len(message["provider_message_id"]) <= 1024
    longer = "SM" + "7" * 40_000  # beyond what a row's property holds: named by no read receipt either
    for _ in range(2):
        again = api.webhook(path, fixture_form("twilio_sms_inbound.txt", MessageSid=longer, From="+12065550176"),
                            AUTH_TOKEN)
        assert again.status_code == 200, again.text
    assert len(api.call("GET", f"/conversations/{cid}").json()["messages"]) == 2

    far_sender = api.webhook(path, fixture_form("twilio_sms_inbound.txt", MessageSid="SM" + "9" * 32,
                                                From="+1" + "2" * 40_000), AUTH_TOKEN)
    assert far_sender.status_code == 400 and "From" in far_sender.json()["error"]["message"]
    media = {f"MediaUrl{i}": "https://api.twilio.com/" + "m" * 8000 for i in range(10)}
    unrouted = account_body(name="No workstream", numbers=[{"number": "+12065559999", "type": "long_code"}])
    other = api.call("POST", "/admin/accounts", unrouted).json()
    heavy = api.webhook(f"/twilio/{other['id']}/inbound", fixture_form(
        "twilio_sms_inbound.txt", MessageSid="SM" + "a" * 32, To="+12065559999", NumMedia="10", **media), AUTH_TOKEN)
    assert heavy.status_code == 200, heavy.text  # kept, without the attachments no one could fetch
    listed = api.call("GET", "/conversations").json()["conversations"]
    cid = next(c["id"] for c in listed if c["business"] == "+12065559999")
    [message] = api.call("GET", f"/conversations/{cid}").json()["messages"]
    assert (message["media"], message["media_dropped"], message["body"]) == ([], 10, "Ahoy")


def test_a_long_telesign_reference_id_is_stored_once(api):
    account = api.call("POST", "/admin/accounts", telesign.account_body(
        numbers=[{"number": "14252306551", "type": "long_code"}])).json()
    payload = telesign.fixture_json("telesign_mo_sms.json", phone_number="12065550177", sender_id="14252306551")
    payload["reference_id"] = "R" * 2000
    for _ in range(2):
        raw, headers = telesign.signed(payload)
        answer = requests.post(f"{api.base}/telesign/{account['id']}/inbound", data=raw, headers=headers, timeout=30)
        assert answer.status_code == 200, answer.text
    listed = api.call("GET", "/conversations").json()["conversations"]
    cid = next(c["id"] for c in listed if c["customer"] == "+12065550177")
    assert len(api.call("GET", f"/conversations/{cid}").json()["messages"]) == 1


@pytest.mark.parametrize("mime", ["image/jpeg\r\nX-Injected: yes", "image/\U0001F600"])
def test_a_content_type_from_a_provider_is_checked_before_it_is_stored_or_served(api, acs_api, mime):
    body = whatsapp_account(acs_api.base_url)
    body["channels"][0]["channel_id"] = channel = "7d1c6f0e-2b3a-4c5d-8e9f-%012d" % len(mime)
    account = api.call("POST", "/admin/accounts", body).json()
    image = events("advanced_message_received_image.json", event_id=f"odd-{len(mime)}", to=channel,
                   **{"from": "14255550190"})
    image[0]["data"]["media"]["mimeType"] = mime
    answer = requests.post(f"{api.base}/acs/{account['id']}/events", data=json.dumps(image), timeout=30,
                           headers={"Content-Type": "application/json", "aeg-event-type": "Notification"})
    assert answer.status_code == 200 and answer.json()["stored"] == 1, answer.text
    listed = api.call("GET", "/conversations").json()["conversations"]
    cid = next(c["id"] for c in listed if c["account_id"] == account["id"])
    [message] = api.call("GET", f"/conversations/{cid}").json()["messages"]
    assert message["media"][0]["content_type"] == "application/octet-stream"
    download = requests.get(message["media"][0]["download_url"], headers=api.auth(),
                            timeout=30)
    assert download.status_code == 200 and "X-Injected" not in download.headers
    assert download.headers["Content-Type"].startswith("application/octet-stream")


@pytest.mark.parametrize("head", [
    "Content-Length: 1000000000000000\r\n",
    "Transfer-Encoding: chunked\r\n",
])
def test_the_local_host_answers_a_body_too_large_with_413(api, head):
    port = api.host.port
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        request = f"POST /api/outbound HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{head}\r\n"
        if "chunked" in head:
            request += "FFFFFFFFFFFFFFFF\r\n"
        connection.sendall(request.encode())
        answer = _until_closed(connection)
    assert answer.startswith("HTTP/1.1 413"), answer
    assert '"payload_too_large"' in answer


def test_a_content_length_in_other_digits_is_a_400(api):
    port = api.host.port
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall("POST /api/outbound HTTP/1.1\r\nHost: x\r\nContent-Length: \u00b2\r\n\r\n".encode("latin-1"))
        assert _until_closed(connection).startswith("HTTP/1.1 400")


def _until_closed(connection: socket.socket) -> str:
    """All the host answers before it closes the connection (as it does after a refused body)."""
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks).decode()

