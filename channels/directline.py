"""Azure Bot Service's Direct Line 3.0 REST API (no SDK: four calls over one HTTP session),
authenticated with the bot's Direct Line secret as the bearer token.

  POST /v3/directline/tokens/generate                       validate the secret
  POST /v3/directline/conversations                         start a conversation
  POST /v3/directline/conversations/{id}/activities         send an activity
  GET  /v3/directline/conversations/{id}/activities?watermark=
"""

from __future__ import annotations

import threading
from typing import Any, Mapping
from urllib.parse import quote

import requests

from channels.clients import retry_after_seconds
from core.bots import Activity
from core.errors import ProviderError, ProviderUnreachable
from core.messages import Validation

DEFAULT_BASE_URL = "https://directline.botframework.com"
_PATH = "/v3/directline"


class DirectLineClient:
    def __init__(self, base_url: str | None, timeout: float = 10.0) -> None:
        self._base = (base_url or DEFAULT_BASE_URL).rstrip("/") + _PATH
        self._timeout = timeout
        self._local = threading.local()

    def validate(self, secret: str) -> Validation:
        try:
            self._call("POST", "/tokens/generate", secret, {})
        except ProviderError as exc:
            if exc.http_status in (401, 403):
                return Validation(False, f"Direct Line refused the secret (HTTP {exc.http_status})")
            raise
        return Validation(True, "Direct Line accepted the secret")

    def start(self, secret: str) -> str:
        return str(self._call("POST", "/conversations", secret, {})["conversationId"])

    def post(self, secret: str, conversation_id: str, activity: Mapping[str, Any]) -> str:
        answer = self._call("POST", f"/conversations/{quote(conversation_id, safe='')}/activities", secret, activity)
        return str(answer.get("id", ""))

    def activities(self, secret: str, conversation_id: str,
                   watermark: str | None) -> tuple[list[Activity], str | None]:
        path = f"/conversations/{quote(conversation_id, safe='')}/activities"
        answer = self._call("GET", path, secret, None, {"watermark": watermark} if watermark else None)
        found = [_activity(a) for a in answer.get("activities", []) if isinstance(a, dict)]
        return found, answer.get("watermark") or watermark

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _call(self, method: str, path: str, secret: str, body: Any,
              params: Mapping[str, str] | None = None) -> dict[str, Any]:
        try:
            response = self._session().request(method, self._base + path, json=body, params=params,
                                               headers={"Authorization": f"Bearer {secret}"}, timeout=self._timeout)
        except requests.RequestException as exc:
            raise ProviderUnreachable(f"Direct Line could not be reached: {type(exc).__name__}",
                                      sent=method == "POST") from exc
        if response.status_code >= 400:
            raise ProviderError(f"Direct Line answered HTTP {response.status_code}",
                                provider_code=str(response.status_code), http_status=response.status_code,
                                retry_after=retry_after_seconds(response.headers.get("Retry-After")))
        try:
            answer = response.json() if response.content else {}
        except ValueError as exc:
            raise ProviderError("Direct Line answered something that is not JSON",
                                http_status=response.status_code) from exc
        return answer if isinstance(answer, dict) else {}


def _activity(a: dict[str, Any]) -> Activity:
    sender = a.get("from") if isinstance(a.get("from"), dict) else {}
    attachments = tuple(x for x in a.get("attachments") or () if isinstance(x, dict))
    suggested = a.get("suggestedActions") if isinstance(a.get("suggestedActions"), dict) else {}
    actions = tuple(x for x in suggested.get("actions") or () if isinstance(x, dict))
    return Activity(id=str(a.get("id", "")), type=str(a.get("type", "")), from_id=str(sender.get("id", "")),
                    text=a.get("text") if isinstance(a.get("text"), str) else "", name=a.get("name"),
                    value=a.get("value"), attachments=attachments, suggested=actions)
