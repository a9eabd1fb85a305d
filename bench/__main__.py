"""Run with `make bench` (or `python -m bench --messages 400 --concurrency 8`).

Starts its own Azurite and local host, registers a Twilio account, then:
  1. sends N signed inbound webhooks through the host (half from new customers, half
     into conversations that exist) and reports messages/s and p50/p99 latency;
  2. counts storage round trips per message, new and existing conversation;
  3. runs the same ingest directly against storage, without HTTP, for the ratio.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import requests
from cryptography.fernet import Fernet

from channels.base import InboundMessage
from config import Settings
from functions.wiring import build
from localhost.services import Azurite, LocalHost
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    half = args.messages // 2

    with tempfile.TemporaryDirectory() as data, Azurite.start(Path(data)) as storage:
        env = {"AzureWebJobsStorage": storage.connection_string, "SWITCHBOARD_SEALING_KEY": Fernet.generate_key().decode(),
               "SWITCHBOARD_TABLE_PREFIX": "b" + secrets.token_hex(4)}
        with LocalHost.start(env) as host:
            session = requests.Session()
            created = session.post(f"{host.base_url}/api/admin/accounts", json=account_body(),
                                   headers={"x-functions-key": host.key}, timeout=30)
            created.raise_for_status()
            account_id = created.json()["id"]
            url = f"{host.base_url}/api/twilio/{account_id}/inbound"

            def webhook(i: int, who: str) -> Callable[[], None]:
                form = fixture_form("twilio_sms_inbound.txt", MessageSid=f"SMb{i:031d}", From=who)
                headers = {"X-Twilio-Signature": sign(url, form), "Content-Type": "application/x-www-form-urlencoded"}

                def call() -> None:
                    requests.post(url, data=encode(form), headers=headers, timeout=30).raise_for_status()
                return call

            print(f"{args.messages} inbound messages, {args.concurrency} at a time\n")
            jobs = [webhook(i, customer(i)) for i in range(half)]
            jobs += [webhook(half + i, customer(i)) for i in range(args.messages - half)]
            elapsed_new, lat_new = timed(jobs[:half], args.concurrency)
            elapsed_old, lat_old = timed(jobs[half:], args.concurrency)
            http_rate = report("HTTP, new conversation", elapsed_new, lat_new)
            http_rate_old = report("HTTP, existing", elapsed_old, lat_old)

        trips = RoundTrips()
        services = build(Settings.from_env(env), request_hooks=[trips])
        account = services.accounts.get(account_id)

        def ingest(i: int, who: str) -> Callable[[], None]:
            message = InboundMessage(provider="twilio", account_id=account_id, provider_message_id=f"SMd{i:031d}",
                                     business=BUSINESS_E164, customer=who, body="Ahoy")
            return lambda: services.engine.ingest(account, message)

        base = 10_000_000
        ingest(base, customer(base))()  # warm the table clients and caches
        trips.reset()
        ingest(base + 1, customer(base + 1))()
        new_trips = trips.count
        trips.reset()
        ingest(base + 2, customer(base + 1))()
        old_trips = trips.count

        direct = [ingest(base + 10 + i, customer(base + 10 + i)) for i in range(half)]
        direct += [ingest(base + 10 + half + i, customer(base + 10 + i)) for i in range(args.messages - half)]
        elapsed_dn, lat_dn = timed(direct[:half], args.concurrency)
        elapsed_do, lat_do = timed(direct[half:], args.concurrency)
        direct_rate = report("direct, new", elapsed_dn, lat_dn)
        direct_rate_old = report("direct, existing", elapsed_do, lat_do)

    print(f"\nstorage round trips per message: new conversation {new_trips}, existing {old_trips}")
    print(f"HTTP / direct throughput: new {http_rate / direct_rate:.2f}, existing {http_rate_old / direct_rate_old:.2f}")


if __name__ == "__main__":
    main()
