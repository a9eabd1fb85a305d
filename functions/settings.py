"""App settings, read once from the environment (Azure app settings or local.settings.json).

Every setting the app reads is named here, so the README, the Bicep templates and the
code agree on one list.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Mapping

DEFAULT_AUTO_CLOSE_MINUTES = 480  # the reference product's default inactivity period
DEFAULT_OFFLINE_AFTER_SECONDS = 120  # an agent whose workspace is silent this long is offline
DEFAULT_AUDIT_RETENTION_DAYS = 365  # how long the audit trail keeps an admin change


OUTBOX_QUEUE = "outbox"


@dataclass(frozen=True)
class OutboxTiming:
    """The outbox queue's name and its timing (conversations/messaging/delivery.py)."""

    queue: str = OUTBOX_QUEUE
    guard_seconds: int = 90
    retry_seconds: int = 10
    unknown_seconds: int = 60
    max_attempts: int = 6


@dataclass(frozen=True)
class RealtimeSettings:
    """Azure Web PubSub (conversations/live/): in Azure its endpoint, reached with the app's
    managed identity, and the principal id of the service's own identity (its calls to
    the event handler carry its token, checked by Easy Auth); locally a connection
    string with an access key (the stand-in's), whose key also signs the event handler's
    calls. Neither set: no push, the workspace long-polls."""

    connection_string: str | None = None
    endpoint: str | None = None
    hub: str = "switchboard"
    principal_id: str | None = None  # the Web PubSub resource's managed identity

    @property
    def enabled(self) -> bool:
        return bool(self.connection_string or self.endpoint)

    @property
    def access_key(self) -> str | None:
        return _field(self.connection_string or "", "AccessKey")

    @property
    def service_url(self) -> str | None:
        """The service's https (or local http) URL, from whichever is set."""
        if self.endpoint:
            return self.endpoint.rstrip("/")
        found = _field(self.connection_string or "", "Endpoint")
        if found is None:
            return None
        port = _field(self.connection_string or "", "Port")
        return found.rstrip("/") if not port or found.rstrip("/").endswith(f":{port}") else f"{found.rstrip('/')}:{port}"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "RealtimeSettings":
        return cls(connection_string=env.get("WEBPUBSUB_CONNECTION_STRING", "").strip() or None,
                   endpoint=env.get("WEBPUBSUB_ENDPOINT", "").strip().rstrip("/") or None,
                   hub=env.get("WEBPUBSUB_HUB", "").strip() or "switchboard",
                   principal_id=env.get("WEBPUBSUB_PRINCIPAL_ID", "").strip().lower() or None)


def _field(connection_string: str, name: str) -> str | None:
    """One ``Name=value`` field of a ``;``-separated connection string (names ignore case)."""
    for part in connection_string.split(";"):
        key, _, value = part.partition("=")
        if key.strip().lower() == name.lower() and value.strip():
            return value.strip()
    return None


@dataclass(frozen=True)
class Settings:
    storage_connection_string: str | None
    tables_endpoint: str | None
    table_prefix: str
    sealing_keys: tuple[str, ...]
    public_base_url: str | None
    auto_close_min_minutes: int
    twilio_api_base_url: str | None
    telesign_api_base_url: str | None
    entra_authority_host: str
    easy_auth: bool  # whether the principal headers in front of the app can be trusted
    agent_offline_after_seconds: int = DEFAULT_OFFLINE_AFTER_SECONDS
    agent_watch_seconds: int = 60  # each online agent's watch (conversations/distribution/presence.py)
    # No commit lands later than this after its invocation began it (host.json's functionTimeout
    # is 5 minutes): a reservation or a move's job none followed is finished after it.
    commit_timeout_seconds: int = 360
    queues_endpoint: str | None = None
    outbox: OutboxTiming = field(default_factory=lambda: OutboxTiming())
    idempotency_wait_seconds: int = 10  # how long a copy waits for the request running under its key
    idempotency_lease_seconds: int = 300  # how long a request holds its key: a dead one's is free after it
    directline_base_url: str | None = None  # Direct Line 3.0 (None: https://directline.botframework.com)
    twilio_content_base_url: str | None = None  # Twilio's Content API (None: https://content.twilio.com)
    retention_max_days: int | None = None  # no closed conversation is kept longer (None: as workstreams say)
    audit_retention_days: int = DEFAULT_AUDIT_RETENTION_DAYS
    # Application Insights (telemetry/monitor.py): nothing is exported without a connection string
    monitor_connection_string: str | None = None
    monitor_authentication: str | None = None  # "Authorization=AAD;ClientId=<the identity's client id>"
    realtime: RealtimeSettings = field(default_factory=lambda: RealtimeSettings())
    phone_region: str = "US"  # whose national numbers people type without a country code

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        return cls(
            storage_connection_string=_storage_connection_string(env),
            tables_endpoint=_tables_endpoint(env),
            table_prefix=env.get("SWITCHBOARD_TABLE_PREFIX", "").strip() or "sb",
            sealing_keys=tuple(
                k.strip() for k in env.get("SWITCHBOARD_SEALING_KEY", "").split(",") if k.strip()
            ),
            public_base_url=(env.get("PUBLIC_BASE_URL", "").strip().rstrip("/") or None),
            auto_close_min_minutes=_positive_int(env, "AUTO_CLOSE_MIN_MINUTES", DEFAULT_AUTO_CLOSE_MINUTES),
            twilio_api_base_url=env.get("TWILIO_API_BASE_URL", "").strip().rstrip("/") or None,
            telesign_api_base_url=env.get("TELESIGN_API_BASE_URL", "").strip().rstrip("/") or None,
            entra_authority_host=(
                env.get("ENTRA_AUTHORITY_HOST", "").strip().rstrip("/") or "https://login.microsoftonline.com"
            ),
            easy_auth=_easy_auth(env),
            agent_offline_after_seconds=_positive_int(env, "AGENT_OFFLINE_AFTER_SECONDS",
                                                      DEFAULT_OFFLINE_AFTER_SECONDS),
            agent_watch_seconds=_positive_int(env, "AGENT_WATCH_SECONDS", 60),
            commit_timeout_seconds=_positive_int(env, "COMMIT_TIMEOUT_SECONDS", 360),
            queues_endpoint=_service_endpoint(env, "QUEUES", "queue"),
            outbox=OutboxTiming(
                queue=env.get("OUTBOX_QUEUE", "").strip() or OUTBOX_QUEUE,
                guard_seconds=_positive_int(env, "OUTBOX_GUARD_SECONDS", 90),
                retry_seconds=_positive_int(env, "OUTBOX_RETRY_SECONDS", 10),
                unknown_seconds=_positive_int(env, "OUTBOX_UNKNOWN_SECONDS", 60),
                max_attempts=_positive_int(env, "OUTBOX_MAX_ATTEMPTS", 6),
            ),
            idempotency_wait_seconds=_positive_int(env, "IDEMPOTENCY_WAIT_SECONDS", 10),
            idempotency_lease_seconds=_positive_int(env, "IDEMPOTENCY_LEASE_SECONDS", 300),
            directline_base_url=_directline(env),
            twilio_content_base_url=env.get("TWILIO_CONTENT_BASE_URL", "").strip().rstrip("/") or None,
            retention_max_days=_positive_int(env, "RETENTION_MAX_DAYS", 0) or None,
            audit_retention_days=_positive_int(env, "AUDIT_RETENTION_DAYS", DEFAULT_AUDIT_RETENTION_DAYS),
            monitor_connection_string=env.get("APPLICATIONINSIGHTS_CONNECTION_STRING", "").strip() or None,
            monitor_authentication=env.get("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "").strip() or None,
            realtime=RealtimeSettings.from_env(env),
            phone_region=env.get("PHONE_REGION", "").strip().upper() or "US",
        )


LOCAL_EASY_AUTH = "SWITCHBOARD_LOCAL_EASY_AUTH"  # set by the local host for its own process, never in Azure


def _easy_auth(env: Mapping[str, str]) -> bool:
    """App Service Authentication is on (the platform sets WEBSITE_AUTH_ENABLED), or the
    local host serves with its emulation; the local marker counts for nothing in Azure."""
    if env.get("WEBSITE_AUTH_ENABLED", "").strip().lower() == "true":
        return True
    return env.get(LOCAL_EASY_AUTH) == "1" and not env.get("WEBSITE_INSTANCE_ID")


def _directline(env: Mapping[str, str]) -> str | None:
    """DIRECTLINE_BASE_URL: https, or plain http on the loopback only (a stand-in bot in tests)."""
    value = env.get("DIRECTLINE_BASE_URL", "").strip().rstrip("/")
    if not value:
        return None
    if not value.startswith("https://") and not re.match(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)",
                                                          value):
        raise ValueError("app setting DIRECTLINE_BASE_URL must be an https URL (http only on the loopback)")
    return value


def _storage_connection_string(env: Mapping[str, str]) -> str | None:
    """A dedicated setting wins; else AzureWebJobsStorage when it holds a connection string."""
    dedicated = env.get("SWITCHBOARD_STORAGE_CONNECTION_STRING", "").strip()
    if dedicated:
        return _expand_development_storage(dedicated)
    host = env.get("AzureWebJobsStorage", "").strip()
    if host:
        return _expand_development_storage(host)
    return None


def _expand_development_storage(value: str) -> str:
    # Core Tools users write UseDevelopmentStorage=true; the Tables SDK wants a real string.
    if value.lower().replace(" ", "") == "usedevelopmentstorage=true":
        return (
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
            "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
            "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;"
            "QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;"
        )
    return value


def _tables_endpoint(env: Mapping[str, str]) -> str | None:
    return _service_endpoint(env, "TABLES", "table")


def _service_endpoint(env: Mapping[str, str], ours: str, service: str) -> str | None:
    """Identity-based access to a storage service: an explicit endpoint, or the Functions
    host's own settings."""
    for name in (f"SWITCHBOARD_{ours}_ENDPOINT", f"AzureWebJobsStorage__{service}ServiceUri"):
        value = env.get(name, "").strip()
        if value:
            return value.rstrip("/")
    account = env.get("AzureWebJobsStorage__accountName", "").strip()
    if account:
        return f"https://{account}.{service}.core.windows.net"
    return None


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"app setting {name} must be a whole number, got {raw!r}") from exc
    if value < 1:
        raise ValueError(f"app setting {name} must be at least 1, got {value}")
    return value
