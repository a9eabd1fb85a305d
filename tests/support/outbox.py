"""The outbox queue in tests without a host: run its jobs as the queue trigger would,
waiting for delayed ones to come due."""

from __future__ import annotations

import base64
import json
import time

from azure.storage.queue import QueueClient

from functions.wiring import Services


def queue_client(services: Services, poison: bool = False) -> QueueClient:
    name = services.settings.outbox.queue + ("-poison" if poison else "")
    client = QueueClient.from_connection_string(services.settings.storage_connection_string, name)
    try:
        client.create_queue()
    except Exception:  # noqa: BLE001 - it exists
        pass
    return client


def jobs(client: QueueClient) -> list[dict]:
    """The jobs waiting, visible or not (peeking sees only visible ones: count them)."""
    return [json.loads(base64.b64decode(m.content)) for m in client.peek_messages(max_messages=32)]


def drain(services: Services, timeout: float = 15.0) -> int:
    """Run due jobs until the queue is empty (or ``timeout``); how many ran."""
    client, ran = queue_client(services), 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = list(client.receive_messages(max_messages=16, visibility_timeout=30))
        for message in batch:
            services.messaging.outbox.run_job(json.loads(base64.b64decode(message.content)))
            client.delete_message(message)
            ran += 1
        if not batch:
            if not client.get_queue_properties().approximate_message_count:
                return ran
            time.sleep(0.2)
    raise AssertionError(f"the outbox queue still holds jobs after {timeout} s")
