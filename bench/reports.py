"""Reports at two sizes: a 30-day summary of one workstream at 1,000 and at 20,000
conversations, its storage round trips and latency side by side once the finished days
are computed (and the first call, which computes them), and the live figures' round trips.

The fact rows are written as the inbox table holds them (a range per day of the
workstream's partition, in batches), spread evenly over the 29 finished days, and TODAY more today at both sizes:
today's figures are read from its fact rows, so they cost what today holds, not what the
history does.
"""

from __future__ import annotations

import secrets
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import requests
from cryptography.fernet import Fernet

from bench.inbox import _written
from core.facts import Facts
from core.reports import FactRow, ReportQuery
from functions.settings import Settings
from functions.wiring import build
from localhost.services import Azurite, LocalHost
from storage.fact_rows import fact_entity
from tests.support.identity import bearer
from tests.support.scopes import ALICE
from tests.support.storage import RoundTrips
from tests.support.twilio import BUSINESS, account_body

DAYS = 30
ENVS: dict[int, dict[str, str]] = {}
TODAY = 30  # conversations so far today, at both sizes: today is read as it stands
READS = 20


def run(sizes: tuple[int, ...] = (1_000, 20_000)) -> None:
    with (tempfile.TemporaryDirectory() as data, Azurite.start(Path(data), in_memory=True) as storage,
          ExitStack() as stack):
        sites = [_site(storage.connection_string, data, size) for size in sizes]
        hosts = {size: (env, stack.enter_context(LocalHost.start(env))) for size, env in ENVS.items()}
        now = datetime.now(timezone.utc)
        asked = {size: ReportQuery((now - timedelta(days=DAYS - 1)).date(), now.date(), workstream_id)
                 for size, _, _, workstream_id in sites}
        for size, services, trips, _ in sites:
            trips.reset()
            started = time.perf_counter()
            services.reporting.history.summary(ALICE, asked[size])
            print(f"{size:>6,} conversations: first summary (computes {DAYS - 1} finished days) "
                  f"{(time.perf_counter() - started) * 1000:6.0f} ms, {trips.count} round trips")
        took: dict[int, list[float]] = {size: [] for size, *_ in sites}
        counted: dict[int, int] = {}
        for _ in range(READS):  # in turns, so drift of the machine hits both sizes alike
            for size, services, trips, _ in sites:
                trips.reset()
                started = time.perf_counter()
                services.reporting.history.summary(ALICE, asked[size])
                took[size].append(time.perf_counter() - started)
                counted[size] = trips.count
        for size, *_ in sites:
            print(f"{size:>6,} conversations: 30-day summary p50 {statistics.median(took[size]) * 1000:6.1f} ms, "
                  f"{counted[size]} round trips (the digests' range, today's fact rows)")
        first, last = sites[0][0], sites[-1][0]
        print(f"  latency ratio {statistics.median(took[last]) / statistics.median(took[first]):.2f}")
        alone = {size: _reads_alone(services, asked[size], workstream_id) for size, services, _, workstream_id in sites}
        print(f"  its two storage reads alone: {alone[first] * 1000:.1f} ms and {alone[last] * 1000:.1f} ms "
              f"(Azurite filters every row of a table for any query; Table storage reads one partition)")
        over_http: dict[int, list[float]] = {size: [] for size, *_ in sites}
        for _ in range(READS):
            for size, _services, _trips, workstream_id in sites:
                env, host = hosts[size]
                q = asked[size]
                started = time.perf_counter()
                answer = requests.get(f"{host.base_url}/api/reports/summary?workstream_id={workstream_id}"
                                      f"&from={q.first}&to={q.last}", headers=bearer(env), timeout=60)
                over_http[size].append(time.perf_counter() - started)
                assert answer.status_code == 200, answer.text
        for size, *_ in sites:
            print(f"{size:>6,} conversations: the same over HTTP p50 {statistics.median(over_http[size]) * 1000:6.1f} ms")
        print(f"  latency ratio over HTTP {statistics.median(over_http[last]) / statistics.median(over_http[first]):.2f}")
        for size, services, trips, workstream_id in sites:
            trips.reset()
            services.reporting.live.live(ALICE, workstream_id)
            print(f"{size:>6,} conversations: live figures of one workstream, {trips.count} round trips")


def _reads_alone(services: Any, q: ReportQuery, workstream_id: str) -> float:
    """Median time of the summary's two storage reads straight to storage: the digests'
    ETags and today's fact rows."""
    reports, took = services.stores.reports, []
    for _ in range(READS):
        started = time.perf_counter()
        reports.digest_tags(workstream_id, q.first.isoformat(), (q.last - timedelta(days=1)).isoformat())
        reports.rows(workstream_id, q.last.isoformat(), 1000)
        took.append(time.perf_counter() - started)
    return statistics.median(took)


def _site(connection_string: str, data: str, size: int) -> tuple[int, Any, RoundTrips, str]:
    env = {"AzureWebJobsStorage": connection_string, "SWITCHBOARD_TABLE_PREFIX": "r" + secrets.token_hex(4),
           "SWITCHBOARD_SEALING_KEY": Fernet.generate_key().decode(), "SWITCHBOARD_LOCAL_DIR": data}
    ENVS[size] = env
    trips = RoundTrips()
    services = build(Settings.from_env(env), request_hooks=[trips])
    earlier = build(Settings.from_env(env), clock=lambda: datetime.now(timezone.utc) - timedelta(days=DAYS + 1))
    account = earlier.admin.accounts.create(account_body())
    workstream = earlier.admin.workstreams.create({"name": "Support", "channel": "sms", "account_id": account.id,
                                                  "number": BUSINESS})  # made before the days its rows are on
    started = time.perf_counter()
    _populate(services, workstream.id, size)
    print(f"{size:>6,} fact rows written in {time.perf_counter() - started:5.1f} s")
    return size, services, trips, workstream.id


def _populate(services: Any, workstream_id: str, size: int) -> None:
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    by_partition: dict[str, list[dict[str, Any]]] = {}
    for i in range(size + TODAY):
        days = 1 + i % (DAYS - 1) if i < size else 0
        created = today - timedelta(days=days) + timedelta(seconds=i % 80_000)
        entity = fact_entity(_row(workstream_id, i, created))
        by_partition.setdefault(entity["PartitionKey"], []).append(entity)
    table = services.stores.storage.table("inbox")
    batches = [rows[first:first + 100] for rows in by_partition.values() for first in range(0, len(rows), 100)]
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda batch: _written(table, batch), batches))


def _row(workstream_id: str, i: int, created: datetime) -> FactRow:
    queued, accepted = created, created + timedelta(seconds=30 + i % 300)
    answered = i % 7 != 0
    facts = Facts(queued_at=queued, accepted_at=accepted if answered else None,
                  first_agent_reply_at=accepted + timedelta(seconds=20) if answered else None,
                  closed_at=accepted + timedelta(minutes=5 + i % 20), closed_by="agent", customer_messages=2,
                  agent_messages=2 if answered else 0, agents=(f"agent-{i % 40}",) if answered else (),
                  csat=1 + i % 5 if i % 3 == 0 else None)
    return FactRow(secrets.token_hex(22), workstream_id, created.date().isoformat(), created.hour, created, "general",
                   "sms", "twilio", "", facts)
