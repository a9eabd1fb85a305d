"""core.ports.Realtime over Azure Web PubSub (azure-messaging-webpubsubservice).

In Azure the client signs in with the app's managed identity (``WEBPUBSUB_ENDPOINT``; the
resource allows no access keys), and client URLs are minted by the service
(``:generateToken``); locally a connection string with an access key (the stand-in's,
localhost/webpubsub/) signs both. Calls are short: a publish rides on a webhook or an
agent's request, so a service that does not answer within a few seconds costs that
request no more than that, and the workspace's re-sync makes up for what was lost.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any, Callable, Sequence

from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.messaging.webpubsubservice import WebPubSubServiceClient

from core.errors import RealtimeUnavailable
from core.live import USER, Notice

log = logging.getLogger(__name__)

# No retry: a Retry-After would hold the webhook that publishes; the workspace's re-sync
# makes up for a lost publish.
TIMEOUTS = {"connection_timeout": 2, "read_timeout": 3, "retry_total": 0}
PARALLEL = 16  # publishes sent at once, shared by the process's requests
DEADLINE = 4.0  # seconds a change's publishes may take in all: a publish is never worth a webhook


class WebPubSub:
    def __init__(self, client: WebPubSubServiceClient) -> None:
        self._client = client
        self._pool = ThreadPoolExecutor(PARALLEL, thread_name_prefix="webpubsub")

    @classmethod
    def connect(cls, hub: str, connection_string: str | None = None, endpoint: str | None = None) -> WebPubSub:
        """With a connection string (an access key), or the endpoint and this app's managed
        identity (DefaultAzureCredential)."""
        if connection_string:
            return cls(WebPubSubServiceClient.from_connection_string(connection_string, hub=hub, **TIMEOUTS))
        from azure.identity import DefaultAzureCredential

        return cls(WebPubSubServiceClient(endpoint=endpoint, hub=hub, credential=DefaultAzureCredential(), **TIMEOUTS))

    def client_url(self, user_id: str, groups: Sequence[str], minutes: int) -> str:
        token = _called("mint a client token", lambda: self._client.get_client_access_token(
            user_id=user_id, groups=list(groups), roles=[], minutes_to_expire=minutes))
        return str(token["url"])

    def publish(self, notices: Sequence[Notice]) -> None:
        sends = [self._pool.submit(self._send, n) for n in notices]
        done, late = wait(sends, timeout=DEADLINE)
        failures = [f.result() for f in done if f.result() is not None] + ["late" for _ in late]
        if failures:
            raise RealtimeUnavailable(f"{len(failures)} of {len(notices)} publishes failed: {failures[0]}")

    def close_user(self, user_id: str, reason: str) -> None:
        _called("close a user's connections", lambda: self._client.close_user_connections(user_id, reason=reason))

    def connection_exists(self, connection_id: str) -> bool:
        return bool(_called("ask for a connection", lambda: self._client.connection_exists(connection_id)))

    def user_connected(self, user_id: str) -> bool:
        return bool(_called("ask for a user's connections", lambda: self._client.user_exists(user_id)))

    def _send(self, notice: Notice) -> str | None:
        """None when sent; else what went wrong (a class name and status, never the data)."""
        body = dict(notice.data)  # the SDK writes it as JSON
        try:
            if notice.audience == USER:
                self._client.send_to_user(notice.name, body, content_type="application/json")
            else:
                self._client.send_to_group(notice.name, body, content_type="application/json")
        except AzureError as exc:
            return _described(exc)
        return None


def _called(what: str, call: Callable[[], Any]) -> Any:
    try:
        return call()
    except ResourceNotFoundError:
        return False
    except AzureError as exc:
        raise RealtimeUnavailable(f"Web PubSub: could not {what} ({_described(exc)})") from exc


def _described(exc: AzureError) -> str:
    status = getattr(exc, "status_code", None)
    return f"{type(exc).__name__}{f' {status}' if status else ''}"
