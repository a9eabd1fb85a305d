"""Idle workspaces, long poll against push (Web PubSub, the stand-in), side by side
through one local host whose storage is counted by a proxy in front of Azurite: storage
transactions per second and Function HTTP executions held per open workspace at 1, 10
and 50 workspaces; webhook → offer on the agent's screen (the long poll's answer, or the
notice a connected client receives) p50/p99 at 1 and 50; and the publishes (HTTP calls
to Web PubSub) of a new conversation, an accept and a message."""

from __future__ import annotations

import secrets
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
from cryptography.fernet import Fernet

from bench.counting import CountingProxy
from localhost.easyauth import object_id_of
from localhost.services import Azurite, LocalHost, azurite_connection_string
from localhost.webpubsub.process import StandIn
from tests.support.identity import bearer
from tests.support.live import LiveClient
from tests.support.twilio import BUSINESS, account_body, encode, fixture_form, sign

WINDOW = 60.0  # seconds of idle workspaces counted: a whole period of each agent's watch
MODES = ("long poll", "push")


def run(sizes: tuple[int, ...] = (1, 10, 50), offers: int = 40) -> None:
    with tempfile.TemporaryDirectory() as data, Azurite.start(Path(data)) as storage:
        standin = StandIn.start()
        env = {"AzureWebJobsStorage": storage.connection_string, "SWITCHBOARD_TABLE_PREFIX": "l" + secrets.token_hex(4),
               "SWITCHBOARD_LOCAL_DIR": data, "SWITCHBOARD_SEALING_KEY": Fernet.generate_key().decode(),
               "WEBPUBSUB_CONNECTION_STRING": standin.connection_string}
        try:
            _idle_figures(env, storage, standin, sizes)
            with LocalHost.start(env) as host:  # storage straight, not through the counting proxy
                standin.set_event_handler(f"{host.base_url}/api/realtime/events")
                desk = _Desk(host.base_url + "/api", env, max(sizes))
                for n in (min(sizes), max(sizes)):
                    for mode in MODES:
                        on_screen, notified = _latencies(desk, mode, n, offers)
                        notice = f"; its notice received {_cuts(notified)}" if notified else ""
                        print(f"webhook to offer, {n:3d} workspaces, {mode:9s}: on screen {_cuts(on_screen)}{notice} "
                              f"({offers} offers)")
                print("publishes per change (HTTP calls to Web PubSub): "
                      + "; ".join(f"{k} {v}" for k, v in _publishes(desk, standin).items()))
        finally:
            standin.stop()


def _idle_figures(env: dict[str, str], storage: Azurite, standin: StandIn, sizes: tuple[int, ...]) -> None:
    """Through a host whose table and queue calls are counted: what the timers cost with
    nobody connected, then what each open workspace adds to it."""
    tables, queues = CountingProxy(storage.port), CountingProxy(storage.queue_port)
    counted = {**env, "AzureWebJobsStorage": azurite_connection_string("127.0.0.1", tables.port, queues.port),
               "SWITCHBOARD_TABLE_PREFIX": "i" + secrets.token_hex(4)}
    try:
        with LocalHost.start(counted) as host:
            standin.set_event_handler(f"{host.base_url}/api/realtime/events")
            desk = _Desk(host.base_url + "/api", counted, max(sizes))
            storage_counts = lambda: tables.count + queues.count  # noqa: E731
            baseline, _ = _idle(desk, "push", 0, storage_counts)
            print(f"  0 workspaces open: {baseline:5.2f} storage transactions/s (the timers)")
            for n in sizes:
                for mode in MODES:
                    per_second, held = _idle(desk, mode, n, storage_counts)
                    print(f"{n:3d} idle workspaces, {mode:9s}: {per_second:6.2f} storage transactions/s, "
                          f"{(per_second - baseline) / n:5.2f} per workspace beyond the timers', "
                          f"{held:4.2f} HTTP executions held per workspace")
    finally:
        tables.close()
        queues.close()


def _cuts(latencies: list[float]) -> str:
    cuts = statistics.quantiles(latencies, n=100)
    return f"p50 {cuts[49] * 1000:6.1f} ms p99 {cuts[98] * 1000:6.1f} ms"


class _Desk:
    """One workstream with one queue, an admin and ``agents`` agents in that queue."""

    def __init__(self, api: str, env: dict[str, str], agents: int) -> None:
        self.api, self.env, self.sent = api, env, 0
        self.admin = self.session("admin")
        self.account = self.admin.post(f"{api}/admin/accounts", json=account_body(), timeout=30).json()["id"]
        workstream = self.admin.post(f"{api}/admin/workstreams", json={
            "name": "Support", "account_id": self.account, "number": BUSINESS, "queues": ["general"],
            "default_queue": "general"}, timeout=30).json()
        self.agents = [f"agent{i:02d}" for i in range(agents)]
        for name in self.agents:
            self.session(name).get(f"{api}/me", timeout=30).raise_for_status()
            self.admin.patch(f"{api}/admin/agents/{object_id_of(name)}", json={
                "queues": [{"workstream_id": workstream["id"], "queue": "general"}], "capacity": {"sms": 50}},
                timeout=30).raise_for_status()

    def session(self, name: str) -> requests.Session:
        session = requests.Session()
        session.headers.update(bearer(self.env, name, ("admin",) if name == "admin" else ("agent",)))
        return session

    def presence(self, names: list[str], presence: str) -> None:
        for name in names:
            self.session(name).put(f"{self.api}/me/presence", json={"presence": presence}, timeout=30)

    def customer_writes(self, who: str | None = None) -> str:
        self.sent += 1
        who = who or f"+1206{self.sent:07d}"
        url = f"{self.api}/twilio/{self.account}/inbound"
        form = fixture_form("twilio_sms_inbound.txt", MessageSid=f"SMl{self.sent:031d}", From=who)
        requests.post(url, data=encode(form), headers={"X-Twilio-Signature": sign(url, form),
                                                       "Content-Type": "application/x-www-form-urlencoded"},
                      timeout=30).raise_for_status()
        return who


class _Workspace:
    """One agent's open workspace: a long-poll loop, or a live connection; either notes
    when each offer first reached it."""

    def __init__(self, desk: _Desk, name: str, mode: str) -> None:
        self.seen: dict[str, float] = {}
        self._cursor: str | None = None  # push: the change feed's, as the workspace keeps it
        self.in_flight = 0
        self._stop = threading.Event()
        self._session = desk.session(name)
        self._api = desk.api
        self._live: LiveClient | None = None
        if mode == "push":
            self._live = LiveClient(self._session.get(f"{desk.api}/me/realtime", timeout=30).json()["url"])
            self._cursor = self._changes(None, 0)
        else:
            threading.Thread(target=self._poll, daemon=True).start()

    def _poll(self) -> None:
        cursor = None
        while not self._stop.is_set():
            self.in_flight += 1
            try:
                cursor = self._changes(cursor, 25 if cursor else 0)
            except requests.RequestException:
                time.sleep(0.5)
            finally:
                self.in_flight -= 1

    def _changes(self, cursor: str | None, wait: int) -> str:
        """One call of the change feed; each offer in it is on screen from now."""
        answer = self._session.get(f"{self._api}/me/changes", params={"since": cursor, "wait": wait}, timeout=60)
        for c in answer.json().get("offers", []):
            self.seen.setdefault(c["id"], time.perf_counter())
        return answer.json()["cursor"]

    def finish(self, conversation_id: str) -> None:
        for step in ("accept", "close"):
            self._session.post(f"{self._api}/conversations/{conversation_id}/{step}", timeout=30)

    def notified(self) -> dict[str, float]:
        """Push: when the notice of each offer reached the connection."""
        assert self._live is not None
        return {f["data"]["conversation_id"]: at for at, f in self._live.frames
                if f.get("type") == "message" and "offers" in f["data"].get("lists", [])}

    def offers_seen(self) -> dict[str, float]:
        """When each offer was on screen: the long poll's answer; push, the fetch its
        notice leads to (as the workspace makes it)."""
        if self._live is not None:
            fresh = set(self.notified()) - set(self.seen)
            if fresh:
                self._cursor = self._changes(self._cursor, 0)
        return self.seen

    def close(self) -> None:
        self._stop.set()
        if self._live is not None:
            self._live.close()


def _open(desk: _Desk, mode: str, n: int) -> list[_Workspace]:
    """As an agent's day begins: the workspace opens (connects), then the agent is available."""
    names = desk.agents[:n]
    workspaces = [_Workspace(desk, name, mode) for name in names]
    time.sleep(0.5)  # the connections' events in
    desk.presence(names, "available")
    return workspaces


def _close(desk: _Desk, workspaces: list[_Workspace], n: int) -> None:
    """Closed, and quiet: a long poll held open goes on reading until it answers (≤ 25 s)."""
    for w in workspaces:
        w.close()
    deadline = time.monotonic() + 30
    while any(w.in_flight for w in workspaces) and time.monotonic() < deadline:
        time.sleep(0.2)
    desk.presence(desk.agents[:n], "offline")
    time.sleep(1)


def _idle(desk: _Desk, mode: str, n: int, counted: Any) -> tuple[float, float]:
    workspaces = _open(desk, mode, n)
    time.sleep(5)  # settled: first answers in, sockets connected, what opening them wrote written
    start, samples, held = counted(), 0, 0
    until = time.monotonic() + WINDOW
    while time.monotonic() < until:
        held += sum(w.in_flight for w in workspaces)
        samples += 1
        time.sleep(0.5)
    per_second = (counted() - start) / WINDOW
    _close(desk, workspaces, n)
    return per_second, held / samples / max(n, 1)


def _latencies(desk: _Desk, mode: str, n: int, offers: int) -> tuple[list[float], list[float]]:
    """Webhook → offer on screen, and (push) → its notice received."""
    workspaces = _open(desk, mode, n)
    time.sleep(2)
    on_screen: list[float] = []
    notified: list[float] = []
    for _ in range(offers):
        known = {cid for w in workspaces for cid in w.offers_seen()}
        started = time.perf_counter()
        desk.customer_writes()
        deadline = time.monotonic() + 30
        while not (fresh := [at for w in workspaces for cid, at in w.offers_seen().items() if cid not in known]):
            assert time.monotonic() < deadline, "an offer never reached a workspace"
            time.sleep(0.002)
        on_screen.append(min(fresh) - started)
        if mode == "push":
            notified.append(min(at for w in workspaces for cid, at in w.notified().items() if cid not in known)
                            - started)
        for w in workspaces:  # taken and closed: capacity is free for the next
            for cid in set(w.offers_seen()) - known:
                w.finish(cid)
    _close(desk, workspaces, n)
    return on_screen, notified


def _publishes(desk: _Desk, standin: StandIn) -> dict[str, int]:
    [workspace] = _open(desk, "push", 1)
    time.sleep(1)  # its connected event told (a presence publish of its own)
    agent = desk.session(desk.agents[0])
    counted: dict[str, int] = {}

    def sends() -> int:
        return sum(1 for c in standin.calls() if c["path"].endswith(":send"))

    standin.reset_calls()
    who = desk.customer_writes()
    counted["new conversation (offered)"] = sends()
    offered = agent.get(f"{desk.api}/conversations", params={"view": "offers"}, timeout=30).json()["conversations"]
    standin.reset_calls()
    agent.post(f"{desk.api}/conversations/{offered[0]['id']}/accept", timeout=30).raise_for_status()
    counted["accept"] = sends()
    standin.reset_calls()
    desk.customer_writes(who)
    counted["message"] = sends()
    _close(desk, [workspace], 1)
    return counted
