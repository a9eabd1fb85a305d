"""Twilio sends reply buttons and lists as Content API content (``twilio/quick-reply``,
``twilio/list-picker``, https://content.twilio.com) named by its ContentSid in the Messages
API's ``ContentSid``. Each distinct message's content is made once: its ``friendly_name`` is
a hash of the content's canonical JSON, looked for among the account's content
(``GET /v1/Content``, pages of 1000) before it is created (``POST /v1/Content``), and kept
per instance; so a try whose creation's answer was lost finds what it made, and the same
buttons sent again cost no Content API call on an instance that made or found them."""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

import requests

from channels.twilio_content import INTERACTIVE_NAME, TwilioContent
from core.content import Interactive
from core.errors import ProviderError, ProviderUnreachable
from core.records import Account

LANGUAGE = "en"  # the Content API asks for one; a session message's text is the agent's whatever it is
LOOK_PAGE = 1000
LOOK_PAGES = 10  # an account with more content than this is assumed not to hold it: made again


class InteractiveContent(TwilioContent):
    def __init__(self, base_url: str | None, timeout: float = 10.0) -> None:
        super().__init__(base_url, timeout)
        self._known: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def sid_for(self, account: Account, body: str, interactive: Interactive) -> str:
        """The ContentSid of this body and these options, found or made."""
        types = content_types(body, interactive)
        name = friendly_name(types)
        auth = (account.credentials["account_sid"], account.credentials["auth_token"])
        with self._lock:
            known = self._known.get((auth[0], name))
        sid = known or self._find(name, auth) or self._create(name, types, auth)
        with self._lock:
            self._known[(auth[0], name)] = sid
        return sid

    def _find(self, name: str, auth: tuple[str, str]) -> str | None:
        url: str | None = f"{self._base_url}/v1/Content?PageSize={LOOK_PAGE}"
        for _ in range(LOOK_PAGES):
            if url is None:
                return None
            page = self._get(url, auth)
            for content in page.get("contents") or []:
                if isinstance(content, dict) and content.get("friendly_name") == name and content.get("sid"):
                    return str(content["sid"])
            url = self._here((page.get("meta") or {}).get("next_page_url"))
        return None

    def _create(self, name: str, types: dict[str, Any], auth: tuple[str, str]) -> str:
        try:
            answer = self._session.post(f"{self._base_url}/v1/Content", auth=auth, timeout=self._timeout,
                                        json={"friendly_name": name, "language": LANGUAGE, "types": types})
        except requests.RequestException as exc:  # made or not, the next try looks for it by name first
            raise ProviderUnreachable(f"Twilio's Content API could not be reached: {type(exc).__name__}") from exc
        if answer.status_code not in (200, 201):
            raise ProviderError(f"Twilio's Content API refused the content (HTTP {answer.status_code})",
                                provider_code=str(answer.status_code), http_status=answer.status_code)
        return str(answer.json()["sid"])


def content_types(body: str, interactive: Interactive) -> dict[str, Any]:
    """The Content API's types for buttons or a list: a list's rows go flat (list-picker
    has no sections) and a row's description only when it has one."""
    if interactive.buttons:
        return {"twilio/quick-reply": {"body": body, "actions": [{"id": b.id, "title": b.title}
                                                                 for b in interactive.buttons]}}
    items = [{"id": r.id, "item": r.title, **({"description": r.description} if r.description else {})}
             for s in interactive.sections for r in s.rows]
    return {"twilio/list-picker": {"body": body, "button": interactive.button, "items": items}}


def friendly_name(types: dict[str, Any]) -> str:
    canonical = json.dumps(types, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return INTERACTIVE_NAME + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:40]
