"""Assignment: from a new customer's signed webhook until the offer shows in the agent's
change feed (a long poll, as the workspace holds it), through the local host, p50/p99;
and, straight against storage, the round trips of each path that moves a conversation
(a new one offered, accepted, a message into it, a new one nobody is available for, a
sweep run closing one)."""

from __future__ import annotations

import random
import secrets
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import requests
from cryptography.fernet import Fernet

from functions.settings import Settings
from functions.wiring import build
from localhost.easyauth import object_id_of
from localhost.services import Azurite, LocalHost
from tests.conftest import FakeClock
from tests.support.desk import customer, open_desk
from tests.support.identity import bearer
from tests.support.storage import RoundTrips
from tests.support.twilio import BUSINESS, account_body, encode, fixture_form, sign


def run(offers: int = 40) -> None:
    with tempfile.TemporaryDirectory() as data, Azurite.start(Path(data)) as storage:
        env = {"AzureWebJobsStorage": storage.connection_string, "SWITCHBOARD_TABLE_PREFIX": "d" + secrets.token_hex(4),
               "SWITCHBOARD_SEALING_KEY": Fernet.generate_key().decode(), "SWITCHBOARD_LOCAL_DIR": data}
        with LocalHost.start(env) as host:
            latencies = _webhook_to_feed(host.base_url, env, offers)
        cuts = statistics.quantiles(latencies, n=100)
        print(f"webhook to offer in the agent's change feed: p50 {cuts[49] * 1000:6.1f} ms   "
              f"p99 {cuts[98] * 1000:6.1f} ms   ({offers} offers; the feed reads storage once a second)")
        _round_trips({**env, "SWITCHBOARD_TABLE_PREFIX": "r" + secrets.token_hex(4)})


def _webhook_to_feed(base_url: str, env: dict[str, str], offers: int) -> list[float]:
    admin, ana = requests.Session(), requests.Session()
    admin.headers.update(bearer(env))
    ana.headers.update(bearer(env, "ana", ("agent",)))
    api = base_url + "/api"
    account = admin.post(f"{api}/admin/accounts", json=account_body(), timeout=30).json()
    workstream = admin.post(f"{api}/admin/workstreams", json={
        "name": "Support", "account_id": account["id"], "number": BUSINESS, "queues": ["general"],
        "default_queue": "general"}, timeout=30).json()
    ana.get(f"{api}/me", timeout=30).raise_for_status()
    admin.patch(f"{api}/admin/agents/{object_id_of('ana')}", json={
        "queues": [{"workstream_id": workstream["id"], "queue": "general"}], "capacity": {"sms": 5}}, timeout=30)
    ana.put(f"{api}/me/presence", json={"presence": "available"}, timeout=30).raise_for_status()
    cursor = ana.get(f"{api}/me/changes", timeout=30).json()["cursor"]
    latencies = []
    with ThreadPoolExecutor(1) as pool:
        for i in range(offers):
            waiting = pool.submit(_until_offered, ana, api, cursor, customer(i))
            time.sleep(random.uniform(0.05, 1.0))  # the feed is waiting, somewhere in its second
            started = time.perf_counter()
            _customer_writes(api, account["id"], customer(i), i)
            cursor, offered = waiting.result()
            latencies.append(time.perf_counter() - started)
            ana.post(f"{api}/conversations/{offered}/accept", timeout=30).raise_for_status()
            ana.post(f"{api}/conversations/{offered}/close", timeout=30).raise_for_status()
    return latencies


def _until_offered(ana: requests.Session, api: str, cursor: str, who: str) -> tuple[str, str]:
    while True:
        answer: dict[str, Any] = ana.get(f"{api}/me/changes", params={"since": cursor, "wait": 25}, timeout=60).json()
        cursor = answer["cursor"]
        found = [c["id"] for c in answer.get("offers", []) if c["customer"] == who]
        if found:
            return cursor, found[0]


def _customer_writes(api: str, account_id: str, who: str, i: int) -> None:
    url = f"{api}/twilio/{account_id}/inbound"
    form = fixture_form("twilio_sms_inbound.txt", MessageSid=f"SMa{i:031d}", From=who)
    requests.post(url, data=encode(form), headers={"X-Twilio-Signature": sign(url, form),
                                                   "Content-Type": "application/x-www-form-urlencoded"},
                  timeout=30).raise_for_status()


def _round_trips(env: dict[str, str]) -> None:
    """The round trips of each path that moves a conversation, each a customer's first on
    its number (so the hashed opt-out is read too), on warm clients and caches. The clock
    starts early today, so that every step (two auto-close periods go by) falls on one
    day: a move after its conversation's day ended marks that day's digest stale, one
    write more, and the figures would depend on the hour the bench runs."""
    trips = RoundTrips()
    clock = FakeClock(datetime.now(timezone.utc).replace(hour=0, minute=30, second=7, microsecond=250000))
    services = build(Settings.from_env(env), request_hooks=[trips], clock=clock)
    desk = open_desk(services, clock)
    ana = desk.agent("ana", capacity=50)
    services.distribution.assignments.accept(desk.customer_writes(customer(0)), ana)  # every client made once
    desk.customer_writes(customer(0), "warm")
    counted: dict[str, int] = {}

    def count(path: str, step: Callable[[], Any]) -> Any:
        trips.reset()
        found = step()
        counted[path] = trips.count
        return found

    conversation = count("new conversation, offered", lambda: desk.customer_writes(customer(1)))
    count("accepted", lambda: services.distribution.assignments.accept(conversation, ana))
    count("a message into it", lambda: desk.customer_writes(customer(1), "one more thing"))
    services.distribution.presence.set(ana, "away")
    count("new conversation, nobody available", lambda: desk.customer_writes(customer(2)))
    services.messaging.actions.close(conversation, ana)
    clock.advance(minutes=desk.conversation(desk.customer_writes(customer(3))).auto_close_after_minutes + 1)
    services.messaging.sweep.run()  # closes the others due, so that one is left
    quiet = desk.customer_writes(customer(4))
    clock.advance(minutes=desk.conversation(quiet).auto_close_after_minutes + 1)
    count("a sweep run closing one", lambda: services.messaging.sweep.run())
    print("storage round trips: " + "; ".join(f"{path} {n}" for path, n in counted.items()))
    _service_level_trips(services, desk, clock, trips)


SKILLED = {"name": "Spanish", "conditions": [{"field": "body", "operator": "contains", "value": "hola"}],
           "queue": "general", "skills": [{"name": "Spanish", "min_proficiency": 5}]}


def _service_level_trips(services: Any, desk: Any, clock: FakeClock, trips: RoundTrips) -> None:
    """Service levels' cost: an offer that needs skills against one that does not, and a run
    of the distribution timer while conversations with targets wait and nothing is due."""
    services.admin.skills.create({"name": "Spanish"})
    services.admin.workstreams.update(desk.workstream_id, {
        "routing_rules": [SKILLED], "service_levels": {"first_response_minutes": 30, "resolution_minutes": 480}})
    bea = desk.agent("bea", capacity=50)
    services.admin.directory.update(bea.principal.id, {"skills": [{"name": "Spanish", "proficiency": 7}]})
    services.distribution.presence.set(bea, "available")
    desk.customer_writes(customer(10), "hola")  # the rules' and skills' caches warm
    counted: dict[str, int] = {}
    for path, n, body in (("without skills", 11, "hello"), ("with required skills", 12, "hola")):
        trips.reset()
        desk.customer_writes(customer(n), body)
        counted[path] = trips.count
    services.clockwork.run()
    trips.reset()
    services.clockwork.run()
    print(f"storage round trips: new conversation offered {counted['without skills']} without skills, "
          f"{counted['with required skills']} with required skills (both with SLA targets); a distribution timer "
          f"run with nothing due while conversations with SLA targets wait {trips.count}")
