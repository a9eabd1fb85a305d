"""Twilio's Messages API: sending SMS/MMS and WhatsApp (free text, media, Content API
templates, reply buttons and lists as Content API content), validating credentials, and
fetching customers' attachments for agents."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from typing import Iterator

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.rest.api.v2010.account.message import MessageInstance

from channels.clients import ClientPool, may_have_reached, retry_after_seconds
from channels.twilio import API_HOST, WHATSAPP
from channels.twilio_interactive import InteractiveContent
from core.errors import NotFound, ProviderError, ProviderOutsideWindow, ProviderRecipientOptedOut, ProviderUnreachable
from core.media import UNKNOWN_MEDIA_TYPE, media_type
from core.messages import FetchedMedia, OutboundMessage, SendResult, Validation
from core.records import Account, Media

# The SDK logs request headers and parameters (message bodies among them) at INFO.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)

OPTED_OUT_ERROR = 21610  # "Attempt to send to unsubscribed recipient"
OUTSIDE_WINDOW_ERROR = 63016  # a free-form WhatsApp message outside the 24-hour window
_REFUSALS: dict[int, type[ProviderError]] = {
    OPTED_OUT_ERROR: ProviderRecipientOptedOut, OUTSIDE_WINDOW_ERROR: ProviderOutsideWindow,
}
_CHUNK = 64 * 1024
LOOK_LIMIT = 50  # messages of one business number to one customer, newest first: minutes of traffic


class TwilioSender:
    """Sends through the Messages API (one SDK client per account's credentials) and
    fetches inbound attachments with the account's credentials.

    ``base_url`` replaces ``https://api.twilio.com`` for both (tests, proxies),
    ``content_base_url`` https://content.twilio.com."""

    def __init__(self, base_url: str | None, content_base_url: str | None = None, timeout: float = 10.0) -> None:
        self._base_url = base_url
        self._timeout = timeout
        self._contents = InteractiveContent(content_base_url, timeout)
        self._clients: ClientPool[Client] = ClientPool(self._new_client)

    def _new_client(self, account_sid: str, auth_token: str) -> Client:
        client = Client(account_sid, auth_token, http_client=_HttpClient(timeout=self._timeout))
        if self._base_url:
            client.api.base_url = self._base_url
        return client

    def _client(self, account: Account) -> Client:
        return self._clients.get(account.credentials["account_sid"], account.credentials["auth_token"])

    def send(self, account: Account, message: OutboundMessage) -> SendResult:
        params: dict[str, object] = {"to": _address(account, message.customer),
                                     "from_": _address(account, message.business)}
        template = message.template
        interactive = message.content.interactive if message.content is not None else None
        if interactive is not None:  # the caller's content, or this message's, made once
            params["content_sid"] = interactive.content_sid or self._contents.sid_for(account, message.body, interactive)
        elif template is not None and template.content_sid:  # Content API: Twilio fills in the approved template
            params["content_sid"] = template.content_sid
            if template.parameters:
                names = template.names or tuple(str(i) for i in range(1, len(template.parameters) + 1))
                params["content_variables"] = json.dumps(dict(zip(names, template.parameters)))
        else:
            if message.body:
                params["body"] = message.body
            if message.media:
                params["media_url"] = [m.url for m in message.media]
        if message.status_callback:
            params["status_callback"] = message.status_callback
        client = self._client(account)
        try:
            created = client.messages.create(**params)
        except TwilioRestException as exc:
            error = _REFUSALS.get(exc.code or 0, ProviderError)
            raise error(exc.msg or "Twilio refused the message", provider_code=_code(exc.code or exc.status),
                        http_status=exc.status, retry_after=client.http_client.retry_after()) from exc
        except (TwilioException, OSError) as exc:
            raise ProviderUnreachable(f"Twilio could not be reached: {type(exc).__name__}",
                                      sent=may_have_reached(exc)) from exc
        return SendResult(provider_message_id=created.sid, status=created.status or "queued")

    def find_sent(self, account: Account, message: OutboundMessage, since: datetime) -> list[SendResult]:
        """Twilio's Messages API takes no idempotency key, so a try whose answer was lost is
        looked for: the newest messages from the business to the customer (one page of
        the Messages list), those created since ``since`` whose body (and number of
        attachments) is the message's; a Content API template's text is Twilio's own, so
        for one any message in that time is a candidate."""
        client = self._client(account)
        try:
            listed = client.messages.list(to=_address(account, message.customer),
                                          from_=_address(account, message.business), limit=LOOK_LIMIT,
                                          page_size=LOOK_LIMIT)
        except TwilioRestException as exc:
            raise ProviderError(exc.msg or "Twilio refused the lookup", provider_code=_code(exc.code or exc.status),
                                http_status=exc.status) from exc
        except (TwilioException, OSError) as exc:
            raise ProviderUnreachable(f"Twilio could not be reached: {type(exc).__name__}") from exc
        return [SendResult(provider_message_id=m.sid, status=m.status or "queued") for m in listed
                if m.date_created is not None and m.date_created >= since and _same(m, message)]

    def fetch_media(self, account: Account, media: Media) -> FetchedMedia:
        """GET the MediaUrl with HTTP Basic auth; Twilio redirects to its CDN, which requests
        follows without the Authorization header (another host)."""
        if not media.url.startswith(API_HOST + "/"):
            raise NotFound("this attachment is not stored at Twilio", code="media_unavailable")
        url = (self._base_url or API_HOST) + media.url[len(API_HOST):]
        credentials = (account.credentials["account_sid"], account.credentials["auth_token"])
        try:
            response = requests.get(url, auth=credentials, timeout=(5, self._timeout), stream=True)
        except requests.RequestException as exc:
            raise ProviderUnreachable(f"Twilio could not be reached: {type(exc).__name__}") from exc
        if response.status_code != 200:
            response.close()
            raise ProviderError(f"Twilio answered HTTP {response.status_code} for the attachment",
                                provider_code=str(response.status_code), http_status=response.status_code)
        content_type = (media_type(media.content_type) or media_type(response.headers.get("Content-Type"))
                        or UNKNOWN_MEDIA_TYPE)
        return FetchedMedia(content_type=content_type, chunks=_chunks(response))

    def validate(self, account: Account) -> Validation:
        """Fetch the account itself (GET /2010-04-01/Accounts/{sid}.json): free, and refused without valid keys."""
        sid = account.credentials["account_sid"]
        try:
            fetched = self._client(account).api.v2010.accounts(sid).fetch()
        except TwilioRestException as exc:
            if exc.status in (401, 403, 404):
                return Validation(False, f"Twilio refused the Account SID and Auth Token (HTTP {exc.status}, "
                                         f"code {exc.code}): {exc.msg}")
            raise ProviderError(f"Twilio failed to answer: {exc.msg}", provider_code=_code(exc.code or exc.status),
                                http_status=exc.status) from exc
        except (TwilioException, OSError) as exc:
            raise ProviderUnreachable(f"Twilio could not be reached: {type(exc).__name__}") from exc
        if fetched.status != "active":
            return Validation(False, f"Twilio accepted the credentials, but account {fetched.sid} is {fetched.status}")
        return Validation(True, f"Twilio accepted the credentials of account {fetched.sid} ({fetched.status})")


class _HttpClient(TwilioHttpClient):
    """Twilio's HTTP client, keeping each thread's last Retry-After (the SDK's errors drop
    an answer's headers)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._last = threading.local()

    def request(self, *args: object, **kwargs: object) -> object:
        self._last.retry_after = None
        response = super().request(*args, **kwargs)  # type: ignore[arg-type]
        self._last.retry_after = retry_after_seconds((getattr(response, "headers", None) or {}).get("Retry-After"))
        return response

    def retry_after(self) -> float | None:
        return getattr(self._last, "retry_after", None)


def _same(listed: MessageInstance, message: OutboundMessage) -> bool:
    """Whether a message of Twilio's list may be ``message`` (trial accounts prefix bodies)."""
    if not (listed.direction or "").startswith("outbound"):
        return False
    if (message.template is not None and message.template.content_sid) or (
            message.content is not None and message.content.interactive is not None):
        return True
    body = listed.body or ""
    return (body == message.body or body.endswith(message.body)) and int(listed.num_media or 0) == len(message.media)


def _address(account: Account, number: str) -> str:
    """A number as Twilio's Messages API takes it on the account's channel."""
    return f"{WHATSAPP}:{number}" if account.channel == WHATSAPP else number


def _chunks(response: requests.Response) -> Iterator[bytes]:
    try:
        yield from response.iter_content(_CHUNK)
    except requests.RequestException as exc:
        raise ProviderUnreachable(f"Twilio's media download broke off: {type(exc).__name__}") from exc
    finally:
        response.close()


def _code(value: object) -> str | None:
    return None if value is None else str(value)
