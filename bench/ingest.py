"""Inbound messages: N signed webhooks through the local host (half from new customers,
half into conversations that exist) for messages/s and p50/p99 latency; storage round
trips per message, new and existing conversation; and the same ingest straight against
storage, without HTTP, for the ratio of what HTTP and the host add."""

from __future__ import annotations

import secrets
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import requests
from cryptography.fernet import Fernet

from core.messages import InboundMessage
from functions.settings import Settings
from functions.wiring import build
from localhost.services import Azurite, LocalHost
from tests.support.identity import bearer
from tests.support.storage import RoundTrips
from tests.support.twilio import BUSINESS_E164, account_body, encode, fixture_form, sign


def timed(jobs: list[Callable[[], None]], concurrency: int) -> tuple[float, list[float]]:
    def run(job: Callable[[], None]) -> float:
        start = time.perf_counter()
        job()
        return time.perf_counter() - start

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(run, jobs))
    return time.perf_counter() - start, latencies


def report(name: str, elapsed: float, latencies: list[float]) -> float:
    rate = len(latencies) / elapsed
    cuts = statistics.quantiles(latencies, n=100)
    print(f"{name:<22} {rate:8.1f} msg/s   p50 {cuts[49] * 1000:7.1f} ms   p99 {cuts[98] * 1000:7.1f} ms")
    return rate


def customer(i: int) -> str:
    return f"+1206{5550000 + i:07d}"


def run(messages: int, concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as data, Azurite.start(Path(data)) as storage:
        env = {"AzureWebJobsStorage": storage.connection_string, "SWITCHBOARD_SEALING_KEY": Fernet.generate_key().decode(),
               "SWITCHBOARD_TABLE_PREFIX": "b" + secrets.token_hex(4), "SWITCHBOARD_LOCAL_DIR": data}
        print(f"{messages} inbound messages, {concurrency} at a time\n")
        account_id, http_new, http_old = _through_host(env, messages, concurrency)
        direct_new, direct_old = _direct(env, account_id, messages, concurrency)
    print(f"HTTP / direct throughput: new {http_new / direct_new:.2f}, existing {http_old / direct_old:.2f}")


def _through_host(env: dict[str, str], messages: int, concurrency: int) -> tuple[str, float, float]:
    half = messages // 2
    with LocalHost.start(env) as host:
        created = requests.post(f"{host.base_url}/api/admin/accounts", json=account_body(), headers=bearer(env),
                                timeout=30)
        created.raise_for_status()
        account_id = created.json()["id"]
        url = f"{host.base_url}/api/twilio/{account_id}/inbound"

        def webhook(i: int, who: str) -> Callable[[], None]:
            form = fixture_form("twilio_sms_inbound.txt", MessageSid=f"SMb{i:031d}", From=who)
            headers = {"X-Twilio-Signature": sign(url, form), "Content-Type": "application/x-www-form-urlencoded"}
            return lambda: requests.post(url, data=encode(form), headers=headers, timeout=30).raise_for_status()

        jobs = [webhook(i, customer(i)) for i in range(half)]
        jobs += [webhook(half + i, customer(i)) for i in range(messages - half)]
        new = report("HTTP, new conversation", *timed(jobs[:half], concurrency))
        old = report("HTTP, existing", *timed(jobs[half:], concurrency))
    return account_id, new, old


def _direct(env: dict[str, str], account_id: str, messages: int, concurrency: int) -> tuple[float, float]:
    half = messages // 2
    trips = RoundTrips()
    services = build(Settings.from_env(env), request_hooks=[trips])
    account = services.stores.accounts.get(account_id)

    def ingest(i: int, who: str) -> Callable[[], None]:
        message = InboundMessage(provider="twilio", account_id=account_id, provider_message_id=f"SMd{i:031d}",
                                 business=BUSINESS_E164, customer=who, body="Ahoy")
        return lambda: services.messaging.ingest.message(account, message)

    base = 10_000_000
    ingest(base, customer(base))()  # warm the table clients and caches
    trips.reset()
    ingest(base + 1, customer(base + 1))()
    new_trips = trips.count
    trips.reset()
    ingest(base + 2, customer(base + 1))()
    print(f"storage round trips per message: new conversation {new_trips}, existing {trips.count}")
    jobs = [ingest(base + 10 + i, customer(base + 10 + i)) for i in range(half)]
    jobs += [ingest(base + 10 + half + i, customer(base + 10 + i)) for i in range(messages - half)]
    return (report("direct, new", *timed(jobs[:half], concurrency)),
            report("direct, existing", *timed(jobs[half:], concurrency)))
