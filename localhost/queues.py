"""Run queue-triggered functions on Azure Storage queues (Azurite locally), as the
Functions host's queue extension does with host.json's `extensions.queues`:

- messages are read in batches of `batchSize`, each kept invisible while it runs, and
  handed to the function base64-decoded (`messageEncoding`, base64 by default);
- a function that returns deletes its message; one that raises leaves it to reappear
  after `visibilityTimeout`, and after `maxDequeueCount` deliveries it moves to
  `<queue>-poison`, as in Azure;
- while a function runs its message is leased: invisible for 10 minutes, renewed halfway,
  so a host that dies mid-run leaves it to reappear once the lease is over, as the
  Functions host does (LOCALHOST_QUEUE_LEASE_SECONDS shortens it, for crash tests);
- an empty queue is polled less and less often, up to `maxPollingInterval`.
"""

from __future__ import annotations

import base64
import logging
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Iterator, Mapping

from azure.core.exceptions import AzureError, ResourceExistsError
from azure.functions.queue import QueueMessage
from azure.storage.queue import QueueClient, QueueMessage as StoredMessage

from localhost.functions import QueueFunction
from localhost.invoke import Invoker
from localhost.workers import Workers

log = logging.getLogger("localhost.queue")

LEASE_ENV = "LOCALHOST_QUEUE_LEASE_SECONDS"
LEASE = 600.0  # seconds a message stays invisible while its function runs, renewed halfway


@dataclass(frozen=True)
class QueueSettings:
    batch_size: int = 16
    max_dequeue_count: int = 5
    visibility_timeout: float = 0.0
    max_polling_interval: float = 60.0
    base64: bool = True
    lease: float = LEASE

    @classmethod
    def of(cls, host_json: Mapping[str, Any], env: Mapping[str, str] = os.environ) -> QueueSettings:
        """From host.json's `extensions.queues` (times as hh:mm:ss), defaults for the rest."""
        queues = (host_json.get("extensions") or {}).get("queues") or {}
        default = cls()
        return cls(
            batch_size=int(queues.get("batchSize", default.batch_size)),
            max_dequeue_count=int(queues.get("maxDequeueCount", default.max_dequeue_count)),
            visibility_timeout=_seconds(queues.get("visibilityTimeout"), default.visibility_timeout),
            max_polling_interval=_seconds(queues.get("maxPollingInterval"), default.max_polling_interval),
            base64=str(queues.get("messageEncoding", "base64")).lower() == "base64",
            lease=float(env.get(LEASE_ENV) or LEASE),
        )


def _seconds(value: Any, default: float) -> float:
    if not value:
        return default
    hours, minutes, seconds = (float(part) for part in str(value).split(":"))
    return timedelta(hours=hours, minutes=minutes, seconds=seconds).total_seconds()


class QueueRunner:
    """One polling thread per queue function; `stop` waits for running invocations."""

    def __init__(self, functions: list[QueueFunction], invoker: Invoker, settings: QueueSettings,
                 env: Mapping[str, str] = os.environ) -> None:
        self._functions = functions
        self._invoker = invoker
        self._settings = settings
        self._env = env
        self._workers = Workers()

    def start(self) -> None:
        for function in self._functions:
            connection = self._env.get(function.connection, "")
            if not connection or "QueueEndpoint=" not in connection:
                log.warning("queue function %s: setting %s names no queue service; not run", function.name,
                            function.connection)
                continue
            log.info("queue %s watched for %s", function.queue_name, function.name)
            self._workers.start(f"queue-{function.name}", self._loop, function, connection)

    def stop(self, timeout: float = 30.0) -> None:
        self._workers.stop(timeout)

    def _loop(self, function: QueueFunction, connection: str) -> None:
        queue = _queue(connection, function.queue_name)
        poison = _queue(connection, f"{function.queue_name}-poison")
        idle = 0.1
        while not self._workers.stopping.is_set():
            try:
                batch = list(queue.receive_messages(max_messages=self._settings.batch_size,
                                                    visibility_timeout=int(self._settings.lease)))
            except AzureError as exc:
                log.warning("queue %s cannot be read (%s); trying again", function.queue_name, type(exc).__name__)
                batch = []
            for message in batch:
                self._deliver(function, queue, poison, message)
            idle = 0.1 if batch else min(idle * 2, self._settings.max_polling_interval)
            if not batch:
                self._workers.stopping.wait(idle)

    def _deliver(self, function: QueueFunction, queue: QueueClient, poison: QueueClient,
                 message: StoredMessage) -> None:
        started = time.monotonic()
        try:
            with _leased(queue, message, self._settings.lease):
                self._invoker.invoke(function, self._trigger(message))
        except Exception:
            log.exception("queue function %s failed on message %s (delivery %d)", function.name, message.id,
                          message.dequeue_count)
            self._failed(function, queue, poison, message)
            return
        log.info("queue function %s ran in %.1fms", function.name, (time.monotonic() - started) * 1000)
        _quietly(lambda: queue.delete_message(message))

    def _trigger(self, message: StoredMessage) -> QueueMessage:
        content = message.content if isinstance(message.content, str) else str(message.content)
        body = base64.b64decode(content, validate=True) if self._settings.base64 else content.encode()
        return QueueMessage(id=message.id, body=body, dequeue_count=message.dequeue_count,
                            expiration_time=message.expires_on, insertion_time=message.inserted_on,
                            time_next_visible=message.next_visible_on, pop_receipt=message.pop_receipt)

    def _failed(self, function: QueueFunction, queue: QueueClient, poison: QueueClient,
                message: StoredMessage) -> None:
        if (message.dequeue_count or 0) >= self._settings.max_dequeue_count:
            log.warning("message %s moved to %s-poison after %d deliveries", message.id, function.queue_name,
                        message.dequeue_count)
            _quietly(lambda: poison.send_message(message.content))
            _quietly(lambda: queue.delete_message(message))
            return
        _quietly(lambda: queue.update_message(message, visibility_timeout=int(self._settings.visibility_timeout)))


@contextmanager
def _leased(queue: QueueClient, message: StoredMessage, lease: float) -> Iterator[None]:
    """Keep ``message`` invisible while its function runs: its lease renewed every half
    lease (the renewal's new pop receipt is what deletes or updates it afterwards)."""
    done = threading.Event()

    def renew() -> None:
        while not done.wait(lease / 2):
            try:
                renewed = queue.update_message(message, visibility_timeout=int(lease))
            except AzureError as exc:
                log.warning("lease of message %s not renewed (%s)", message.id, type(exc).__name__)
                continue
            message.pop_receipt, message.next_visible_on = renewed.pop_receipt, renewed.next_visible_on

    renewer = threading.Thread(target=renew, name=f"lease-{message.id}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()


def _queue(connection: str, name: str) -> QueueClient:
    client = QueueClient.from_connection_string(connection, name)
    try:
        client.create_queue()
    except ResourceExistsError:
        pass
    except AzureError as exc:
        log.warning("queue %s cannot be created yet (%s)", name, type(exc).__name__)
    return client


def _quietly(call: Any) -> None:
    try:
        call()
    except AzureError as exc:
        log.warning("queue call failed (%s); the message will be delivered again", type(exc).__name__)

