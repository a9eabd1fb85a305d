"""A Twilio account's WhatsApp templates: Content API content with its WhatsApp approval
(``GET /v1/ContentAndApprovals``, https://content.twilio.com), through requests."""

from __future__ import annotations

from typing import Any, Callable
from urllib.parse import urlsplit

import requests

from channels.templates import placeholders
from core.errors import ProviderError, ProviderUnreachable
from core.records import Account
from core.templates import APPROVED, CATEGORIES, DISABLED, MAX_CATALOGUE, PAUSED, PENDING, REJECTED, UNKNOWN, \
    SyncedTemplate, TemplateParameter

CONTENT_HOST = "https://content.twilio.com"
INTERACTIVE_NAME = "switchboard-"  # content made for reply buttons and lists (channels/twilio_interactive.py)
PAGE = 500
REASON = 500  # characters of a rejection reason kept (Twilio quotes WhatsApp at length)
_STATUSES = {"approved": APPROVED, "received": PENDING, "pending": PENDING, "rejected": REJECTED,
             "paused": PAUSED, "disabled": DISABLED}
# Categories Twilio listed before WhatsApp's 2023 ones, as WhatsApp moved them.
_CATEGORIES = {"transactional": "utility", "otp": "authentication"}


class TwilioContent:
    """``base_url`` replaces https://content.twilio.com (tests, proxies), next pages included."""

    def __init__(self, base_url: str | None, timeout: float = 10.0) -> None:
        self._base_url = (base_url or CONTENT_HOST).rstrip("/")
        self._timeout = timeout
        self._session = requests.Session()

    def list_templates(self, account: Account) -> list[SyncedTemplate]:
        auth = (account.credentials["account_sid"], account.credentials["auth_token"])
        url: str | None = f"{self._base_url}/v1/ContentAndApprovals?PageSize={PAGE}"
        listed: list[SyncedTemplate] = []
        while url and len(listed) <= MAX_CATALOGUE:
            page = self._get(url, auth)
            listed.extend(_readable(template, c) for c in page.get("contents") or [] if _whatsapp(c))
            url = self._here((page.get("meta") or {}).get("next_page_url"))
        return listed[:MAX_CATALOGUE + 1]  # one more than is kept: the sync then knows the listing was cut

    def _get(self, url: str, auth: tuple[str, str]) -> dict[str, Any]:
        try:
            answer = self._session.get(url, auth=auth, timeout=self._timeout)
        except requests.RequestException as exc:
            raise ProviderUnreachable(f"Twilio's Content API could not be reached: {type(exc).__name__}") from exc
        if answer.status_code != 200:
            raise ProviderError(f"Twilio's Content API answered HTTP {answer.status_code}",
                                provider_code=str(answer.status_code), http_status=answer.status_code)
        try:
            return answer.json()
        except ValueError as exc:  # a proxy's page, say
            raise ProviderError("Twilio's Content API answered with no JSON") from exc

    def _here(self, next_page_url: str | None) -> str | None:
        """Twilio's next page, on this adapter's base URL."""
        if not next_page_url:
            return None
        split = urlsplit(next_page_url)
        return f"{self._base_url}{split.path}" + (f"?{split.query}" if split.query else "")


def _whatsapp(content: Any) -> bool:
    """Content submitted to WhatsApp (SMS-only content, and what Switchboard made for
    interactive messages, are no templates of the account's)."""
    if not isinstance(content, dict) or str(content.get("friendly_name") or "").startswith(INTERACTIVE_NAME):
        return False
    approvals = content.get("approval_requests")
    return isinstance(approvals, dict) and bool((approvals.get("whatsapp") or approvals).get("status"))


def _readable(read: Callable[[dict[str, Any]], SyncedTemplate], content: dict[str, Any]) -> SyncedTemplate:
    try:
        return read(content)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ProviderError("Twilio's Content API listed content Switchboard cannot read") from exc


def template(content: dict[str, Any]) -> SyncedTemplate:
    approvals = content.get("approval_requests") or {}
    whatsapp = approvals.get("whatsapp", approvals) if isinstance(approvals, dict) else {}
    category = str(whatsapp.get("category") or "").lower()
    category = _CATEGORIES.get(category, category)
    types = content.get("types") or {}
    body = next((t.get("body") for t in types.values() if isinstance(t, dict) and t.get("body")), "") or ""
    variables = content.get("variables") or {}
    names = sorted(variables, key=lambda n: (not n.isdigit(), int(n) if n.isdigit() else 0, n))
    parameters = placeholders(body)
    return SyncedTemplate(
        name=whatsapp.get("name") or content.get("friendly_name") or content["sid"],
        language=content.get("language") or "", category=category if category in CATEGORIES else None,
        status=_STATUSES.get(str(whatsapp.get("status") or "").lower(), UNKNOWN), body=body,
        parameters=parameters + tuple(TemplateParameter(n) for n in names if TemplateParameter(n) not in parameters),
        provider_id=content.get("sid"), reason=(whatsapp.get("rejection_reason") or "")[:REASON] or None)
