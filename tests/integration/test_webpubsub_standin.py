"""The Web PubSub stand-in (localhost/webpubsub) as the app and the browsers meet it: started
as its own process, driven by the official SDK (azure-messaging-webpubsubservice) and by
WebSocket clients speaking json.webpubsub.azure.v1, its event-handler calls received by a
small recording server here. Every REST call a test makes is checked, when it ends, against
the service's published contract (tests/support/webpubsub_contract.py)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import urlencode

import aiohttp
import jwt
import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.messaging.webpubsubservice import WebPubSubServiceClient

from localhost.processes import free_port
from localhost.webpubsub import API_VERSION, SUBPROTOCOL
from localhost.webpubsub.process import StandIn
from tests.support.loops import run_apart
from tests.support.waiting import until
from tests.support.webpubsub_contract import problems

T = TypeVar("T")
OTHER_KEY = "another-key-that-is-long-enough-for-hs256-0123456789"


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with StandIn.start() as service:
        yield service
        for call in service.calls():
            assert problems(call) == [], call


@pytest.fixture
def sdk(standin: StandIn) -> WebPubSubServiceClient:
    # No retries: an outage should surface at once, not after the SDK's back-off.
    return WebPubSubServiceClient.from_connection_string(standin.connection_string, hub=standin.hub, retry_total=0)


def run(scenario: Callable[[aiohttp.ClientSession], Awaitable[T]]) -> T:
    async def main() -> T:
        async with aiohttp.ClientSession() as session:
            return await scenario(session)

    return run_apart(main())


async def connect(session: aiohttp.ClientSession, url: str) -> tuple[aiohttp.ClientWebSocketResponse, dict[str, Any]]:
    """A PubSub client on ``url``, with the ``connected`` frame it got first."""
    socket = await session.ws_connect(url, protocols=(SUBPROTOCOL,))
    connected = await frame(socket)
    assert connected["type"] == "system" and connected["event"] == "connected", connected
    return socket, connected


async def frame(socket: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    message = await socket.receive(timeout=10)
    assert message.type == aiohttp.WSMsgType.TEXT, message
    parsed: dict[str, Any] = json.loads(message.data)
    return parsed


async def next_is_marker(sdk: WebPubSubServiceClient, user: str, socket: aiohttp.ClientWebSocketResponse) -> None:
    """Nothing reached ``socket`` before now: a message to its user is the next frame it gets.
    (The stand-in delivers before it answers, so anything sent earlier would come first.)"""
    sdk.send_to_user(user, "marker", content_type="text/plain")
    assert await frame(socket) == {"type": "message", "from": "server", "dataType": "text", "data": "marker"}


def signed(standin: StandIn, method: str, path: str, query: dict[str, Any], key: str | None = None,
           **kwargs: Any) -> requests.Response:
    """A REST call signed as the service wants it: a JWT whose audience is the very URL."""
    url = f"{standin.endpoint}{path}?{urlencode(query, doseq=True)}"
    token = jwt.encode({"aud": url, "exp": datetime.now(timezone.utc) + timedelta(minutes=1)},
                       key or standin.key, algorithm="HS256")
    return requests.request(method, url, headers={"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})},
                            timeout=10, **kwargs)


def test_an_sdk_client_token_connects_and_receives_server_user_and_group_messages(standin, sdk):
    url = sdk.get_client_access_token(user_id="alice", groups=["room"])["url"]

    async def scenario(session):
        socket, connected = await connect(session, url)
        assert connected["userId"] == "alice" and connected["connectionId"]
        assert standin.connections() == [{"hub": "switchboard", "connectionId": connected["connectionId"],
                                          "userId": "alice", "groups": ["room"]}]
        sdk.send_to_user("alice", {"kind": "offer", "id": 7})
        sdk.send_to_group("room", "hello room", content_type="text/plain")
        sdk.send_to_all(b"\x00\x01", content_type="application/octet-stream")
        return [await frame(socket) for _ in range(3)], connected["connectionId"]

    frames, connection_id = run(scenario)
    assert frames == [
        {"type": "message", "from": "server", "dataType": "json", "data": {"kind": "offer", "id": 7}},
        {"type": "message", "from": "group", "group": "room", "dataType": "text", "data": "hello room"},
        {"type": "message", "from": "server", "dataType": "binary", "data": "AAE="},
    ]
    until(lambda: standin.connections() == [])  # the client has gone, and the service knows it
    assert sdk.user_exists("alice") is False and sdk.connection_exists(connection_id) is False
    calls = standin.calls()
    assert [(c["method"], c["path"], c["status"]) for c in calls[:3]] == [
        ("POST", "/api/hubs/switchboard/users/alice/:send", 202),
        ("POST", "/api/hubs/switchboard/groups/room/:send", 202),
        ("POST", "/api/hubs/switchboard/:send", 202),
    ]
    assert [c["headers"]["content-type"] for c in calls[:3]] == ["application/json", "text/plain",
                                                                 "application/octet-stream"]
    assert json.loads(calls[0]["body"]) == {"kind": "offer", "id": 7}
    assert calls[0]["query"] == {"api-version": [API_VERSION]}


def test_a_users_groups_apply_to_its_connections_now_and_later_until_it_is_removed(standin, sdk):
    url = sdk.get_client_access_token(user_id="alice")["url"]

    async def scenario(session):
        first, _ = await connect(session, url)
        sdk.add_user_to_group("desk", "alice")
        assert sdk.group_exists("desk") and sdk.user_exists("alice")
        second, _ = await connect(session, url)  # opened after the mapping: in the group too
        assert [c["groups"] for c in standin.connections()] == [["desk"], ["desk"]]
        sdk.send_to_group("desk", {"n": 1})
        for socket in (first, second):
            assert (await frame(socket))["data"] == {"n": 1}
        sdk.remove_user_from_group("desk", "alice")
        sdk.send_to_group("desk", {"n": 2})
        await next_is_marker(sdk, "alice", first)
        assert not sdk.group_exists("desk")
        sdk.add_user_to_group("a", "alice")
        sdk.add_user_to_group("b", "alice")
        sdk.remove_user_from_all_groups("alice")
        third, _ = await connect(session, url)
        assert [c["groups"] for c in standin.connections()] == [[], [], []]

    run(scenario)


def test_a_client_without_roles_cannot_join_or_publish_and_gets_nothing_from_that_group(standin, sdk):
    plain = sdk.get_client_access_token(user_id="alice")["url"]
    member = sdk.get_client_access_token(user_id="bob", roles=["webpubsub.joinLeaveGroup.team",
                                                               "webpubsub.sendToGroup.team"])["url"]

    async def scenario(session):
        alice, _ = await connect(session, plain)
        bob, _ = await connect(session, member)
        await alice.send_json({"type": "joinGroup", "group": "team", "ackId": 1})
        refused = await frame(alice)
        await alice.send_json({"type": "sendToGroup", "group": "team", "dataType": "text", "data": "hi", "ackId": 2})
        refused_send = await frame(alice)
        await bob.send_json({"type": "joinGroup", "group": "team", "ackId": 1})
        joined = await frame(bob)
        await bob.send_json({"type": "joinGroup", "group": "other", "ackId": 2})
        other = await frame(bob)
        sdk.send_to_group("team", "for the team", content_type="text/plain")
        got = await frame(bob)
        await next_is_marker(sdk, "alice", alice)
        await bob.send_json({"type": "sendToGroup", "group": "team", "dataType": "json", "data": {"a": 1},
                             "noEcho": False, "ackId": 3})
        published = [await frame(bob), await frame(bob)]
        return refused, refused_send, joined, other, got, published

    refused, refused_send, joined, other, got, published = run(scenario)
    for ack, ack_id in ((refused, 1), (refused_send, 2), (other, 2)):
        assert ack["type"] == "ack" and ack["ackId"] == ack_id and ack["success"] is False
        assert ack["error"]["name"] == "Forbidden"
    assert joined == {"type": "ack", "ackId": 1, "success": True}
    assert got == {"type": "message", "from": "group", "group": "team", "dataType": "text", "data": "for the team"}
    assert {"type": "message", "from": "group", "group": "team", "dataType": "json", "data": {"a": 1},
            "fromUserId": "bob"} in published
    assert {"type": "ack", "ackId": 3, "success": True} in published


@pytest.mark.parametrize("claims, key", [
    ({"exp": 60}, OTHER_KEY),  # signed with another key
    ({"exp": -60}, None),  # expired a minute ago
    ({"exp": 60, "aud": "http://127.0.0.1:1/client/hubs/switchboard"}, None),  # meant for another endpoint
], ids=["other-key", "expired", "other-audience"])
def test_a_client_token_the_service_would_refuse_is_refused(standin, claims, key):
    client_url = f"{standin.endpoint}/client/hubs/switchboard"
    token = jwt.encode({"aud": claims.get("aud", client_url), "sub": "alice",
                        "exp": datetime.now(timezone.utc) + timedelta(seconds=claims["exp"])},
                       key or standin.key, algorithm="HS256")

    async def scenario(session):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(f"{client_url}?access_token={token}", protocols=(SUBPROTOCOL,))
        return refused.value.status

    assert run(scenario) == 401
    assert standin.connections() == []


def test_a_websocket_without_the_json_subprotocol_is_refused_with_a_reason(standin, sdk):
    url = sdk.get_client_access_token(user_id="alice")["url"]

    async def scenario(session):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(url, protocols=("json.reliable.webpubsub.azure.v1",))
        return refused.value.status

    assert run(scenario) == 400
    answer = requests.get(url.replace("ws://", "http://"), headers={"Sec-WebSocket-Protocol": "mqtt"}, timeout=10)
    assert SUBPROTOCOL in answer.text


def test_rest_calls_signed_with_another_key_or_unsigned_are_refused_401(standin):
    wrong = WebPubSubServiceClient.from_connection_string(standin.connection_string.replace(standin.key, OTHER_KEY),
                                                          hub="switchboard", retry_total=0)
    with pytest.raises(ClientAuthenticationError):
        wrong.send_to_all({"a": 1})
    unsigned = requests.post(f"{standin.endpoint}/api/hubs/switchboard/:send?api-version={API_VERSION}",
                             json={"a": 1}, timeout=10)
    assert unsigned.status_code == 401 and unsigned.headers["x-ms-error-code"] == "Unauthorized"
    assert [c["status"] for c in standin.calls()] == [401, 401]
    standin.reset_calls()  # the unsigned one lacks the contract's Authorization, on purpose


def test_closing_by_rest_sends_the_disconnected_frame_first(standin, sdk):
    url = sdk.get_client_access_token(user_id="alice")["url"]

    async def scenario(session):
        one, connected = await connect(session, url)
        two, _ = await connect(session, url)
        sdk.close_connection(connected["connectionId"], reason="signed out")
        closed_one = [await frame(one), (await one.receive(timeout=10)).type]
        sdk.close_user_connections("alice", reason="all gone")
        closed_two = [await frame(two), (await two.receive(timeout=10)).type]
        return closed_one, closed_two

    closed_one, closed_two = run(scenario)
    assert closed_one == [{"type": "system", "event": "disconnected", "message": "signed out"}, aiohttp.WSMsgType.CLOSE]
    assert closed_two == [{"type": "system", "event": "disconnected", "message": "all gone"}, aiohttp.WSMsgType.CLOSE]
    sdk.close_all_connections()
    until(lambda: standin.connections() == [])


def test_generate_token_honours_user_roles_groups_and_lifetime(standin):
    answer = signed(standin, "POST", "/api/hubs/switchboard/:generateToken",
                    {"userId": "bob", "role": ["webpubsub.sendToGroup"], "group": ["a", "b"], "minutesToExpire": 5,
                     "api-version": API_VERSION})
    assert answer.status_code == 200
    token = answer.json()["token"]
    claims = jwt.decode(token, standin.key, algorithms=["HS256"],
                        audience=f"{standin.endpoint}/client/hubs/switchboard")
    assert (claims["sub"], claims["role"], claims["webpubsub.group"]) == ("bob", ["webpubsub.sendToGroup"], ["a", "b"])
    assert abs(claims["exp"] - (time.time() + 300)) < 30

    async def scenario(session):
        socket, connected = await connect(session, f"{standin.endpoint}/client/hubs/switchboard?access_token={token}")
        await socket.send_json({"type": "sendToGroup", "group": "a", "data": "x", "dataType": "text", "ackId": 9})
        return connected, await frame(socket), await frame(socket), standin.connections()

    connected, echoed, ack, connections = run(scenario)
    assert connected["userId"] == "bob" and connections[0]["groups"] == ["a", "b"]
    assert echoed["fromUserId"] == "bob" and ack == {"type": "ack", "ackId": 9, "success": True}


def test_an_outage_makes_every_sdk_call_fail_until_it_ends(standin, sdk):
    standin.set_outage(503)
    with pytest.raises(HttpResponseError) as failed:
        sdk.send_to_user("alice", {"a": 1})
    assert failed.value.status_code == 503
    standin.set_outage(None)
    sdk.send_to_user("alice", {"a": 2})
    assert [c["status"] for c in standin.calls()] == [503, 202]


def test_a_call_the_contract_does_not_allow_has_problems(standin):
    bad = signed(standin, "POST", "/api/hubs/switchboard/:send", {"api-version": "2021-10-01", "bogus": "1"},
                 data="<a/>", headers={"Content-Type": "application/xml"})
    assert bad.status_code == 415
    unknown = signed(standin, "POST", "/api/hubs/switchboard/:broadcast", {"api-version": API_VERSION})
    assert unknown.status_code == 404
    call, unknown_call = standin.calls()
    assert problems(call) == [
        "query parameter bogus is not declared",
        "api-version ['2021-10-01'] is not the contract's 2024-12-01",
        "Content-Type application/xml is none of ['application/json', 'application/octet-stream', 'text/plain']",
    ]
    assert problems(unknown_call) == ["/api/hubs/switchboard/:broadcast: no path of the contract"]
    assert problems({**call, "path": "/api/hubs/switchboard/:addToGroups", "query": {"api-version": [API_VERSION]},
                     "headers": {**call["headers"], "content-type": "application/json"},
                     "body": '{"groups": "not a list"}'}) == ["the body: 'not a list' is not of type 'array'"]
    standin.reset_calls()


class EventHandlerRecorder:
    """An event handler on a free port: it answers the handshake with ``allowed_origin`` (or
    without the header when None) and every event with 200, and keeps what it was sent."""

    def __init__(self, allowed_origin: str | None) -> None:
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder.requests.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                                          body))
                self.send_response(200)
                if self.command == "OPTIONS" and allowed_origin is not None:
                    self.send_header("WebHook-Allowed-Origin", allowed_origin)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_OPTIONS = do_POST = _answer

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def handler_factory() -> Iterator[Callable[[str | None], EventHandlerRecorder]]:
    made: list[EventHandlerRecorder] = []

    def make(allowed_origin: str | None) -> EventHandlerRecorder:
        made.append(EventHandlerRecorder(allowed_origin))
        return made[-1]

    yield make
    for recorder in made:
        recorder.close()


def test_the_event_handler_gets_the_handshake_then_connected_and_disconnected_signed(handler_factory):
    port = free_port()
    origin = f"127.0.0.1:{port}"
    handler = handler_factory(origin)
    with StandIn.start(event_handler=handler.url + "/hubs/{hub}/events", port=port) as standin:
        sdk = WebPubSubServiceClient.from_connection_string(standin.connection_string, hub=standin.hub)
        url = sdk.get_client_access_token(user_id="alice")["url"]

        async def scenario(session):
            socket, connected = await connect(session, url)
            until(lambda: len(handler.requests) == 2)
            await socket.close()
            return connected["connectionId"]

        connection_id = run(scenario)
        until(lambda: len(handler.requests) == 3)
        key = standin.key
    (options, path, handshake, _), *events = handler.requests
    assert (options, path, handshake["webhook-request-origin"]) == ("OPTIONS", "/hubs/switchboard/events", origin)
    assert [(method, path) for method, path, _, _ in events] == [("POST", "/hubs/switchboard/events")] * 2
    (_, _, connected, connected_body), (_, _, disconnected, disconnected_body) = events
    for headers, event in ((connected, "connected"), (disconnected, "disconnected")):
        assert {name: headers[name] for name in ("ce-specversion", "ce-type", "ce-source", "ce-awpsversion",
                                                 "ce-hub", "ce-connectionid", "ce-userid", "ce-eventname",
                                                 "webhook-request-origin")} == {
            "ce-specversion": "1.0", "ce-type": f"azure.webpubsub.sys.{event}",
            "ce-source": f"/hubs/switchboard/client/{connection_id}", "ce-awpsversion": "1.0",
            "ce-hub": "switchboard", "ce-connectionid": connection_id, "ce-userid": "alice", "ce-eventname": event,
            "webhook-request-origin": origin}
        expected = hmac.new(key.encode(), connection_id.encode(), hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["ce-signature"], f"sha256={expected}")
        assert headers["ce-id"] and datetime.strptime(headers["ce-time"], "%Y-%m-%dT%H:%M:%SZ")
        assert headers["content-type"].startswith("application/json")
    assert connected["ce-id"] != disconnected["ce-id"]
    assert json.loads(connected_body) == {}
    assert json.loads(disconnected_body)["reason"]


@pytest.mark.parametrize("allowed_origin", [None, "somewhere-else.example"], ids=["no-header", "other-origin"])
def test_a_handler_that_fails_the_handshake_gets_no_events(handler_factory, allowed_origin):
    handler = handler_factory(allowed_origin)
    with StandIn.start() as standin:
        standin.set_event_handler(handler.url + "/events")
        sdk = WebPubSubServiceClient.from_connection_string(standin.connection_string, hub=standin.hub)
        url = sdk.get_client_access_token(user_id="alice")["url"]

        async def scenario(session):
            socket, _ = await connect(session, url)
            await socket.close()

        run(scenario)
        until(lambda: "refused the abuse-protection handshake" in standin.output())
        time.sleep(1.0)  # time enough for the events, had they been sent
    assert [method for method, _, _, _ in handler.requests] == ["OPTIONS"]
