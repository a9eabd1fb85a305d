"""Live updates in the browser: the workspace hears of changes over Web PubSub (the local
stand-in, localhost/webpubsub/) and asks the change feed once per burst of notices, with no
long poll while its socket is up; a connection the service closes comes back with a fresh
token and a re-sync; while the socket cannot connect, the long poll keeps the screen live,
and stops once the socket is back; without Web PubSub, the long poll alone, as before. The
page's calls are counted from Playwright's events (its requests, its sockets' frames)."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from azure.messaging.webpubsubservice import WebPubSubServiceClient
from playwright.sync_api import Page, Route, WebSocket, expect

from localhost.easyauth import object_id_of
from tests.browser.customers import support_with_ada, text_in
from tests.browser.support import check_page
from tests.browser.test_distribution import available, offer_of

AGENT = "Switchboard.Agent"
LONG_WAIT = "25"  # the long poll's wait (WAIT_S, web/app/workspace/follow.ts)


@dataclass
class Traffic:
    """What a page did, in order: its change-feed calls (with their wait), its calls for a
    socket URL, the sockets it opened, and what came over them."""

    page: Page
    events: list[tuple[float, str, str]] = field(default_factory=list)  # (when, kind, detail)

    def __post_init__(self) -> None:
        self.page.on("request", self._request)
        self.page.on("websocket", self._socket)

    def _request(self, request) -> None:
        url = urlsplit(request.url)
        if url.path == "/api/me/changes":
            self.events.append((time.monotonic(), "changes", parse_qs(url.query).get("wait", ["0"])[0]))
        elif url.path == "/api/me/realtime":
            self.events.append((time.monotonic(), "negotiate", ""))

    def _socket(self, socket: WebSocket) -> None:
        self.events.append((time.monotonic(), "socket", socket.url.partition("?")[0]))
        socket.on("framereceived", self._frame)
        socket.on("close", lambda _socket: self.events.append((time.monotonic(), "closed", "")))

    def _frame(self, payload: str | bytes) -> None:
        frame = json.loads(payload)
        if frame.get("type") == "system":
            self.events.append((time.monotonic(), frame["event"], ""))
        elif frame.get("type") == "message":
            self.events.append((time.monotonic(), "message", json.dumps(frame["data"])))

    def since(self, after: float, kind: str) -> list[str]:
        return [detail for at, k, detail in self.events if at >= after and k == kind]

    def last(self, kind: str) -> float:
        return max((at for at, k, _ in self.events if k == kind), default=0.0)

    def wait(self, check: Callable[[], bool], timeout: float = 10, what: str = "") -> None:
        """Until ``check()`` holds; Playwright delivers the page's events while it waits."""
        deadline = time.monotonic() + timeout
        while not check():
            assert time.monotonic() < deadline, f"{what or 'the page'} not within {timeout} s: {self.summary()}"
            self.page.wait_for_timeout(100)

    def quiet(self, seconds: float = 1.5) -> None:
        """Lets what is under way finish (the page's calls after the last notice)."""
        self.page.wait_for_timeout(seconds * 1000)

    def summary(self) -> list[tuple[str, str]]:
        return [(kind, detail[:60]) for _, kind, detail in self.events]


@pytest.fixture(scope="module")
def world(api) -> dict:
    """Support (push), Ada in its unqueued conversations."""
    return {"account": support_with_ada(api, offer_timeout_seconds=3600)}  # offers left open outlast the module


def watched_workspace(new_page, prepare: Callable[[Page], None] = lambda _page: None) -> tuple[Page, Traffic]:
    """Ada's workspace in a new tab of her signed-in browser, watched from its first request
    (``prepare`` runs before it loads); the tab she signed in with is closed."""
    signed_in = new_page("Ada", AGENT)
    page = signed_in.context.new_page()
    traffic = Traffic(page)
    prepare(page)
    page.goto("/")
    expect(page.locator(".who .name")).to_have_text("Ada")
    signed_in.close()
    return page, traffic


def live_workspace(new_page, api) -> tuple[Page, Traffic]:
    """Ada's workspace, watched from its first request, connected and available, with its
    re-sync on connecting done."""
    assert api.webpubsub is not None, "the browser tests' host has the Web PubSub stand-in"
    ada, traffic = watched_workspace(new_page)
    traffic.wait(lambda: traffic.since(0, "connected"), what="the socket connected")
    available(ada)
    traffic.wait(lambda: traffic.last("changes") > traffic.last("connected"), what="the re-sync on connecting")
    traffic.quiet()
    return ada, traffic


def service(api) -> WebPubSubServiceClient:
    return WebPubSubServiceClient.from_connection_string(api.webpubsub.connection_string, hub=api.webpubsub.hub)


def test_an_offer_arrives_over_the_socket_with_one_call_and_no_long_poll(new_page, api, world, artifacts):
    ada, traffic = live_workspace(new_page, api)
    burst = time.monotonic()
    text_in(api, world["account"], "+12065550170", "Is my parcel late?")
    expect(offer_of(ada, "+12065550170")).to_be_visible(timeout=10_000)  # how fast: `make bench`
    expect(ada.locator(".workspace > [aria-live]")).to_have_text("New offer: +12065550170")
    traffic.quiet()

    notices, calls = traffic.since(burst, "message"), traffic.since(burst, "changes")
    print(f"\none customer's message: {len(notices)} notices over the socket, {len(calls)} change-feed calls {calls}")
    assert notices, "the offer was announced over the socket"
    assert all('"changed"' in n for n in notices)
    assert calls == ["0"], "one change-feed call for the burst, without waiting"
    everything = traffic.since(0, "changes")
    assert LONG_WAIT not in everything and set(everything) == {"0"}, f"no long poll while connected: {everything}"
    assert len(traffic.since(0, "socket")) == 1 and not traffic.since(0, "closed"), "the one socket stayed up"
    check_page(ada, "workspace-offer-live", artifacts)  # no CSP violation: the socket's origin is allowed


def test_a_closed_connection_comes_back_with_a_fresh_token_and_a_resync(new_page, api, world):
    ada, traffic = live_workspace(new_page, api)
    asked = len(traffic.since(0, "negotiate"))
    dropped = time.monotonic()
    service(api).close_user_connections(object_id_of("Ada"))
    traffic.wait(lambda: traffic.since(dropped, "closed"), what="the socket closed")
    traffic.wait(lambda: traffic.since(dropped, "connected"), timeout=15, what="the socket reconnected")
    back = traffic.last("connected")
    traffic.wait(lambda: traffic.last("changes") > back, what="the re-sync after reconnecting")
    assert traffic.since(back, "changes")[0] == "0"
    assert len(traffic.since(0, "negotiate")) > asked, "the reconnect asked for a fresh token"
    assert len(traffic.since(0, "socket")) == 2, "one new socket"
    assert LONG_WAIT not in traffic.since(dropped, "changes"), "back at once: no long poll meanwhile"

    traffic.quiet()
    resumed = time.monotonic()
    text_in(api, world["account"], "+12065550171", "Still there?")
    expect(offer_of(ada, "+12065550171")).to_be_visible(timeout=10_000)
    traffic.quiet()
    assert traffic.since(resumed, "changes") == ["0"], "one call for the burst, on the new connection"
    print(f"\nafter the reconnect: change-feed calls {traffic.since(dropped, 'changes')}")


def test_while_the_socket_cannot_connect_the_long_poll_keeps_the_screen_live(new_page, api, world):
    ada, traffic = live_workspace(new_page, api)

    def refused(route: Route) -> None:
        """The route's real answer with a token the service refuses (as an outage would)."""
        answer = route.fetch()
        access = answer.json()
        access["url"] = re.sub(r"access_token=[^&]+", "access_token=refused", access["url"])
        route.fulfill(response=answer, json=access)

    ada.route("**/api/me/realtime", refused)
    dropped = time.monotonic()
    service(api).close_user_connections(object_id_of("Ada"))
    traffic.wait(lambda: LONG_WAIT in traffic.since(dropped, "changes"), timeout=15, what="the long poll")
    assert not traffic.since(dropped, "connected")

    text_in(api, world["account"], "+12065550172", "Hello from the fallback")
    expect(offer_of(ada, "+12065550172")).to_be_visible(timeout=10_000)
    print(f"\nsocket down: change-feed calls {traffic.since(dropped, 'changes')}, "
          f"{len(traffic.since(dropped, 'socket'))} refused socket attempts")

    ada.unroute("**/api/me/realtime")
    traffic.wait(lambda: traffic.since(dropped, "connected"), timeout=45, what="the socket back")
    back = traffic.last("connected")
    traffic.wait(lambda: traffic.last("changes") > back, what="the re-sync after reconnecting")
    traffic.quiet(3)
    assert LONG_WAIT not in traffic.since(back, "changes"), "no long poll once the socket is back"
    later = time.monotonic()
    text_in(api, world["account"], "+12065550173", "And now?")
    expect(offer_of(ada, "+12065550173")).to_be_visible(timeout=10_000)
    traffic.quiet()
    assert traffic.since(later, "changes") == ["0"]
    check_page(ada, "workspace-live-again")


def test_without_web_pubsub_the_workspace_long_polls_as_before(new_page, api, world):
    """A deployment without Web PubSub answers long_poll: no socket, the long poll alone."""
    ada, traffic = watched_workspace(new_page, lambda page: page.route(
        "**/api/me/realtime", lambda route: route.fulfill(json={"transport": "long_poll"})))
    traffic.wait(lambda: LONG_WAIT in traffic.since(0, "changes"), what="the long poll")
    available(ada)
    text_in(api, world["account"], "+12065550174", "Plain old polling")
    expect(offer_of(ada, "+12065550174")).to_be_visible(timeout=10_000)
    assert not traffic.since(0, "socket") and traffic.since(0, "negotiate")


def test_a_queue_taken_from_the_agent_leaves_her_screen_when_the_socket_comes_back(new_page, api, world):
    """An admin's change of Ada's queues closes her connections; the re-sync on reconnecting
    reads every list whole, so the queue she no longer works leaves the screen."""
    ada, traffic = live_workspace(new_page, api)
    available(ada, "away")  # nothing offered: what comes waits in her queue
    text_in(api, world["account"], "+12065550178", "Anyone there?")
    queue = ada.get_by_role("region", name=re.compile(r"^Queue: Support"))
    expect(queue.get_by_role("link").filter(has_text="+12065550178")).to_be_visible(timeout=5_000)
    ada_id, queues = object_id_of("Ada"), api.call("GET", f"/admin/agents/{object_id_of('Ada')}").json()["queues"]
    assert api.call("PATCH", f"/admin/agents/{ada_id}", {"queues": []}).status_code == 200
    try:
        expect(queue).to_have_count(0, timeout=15_000)
    finally:
        api.call("PATCH", f"/admin/agents/{ada_id}", {"queues": queues})
