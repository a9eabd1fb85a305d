"""A backlog after an outage: 10,000 conversations whose auto-close came due while the app
was down, closed by one sweep run on one instance (PARALLEL at a time), against the timer
period of 5 minutes."""

from __future__ import annotations

import secrets
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet

from conversations.messaging.sweep import BUDGET, PARALLEL
from core.clock import utcnow
from core.messages import InboundMessage
from functions.settings import Settings
from functions.wiring import build
from localhost.services import Azurite
from tests.support.twilio import BUSINESS_E164, account_body

PERIOD = 5 * 60  # seconds: AUTO_CLOSE_SCHEDULE's default


def run(conversations: int = 10_000) -> None:
    # In memory: Azurite's periodic save of the whole database would stall every request meanwhile.
    with tempfile.TemporaryDirectory() as data, Azurite.start(Path(data), in_memory=True) as storage:
        env = {"AzureWebJobsStorage": storage.connection_string, "SWITCHBOARD_TABLE_PREFIX": "k" + secrets.token_hex(4),
               "SWITCHBOARD_SEALING_KEY": Fernet.generate_key().decode(), "OUTBOX_QUEUE": "backlog-outbox"}
        started = time.perf_counter()
        _open(env, conversations)
        print(f"{conversations:,} idle conversations opened in {time.perf_counter() - started:.0f} s")
        sweep = build(Settings.from_env(env)).messaging.sweep
        started = time.perf_counter()
        counts = sweep.run()
        took = time.perf_counter() - started
    print(f"one sweep run closed {counts.get('closed', 0):,} in {took:.0f} s ({PARALLEL} at a time, "
          f"budget {BUDGET:.0f} s; left for the next run: {counts.get('left', 0) + counts.get('failed', 0)}) "
          f"against a timer period of {PERIOD} s: {'within' if took < PERIOD else 'OVER'} the period")


def _open(env: dict[str, str], conversations: int) -> None:
    """The conversations, opened nine hours ago (past the 480-minute default)."""
    then = utcnow() - timedelta(hours=9)
    services = build(Settings.from_env(env), clock=lambda: then)
    account = services.admin.accounts.create(account_body())

    def customer_writes(i: int) -> None:
        services.messaging.ingest.message(account, InboundMessage(
            provider="twilio", account_id=account.id, provider_message_id=f"SMk{i:031d}", business=BUSINESS_E164,
            customer=f"+1206{5550000 + i:07d}", body="hello"))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(customer_writes, range(conversations)))
