"""Table Storage access: one service client per process, tables created on first use.

Connection string (local Azurite, or a storage key) or endpoint + DefaultAzureCredential
(deployed with a managed identity). SDK errors are translated into domain errors here and
in the repositories, nowhere else.
"""

from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Sequence

from azure.core.exceptions import HttpResponseError, ResourceExistsError, ServiceRequestError, ServiceResponseError
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.data.tables import TableClient, TableServiceClient, TableTransactionError

from core.errors import ConfigurationError, StorageUnavailable

log = logging.getLogger(__name__)

_TRANSIENT_STATUS = {408, 429, 500, 502, 503, 504}
# Storage refusing the app's own credentials: nothing a caller did, and over once an
# operator mends the setting, so it is answered like an outage (503), not as a 500.
_REFUSED_STATUS = {401, 403}
# Every answer of Table storage (and Azurite) carries this header; an answer without it
# comes from some other program on that address.
_TABLE_STORAGE_HEADER = "x-ms-request-id"


class NotTableStorage(Exception):
    """The storage endpoint answered, but not as Table storage does."""


RequestHook = Callable[[PipelineRequest], None]

# requests (azure-core's HTTP transport) looks in the environment for a proxy, a CA bundle
# and ~/.netrc on every request: about an eighth of the CPU a storage call costs here.
# Without a proxy variable it is told once, when a client is built: the CA bundle, if named.
_PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


def transport_options() -> dict[str, Any]:
    """The storage clients' transport settings, read from the environment once."""
    if any(name.lower() in _PROXY_VARIABLES for name in os.environ):
        return {}  # requests' own reading: proxies, no_proxy, the CA bundle
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    return {"use_env_settings": False, **({"connection_verify": bundle} if bundle else {})}


def build_service_client(connection_string: str | None, tables_endpoint: str | None,
                         request_hooks: Sequence[RequestHook] = ()) -> TableServiceClient:
    """The service client for a connection string (Azurite, a storage key) or, with an
    endpoint, the app's managed identity (DefaultAzureCredential).

    ``request_hooks`` see every request that leaves for storage, retries included (through
    azure-core's CustomHookPolicy: the Tables SDK ignores ``per_call_policies`` for the
    table clients it hands out).
    """
    options: dict[str, Any] = {
        "retry_total": 2,
        "retry_backoff_factor": 0.3,
        "connection_timeout": 5,
        "read_timeout": 20,
        "raw_response_hook": _require_table_storage,
        **transport_options(),
    }
    if request_hooks:
        def each(request: PipelineRequest) -> None:
            for hook in request_hooks:
                hook(request)

        options["raw_request_hook"] = each
    if connection_string:
        return TableServiceClient.from_connection_string(connection_string, **options)
    if tables_endpoint:
        from azure.identity import DefaultAzureCredential

        return TableServiceClient(tables_endpoint, credential=DefaultAzureCredential(), **options)
    raise ConfigurationError(
        "no storage configured: set AzureWebJobsStorage (or SWITCHBOARD_STORAGE_CONNECTION_STRING) "
        "to a connection string, or SWITCHBOARD_TABLES_ENDPOINT for identity-based access"
    )


def _require_table_storage(response: PipelineResponse) -> None:
    """Refuse an answer that Table storage did not give (see NotTableStorage)."""
    if _TABLE_STORAGE_HEADER not in response.http_response.headers:
        raise NotTableStorage(f"HTTP {response.http_response.status_code} without {_TABLE_STORAGE_HEADER}")


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

    def ping(self, seconds: float) -> None:
        """One cheap call that proves storage answers within ``seconds``, not tried again
        (the health check: a probe must hear back while it still waits)."""
        with translated():
            next(iter(self._service.list_tables(results_per_page=1, **asked_once(seconds)).by_page()), None)


def asked_once(seconds: float) -> dict[str, Any]:
    """A call's own options for a ping: ``seconds`` to connect and as long to answer, and
    no second try (the clients' own are for requests that must get through)."""
    return {"connection_timeout": seconds, "read_timeout": seconds, "retry_total": 0}


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (ServiceRequestError, ServiceResponseError)):
        return True
    return isinstance(exc, HttpResponseError) and exc.status_code in _TRANSIENT_STATUS


@contextmanager
def translated() -> Iterator[None]:
    """Turn a storage failure that may pass into StorageUnavailable (answered as 503): an
    outage, storage refusing the app's credentials, or an endpoint that is not Table storage."""
    try:
        yield
    except NotTableStorage as exc:
        log.error("the storage endpoint is not Table storage (%s); check the connection string", exc)
        raise StorageUnavailable("storage is unavailable, try again") from exc
    except (ServiceRequestError, ServiceResponseError, HttpResponseError) as exc:
        if is_transient(exc):
            raise StorageUnavailable("storage is unavailable, try again") from exc
        if isinstance(exc, HttpResponseError) and exc.status_code in _REFUSED_STATUS:
            log.error("storage refused the app's credentials (HTTP %s)", exc.status_code)
            raise StorageUnavailable("storage is unavailable, try again") from exc
        if isinstance(exc, HttpResponseError) and _refuses_our_version(exc):
            log.error("storage does not take the API version the app speaks (an Azurite started without "
                      "--skipApiVersionCheck, or older than the storage SDK)")
            raise StorageUnavailable("storage is unavailable, try again") from exc
        raise


def _refuses_our_version(exc: HttpResponseError) -> bool:
    """The service refused the ``x-ms-version`` header (InvalidHeaderValue naming the API
    version): no request of ours can succeed there until it is upgraded or told to skip the
    check."""
    code = getattr(exc, "error_code", None)
    return exc.status_code == 400 and str(getattr(code, "value", code)) == "InvalidHeaderValue" \
        and "version" in str(exc.message or exc).lower()


def delete_all(table: TableClient, keys: Iterable[tuple[str, str]]) -> int:
    """Delete rows by (PartitionKey, RowKey), a batch of up to 100 per partition; a row
    gone already is skipped. Answers how many were deleted."""
    by_partition: dict[str, list[str]] = {}
    for pk, rk in keys:
        by_partition.setdefault(pk, []).append(rk)
    deleted = 0
    for pk, rks in by_partition.items():
        for first in range(0, len(rks), 100):
            deleted += _delete_batch(table, [("delete", {"PartitionKey": pk, "RowKey": rk})
                                             for rk in rks[first:first + 100]])
    return deleted


def _delete_batch(table: TableClient, ops: list[tuple[Any, ...]]) -> int:
    with translated():
        return len(submit_mended(table, ops, lambda _op, code: [] if code == "ResourceNotFound" else None))


def submit_mended(table: TableClient, ops: list[tuple[Any, ...]],
                  mend: Callable[[tuple[Any, ...], str | None], list[tuple[Any, ...]] | None]) -> list[tuple[Any, ...]]:
    """One partition's batch. An operation storage refuses is replaced by what ``mend``
    answers for it and its error code (nothing: left out), and the batch sent again; when
    ``mend`` answers None the refusal is raised. Answers the operations committed."""
    while ops:
        try:
            table.submit_transaction(ops)
            return ops
        except TableTransactionError as exc:
            instead = mend(ops[exc.index], exc.error_code)
            if instead is None:
                raise
            ops = ops[:exc.index] + instead + ops[exc.index + 1:]
    return ops
