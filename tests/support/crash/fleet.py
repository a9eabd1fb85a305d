"""The hosts under test and the clients that call them.

``Fleet``: one or two local hosts on one storage, each on a port of its own that it keeps
across restarts, killed with SIGKILL and started again. ``Caller``: a careful client,
which asks again, the same (the same Idempotency-Key, the same provider ids), whenever an
answer was lost or says the outcome is not known yet, until the answer is final or its
patience runs out. ``Ledger``: what the hosts promised, for the checks made afterwards.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from localhost.processes import free_port
from localhost.services import LocalHost
from localhost.simulate.delivery import Delivery
from tests.support import identity

log = logging.getLogger("crash")

RETRIED_CODES = {"idempotency_request_in_flight"}


class Fleet:
    def __init__(self, env: Mapping[str, str], count: int) -> None:
        self.env = dict(env)
        self.ports = [free_port() for _ in range(count)]
        self.hosts: list[LocalHost | None] = [None] * count
        self.kills = 0
        self.logs: list[str] = []  # of every host stopped or killed so far
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.ports)

    def url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"

    def start(self, index: int) -> None:
        self.hosts[index] = LocalHost.start(self.env, port=self.ports[index])

    def start_all(self) -> None:
        for index in range(len(self)):
            self.start(index)

    def kill(self, index: int) -> None:
        with self._lock:
            host, self.hosts[index] = self.hosts[index], None
            if host is not None:
                host.kill()
                self.logs.append(host.output())
                self.kills += 1

    def stop_all(self) -> None:
        for index, host in enumerate(self.hosts):
            if host is not None:
                host.stop()
                self.logs.append(host.output())
                self.hosts[index] = None

    def logged(self, text: str) -> int:
        """How many lines of the hosts' logs so far hold ``text``."""
        return sum(line.count(text) for line in self.logs)


@dataclass
class Ledger:
    """What was asked and what the hosts answered, in the end."""

    inbound: list[tuple[str, str, str]] = field(default_factory=list)  # (provider, provider id, customer) taken
    sends: list[dict[str, Any]] = field(default_factory=list)  # each send asked for, and its final answer
    refused: list[str] = field(default_factory=list)  # what a host answered that it never should have
    unanswered: list[str] = field(default_factory=list)  # asked until patience ran out
    actions: dict[str, int] = field(default_factory=dict)  # final answers to agents' actions, by route and status
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, item: Any) -> None:
        with self.lock:
            getattr(self, name).append(item)

    def count(self, what: str) -> None:
        with self.lock:
            self.actions[what] = self.actions.get(what, 0) + 1


class Caller:
    def __init__(self, fleet: Fleet, ledger: Ledger, rng: random.Random, patience: Callable[[], float]) -> None:
        self._fleet = fleet
        self._ledger = ledger
        self._rng = rng
        self._patience = patience  # the monotonic time after which nothing is asked again
        self._tokens: dict[tuple[str, tuple[str, ...]], str] = {}

    @property
    def public_url(self) -> str:
        return self._fleet.env["PUBLIC_BASE_URL"]

    def _base(self) -> str:
        return self._fleet.url(self._rng.randrange(len(self._fleet)))

    def _pause(self) -> None:
        time.sleep(self._rng.uniform(0.1, 0.5))

    def api(self, who: str, roles: tuple[str, ...], method: str, path: str, body: Any = None,
            key: str | None = None) -> requests.Response | None:
        """The final answer to an API call, asked again while its outcome is not known."""
        headers = {"Authorization": f"Bearer {self._token(who, roles)}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        while time.monotonic() < self._patience():
            try:
                answer = requests.request(method, f"{self._base()}/api{path}", json=body, headers=headers, timeout=30)
            except requests.RequestException:
                self._pause()
                continue
            if answer.status_code == 500:
                self._ledger.add("refused", f"{method} {path}: 500 {answer.text[:200]}")
            if not _unknown(answer):
                return answer
            self._pause()
        self._ledger.add("unanswered", f"{method} {path}")
        return None

    def deliver(self, build: Callable[[str], Delivery]) -> requests.Response | None:
        """A provider's webhook, delivered again (the same ids) until it is taken."""
        while time.monotonic() < self._patience():
            base = self._base()
            delivery = build(base)  # signed for the URL it goes to
            try:
                answer = requests.request(delivery.method, base + delivery.path, data=delivery.body,
                                          headers=delivery.headers, timeout=30)
            except requests.RequestException:
                self._pause()
                continue
            if answer.status_code < 300:
                return answer
            if answer.status_code < 500:
                self._ledger.add("refused", f"{delivery.what}: {answer.status_code} {answer.text[:200]}")
                return answer
            self._pause()
        self._ledger.add("unanswered", "a webhook")
        return None

    def _token(self, who: str, roles: tuple[str, ...]) -> str:
        if (who, roles) not in self._tokens:
            self._tokens[(who, roles)] = identity.token(self._fleet.env, who, roles)
        return self._tokens[(who, roles)]


def _unknown(answer: requests.Response) -> bool:
    """Whether the answer leaves the outcome open: a server error other than a provider's
    refusal, or the request under the same key still running."""
    try:
        code = answer.json().get("error", {}).get("code")
    except ValueError:
        code = None
    if answer.status_code >= 500:
        return code != "provider_error"
    return answer.status_code == 409 and code in RETRIED_CODES
