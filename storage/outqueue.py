"""The outbox's Storage queue (``outbox``, and ``outbox-poison`` for jobs that ran out of
tries): JSON jobs, base64-encoded as the Functions queue trigger reads them by default."""

from __future__ import annotations

import base64
import json
import math
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Sequence

from azure.core.exceptions import HttpResponseError, ResourceExistsError

from core.errors import ConfigurationError
from core.ports import JobGone, Ticket
from storage.client import RequestHook, asked_once, translated, transport_options

if TYPE_CHECKING:
    from azure.storage.queue import QueueClient, QueueServiceClient

OUTBOX = "outbox"
MAX_DELAY = 7 * 24 * 3600  # what a Storage queue accepts as a visibility timeout


def build_queue_service(connection_string: str | None, queues_endpoint: str | None,
                        request_hooks: Sequence[RequestHook] = ()) -> QueueServiceClient:
    """Called on the queue's first use: the SDK (about half a second of imports) is loaded
    by the first send, not by every cold start."""
    from azure.storage.queue import QueueServiceClient

    # The storage SDK's own backoff starts at 15 s and triples; a request (and the health
    # check) must fail in seconds, like the tables client, and the queue retries later anyway.
    options: dict[str, Any] = {"retry_total": 2, "initial_backoff": 0.3, "increment_base": 1,
                               "random_jitter_range": 0.3, "connection_timeout": 5, "read_timeout": 20,
                               **transport_options()}
    if request_hooks:
        options["raw_request_hook"] = lambda request: [hook(request) for hook in request_hooks]
    if connection_string and "queueendpoint=" in connection_string.lower().replace(" ", ""):
        return QueueServiceClient.from_connection_string(connection_string, **options)
    if queues_endpoint:
        from azure.identity import DefaultAzureCredential

        return QueueServiceClient(queues_endpoint, credential=DefaultAzureCredential(), **options)
    raise ConfigurationError("no queue service configured: the storage connection string has no QueueEndpoint, "
                             "and neither SWITCHBOARD_QUEUES_ENDPOINT nor AzureWebJobsStorage__accountName is set")


class OutboxQueue:
    """One queue and its poison queue, each created on first use; the service client is
    built then too, once (a deployment without a queue service fails its sends, not its
    start)."""

    def __init__(self, service: Callable[[], QueueServiceClient], name: str = OUTBOX) -> None:
        self._build_service = service
        self._built: QueueServiceClient | None = None
        self._name = name
        self._clients: dict[str, QueueClient] = {}
        self._lock = threading.RLock()

    def _service(self) -> QueueServiceClient:
        with self._lock:
            if self._built is None:
                self._built = self._build_service()
            return self._built

    def _queue(self, name: str) -> QueueClient:
        with self._lock:
            client = self._clients.get(name)
            if client is None:
                client = self._service().get_queue_client(name)
                with translated():
                    try:
                        client.create_queue()
                    except ResourceExistsError:
                        pass
                self._clients[name] = client
        return client

    def put(self, job: Mapping[str, Any], delay: float = 0) -> Ticket:
        with translated():
            sent = self._queue(self._name).send_message(_encode(job), visibility_timeout=_delay(delay))
        return Ticket(sent.id, sent.pop_receipt)

    def update(self, ticket: Ticket, job: Mapping[str, Any], delay: float) -> Ticket:
        with _held(), translated():
            updated = self._queue(self._name).update_message(ticket.id, pop_receipt=ticket.receipt,
                                                             content=_encode(job), visibility_timeout=_delay(delay))
        return Ticket(ticket.id, updated.pop_receipt)

    def delete(self, ticket: Ticket) -> None:
        with _held(), translated():
            self._queue(self._name).delete_message(ticket.id, ticket.receipt)

    def poison(self, job: Mapping[str, Any]) -> None:
        with translated():
            self._queue(f"{self._name}-poison").send_message(_encode(job))

    def depth(self) -> tuple[int, float | None]:
        queue = self._queue(self._name)
        with translated():
            count = queue.get_queue_properties().approximate_message_count or 0
            oldest = next(iter(queue.peek_messages(max_messages=1)), None)
        age = (datetime.now(timezone.utc) - oldest.inserted_on).total_seconds() if oldest and oldest.inserted_on else None
        return count, age

    def ping(self, seconds: float) -> None:
        """One cheap call that proves the queue service answers within ``seconds``, not
        tried again (the health check)."""
        with translated():  # the service, not the queue: asking for that would create it first
            pages = self._service().list_queues(results_per_page=1, **asked_once(seconds)).by_page()
            next(iter(pages), None)


@contextmanager
def _held() -> Iterator[None]:
    """A job a worker took (its receipt changed) or that is gone: JobGone."""
    try:
        yield
    except HttpResponseError as exc:
        if exc.status_code in (400, 404) and getattr(exc, "error_code", None) in _GONE:
            raise JobGone(str(exc.error_code)) from exc
        raise


_GONE = {"PopReceiptMismatch", "MessageNotFound"}


def _encode(job: Mapping[str, Any]) -> str:
    return base64.b64encode(json.dumps(job, separators=(",", ":")).encode()).decode()


def _delay(seconds: float) -> int:
    """Whole seconds, rounded up: a job never comes due before its time."""
    return math.ceil(min(max(seconds, 0), MAX_DELAY))
