"""Table Storage access: one service client per process, tables created on first use.

Connection string (local Azurite, or a storage key) or endpoint + DefaultAzureCredential
(deployed with a managed identity). SDK errors are translated into domain errors here and
in the repositories, nowhere else.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.core.pipeline import PipelineRequest
from azure.data.tables import TableClient, TableServiceClient

from config import Settings
from conversations.errors import ConfigurationError, StorageUnavailable

_TRANSIENT_STATUS = {408, 429, 500, 502, 503, 504}


RequestHook = Callable[[PipelineRequest], None]


def build_service_client(settings: Settings, request_hooks: Sequence[RequestHook] = ()) -> TableServiceClient:
    """The service client for the configured storage.

    ``request_hooks`` see every request that leaves for storage, retries included (through
    azure-core's CustomHookPolicy: the Tables SDK ignores ``per_call_policies`` for the
    table clients it hands out).
    """
    options: dict[str, Any] = {
        "retry_total": 2,
        "retry_backoff_factor": 0.3,
        "connection_timeout": 5,
        "read_timeout": 20,
    }
    if request_hooks:
        def each(request: PipelineRequest) -> None:
            for hook in request_hooks:
                hook(request)

        options["raw_request_hook"] = each
    if settings.storage_connection_string:
        return TableServiceClient.from_connection_string(settings.storage_connection_string, **options)
    if settings.tables_endpoint:
        from azure.identity import DefaultAzureCredential

        return TableServiceClient(settings.tables_endpoint, credential=DefaultAzureCredential(), **options)
    raise ConfigurationError(
        "no storage configured: set AzureWebJobsStorage (or SWITCHBOARD_STORAGE_CONNECTION_STRING) "
        "to a connection string, or SWITCHBOARD_TABLES_ENDPOINT for identity-based access"
    )


class TableStorage:
    """Hands out table clients by logical name; creates each table once per process."""

    def __init__(self, service: TableServiceClient, prefix: str) -> None:
        self._service = service
        self._prefix = prefix
        self._clients: dict[str, TableClient] = {}
        self._lock = threading.Lock()

    def table(self, name: str) -> TableClient:
        client = self._clients.get(name)
        if client is not None:
            return client
        with self._lock:
            client = self._clients.get(name)
            if client is None:
                table_name = f"{self._prefix}{name.capitalize()}"
                with translated():
                    try:
                        self._service.create_table(table_name)
                    except ResourceExistsError:
                        pass
                client = self._service.get_table_client(table_name)
                self._clients[name] = client
        return client

    def ping(self) -> None:
        """One cheap call that proves storage answers (used by the health check)."""
        with translated():
            next(iter(self._service.list_tables(results_per_page=1).by_page()), None)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (ServiceRequestError, ServiceResponseError)):
        return True
    return isinstance(exc, HttpResponseError) and exc.status_code in _TRANSIENT_STATUS


@contextmanager
def translated() -> Iterator[None]:
    """Turn a storage failure that may pass into StorageUnavailable (answered as 503)."""
    try:
        yield
    except (ServiceRequestError, ServiceResponseError, HttpResponseError) as exc:
        if is_transient(exc):
            raise StorageUnavailable("storage is unavailable, try again") from exc
        raise
