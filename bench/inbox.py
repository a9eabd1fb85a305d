"""Inbox pages at two sizes: one page of 50 of each view, through the local host (latency)
and straight against storage (round trips per page), at 1,000 and at 20,000
conversations; the ratio of the two sizes' latencies.

The conversations are written as the inbox index holds them (rows per list, in batches),
a quarter waiting in the queue, half held by agents, a quarter closed.
"""

from __future__ import annotations

import secrets
import statistics
import tempfile
import time
from contextlib import ExitStack
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import requests
from azure.core.exceptions import ServiceResponseError
from cryptography.fernet import Fernet

from conversations.distribution.inboxes import Query
from core.identity import Actor
from core.ids import new_conversation_id
from core.inbox import Placement
from core.records import ACTIVE, CLOSED, OPEN, Conversation
from functions.settings import Settings
from functions.wiring import build
from localhost.services import Azurite, LocalHost
from storage.inbox import keys
from storage.thread_rows import conversation_fields
from tests.support.identity import bearer
from tests.support.scopes import ALICE
from tests.support.storage import RoundTrips

WORKSTREAM = "b" * 32
READS = 40
VIEWS = {
    "all, open": "state=open",
    "workstream, active": f"view=workstream&workstream_id={WORKSTREAM}&state=active",
    "queue, oldest first": f"view=queue&workstream_id={WORKSTREAM}&queue=general",
}


def run(sizes: tuple[int, ...] = (1_000, 20_000)) -> None:
    # In memory: Azurite's periodic save of 20,000 conversations would stall every read meanwhile.
    with (tempfile.TemporaryDirectory() as data, Azurite.start(Path(data), in_memory=True) as storage,
          ExitStack() as stack):
        sites = []
        for size in sizes:
            env = {"AzureWebJobsStorage": storage.connection_string, "SWITCHBOARD_TABLE_PREFIX": "i" + secrets.token_hex(4),
                   "SWITCHBOARD_SEALING_KEY": Fernet.generate_key().decode(), "SWITCHBOARD_LOCAL_DIR": data}
            trips = RoundTrips()
            services = build(Settings.from_env(env), request_hooks=[trips])
            started = time.perf_counter()
            _populate(services, size)
            print(f"{size:>6,} conversations written in {time.perf_counter() - started:5.1f} s")
            sites.append((size, env, services, trips, stack.enter_context(LocalHost.start(env))))
        for name, query in VIEWS.items():
            _compare(name, query, sites)


def _compare(name: str, query: str, sites: list[tuple[Any, ...]]) -> None:
    """One view at every size, read in turns (so drift of the machine hits all sizes alike)."""
    times: dict[int, list[float]] = {size: [] for size, *_ in sites}
    sessions = {size: requests.Session() for size, *_ in sites}
    for _ in range(READS):
        for size, env, _services, _trips, host in sites:
            start = time.perf_counter()
            answer = sessions[size].get(f"{host.base_url}/api/conversations?limit=50&{query}", headers=bearer(env),
                                        timeout=30)
            times[size].append(time.perf_counter() - start)
            assert answer.status_code == 200 and len(answer.json()["conversations"]) == 50, answer.text
    figures, alone = [], {}
    for size, _env, services, trips, _host in sites:
        figures.append(f"{size:>6,}: p50 {statistics.median(times[size]) * 1000:5.1f} ms, "
                       f"{_round_trips(services, trips, query)} round trip(s)")
        alone[size] = _storage_alone(services, query)
    first, last = sites[0][0], sites[-1][0]
    ratio = statistics.median(times[last]) / statistics.median(times[first])
    print(f"  {name:<20} " + "   ".join(figures) + f"   ratio {ratio:.2f}")
    print(f"  {'':<20} its one storage read alone: {alone[first] * 1000:.1f} ms and {alone[last] * 1000:.1f} ms, "
          f"ratio {alone[last] / alone[first]:.2f} (Azurite filters every row of a table for any query)")


def _storage_alone(services: Any, query: str) -> float:
    """Median time of the page's one range read straight to storage (no HTTP, no view):
    what the storage itself takes for it at this size."""
    asked = _query(query)
    took = []
    for _ in range(READS):
        start = time.perf_counter()
        services.distribution.inboxes.page(ALICE, asked, 50)
        took.append(time.perf_counter() - start)
    return statistics.median(took)


def _query(query: str) -> Query:
    params = dict(p.split("=") for p in query.split("&"))
    return Query(params.get("view"), params.get("workstream_id"), params.get("queue"), "queue" in params,
                 params.get("state"))


def _round_trips(services: Any, trips: RoundTrips, query: str) -> int:
    """Storage round trips of one page of the view, straight against storage."""
    asked = _query(query)
    services.distribution.inboxes.page(ALICE, asked, 50)  # the table client is made on first use
    trips.reset()
    services.distribution.inboxes.page(ALICE, asked, 50)
    return trips.count


def _populate(services: Any, size: int) -> None:
    """``size`` conversations in the inbox index, written a batch of 100 rows at a time."""
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    by_partition: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i in range(size):
        c = _conversation(i, start + timedelta(seconds=i))
        fields = conversation_fields(c)
        for partition, row in keys(Placement.of(c)):
            by_partition[partition].append({"PartitionKey": partition, "RowKey": row, **fields})
    table = services.stores.storage.table("inbox")
    batches = [rows[first:first + 100] for rows in by_partition.values() for first in range(0, len(rows), 100)]
    with ThreadPoolExecutor(3) as pool:  # Azurite is one process; more at once only resets connections
        list(pool.map(lambda batch: _written(table, batch), batches))


def _written(table: Any, batch: list[dict[str, Any]]) -> None:
    """One batch, again when Azurite dropped the connection (its rows are new: upsert)."""
    for attempt in range(5):
        try:
            table.submit_transaction([("upsert", r) for r in batch])
            return
        except ServiceResponseError:
            time.sleep(0.5 * (attempt + 1))
    table.submit_transaction([("upsert", r) for r in batch])


def _conversation(i: int, at: datetime) -> Conversation:
    kind = i % 4
    state, agent = (OPEN, None) if kind == 0 else (CLOSED, None) if kind == 3 else (ACTIVE, f"agent-{i % 40}")
    return Conversation(
        id=new_conversation_id(secrets.token_hex(16)), state=state, channel="sms", provider="twilio",
        account_id="a" * 32, workstream_id=WORKSTREAM, customer=f"+1206{5550000 + i:07d}", business="+14252306549",
        agent=Actor(agent, agent) if agent else None, created_at=at, last_activity_at=at, last_customer_message_at=at,
        auto_close_after_minutes=480, queue="general", queued_at=at, closed_at=at if state == CLOSED else None,
    )
