"""Sending through Azure Communication Services: WhatsApp with azure-communication-messages,
SMS with azure-communication-sms; and fetching customers' WhatsApp media for agents.

Clients are built from the connection string's endpoint and access key with
``AzureKeyCredential`` (what ``from_connection_string`` does, except that it forces
https, which would rule out local contract tests against an http mock).
"""

from __future__ import annotations

import functools
import logging
import uuid
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from azure.communication.messages import MessageTemplateClient, NotificationMessagesClient
from azure.communication.messages.models import (
    AudioNotificationContent, DocumentNotificationContent, ImageNotificationContent, MessageTemplate,
    MessageTemplateText, NotificationContent, TemplateNotificationContent, TextNotificationContent,
    VideoNotificationContent, WhatsAppMessageTemplateBindings, WhatsAppMessageTemplateBindingsComponent,
)
from azure.communication.sms import SmsClient
from azure.communication.sms._generated.models import SendMessageRequest, SmsRecipient, SmsSendOptions
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import (
    AzureError, ClientAuthenticationError, HttpResponseError, ServiceRequestError, ServiceResponseError,
)
from azure.core.rest import HttpRequest

from channels.acs import acs_endpoint
from channels.clients import ClientPool, retry_after_seconds
from core.content import INTERACTIVE, REACTION, Content, Interactive
from core.errors import ConfigurationError, ProviderError, ProviderRepeatExpired, ProviderUnreachable
from core.media import media_kind
from core.messages import FetchedMedia, OutboundMessage, SendResult, Validation
from core.records import Account, Media

# azure-core logs request headers at INFO; keep bodies and keys out of the logs either way.
logging.getLogger("azure.core.pipeline.policies.http_logging_policy").setLevel(logging.WARNING)

ACCEPTED = "accepted"  # ACS answered 202: taken for delivery; Event Grid reports the rest
REPEAT_EXPIRED = 412  # a repeated request whose first-sent time is older than ACS remembers
# Messages API 2024-11-15-preview is the first to publish a reaction (kind "reaction": an emoji
# and the WhatsApp message it goes on) and interactive messages (kind "interactive": reply
# buttons, lists); the SDK's 1.1.0 speaks 2024-08-30, which has neither, so these go through a
# client of that version, with the body as the contract gives it.
REACTIONS_API = "2024-11-15-preview"
_preview_client = functools.partial(NotificationMessagesClient, api_version=REACTIONS_API)
# A read receipt (a customer's message marked read, and the earlier ones with it) exists only
# in Messages API 2025-09-01-preview, as POST /messages/readreceipts:send (docs/providers.md,
# "Read receipts"); no SDK speaks it, so the request goes through the messages client's
# pipeline (its key, timeouts and endpoint), with the body as the contract gives it.
READ_RECEIPTS_API = "2025-09-01-preview"


class AcsSender:
    """One client per (resource endpoint, key, kind of client), reused across calls (ClientPool)."""

    def __init__(self, client_options: dict[str, Any] | None = None) -> None:
        self._options = {"connection_timeout": 5, "read_timeout": 30, **(client_options or {})}
        self._clients: ClientPool[Any] = ClientPool(
            lambda endpoint, key, kind: kind(endpoint, AzureKeyCredential(key), **self._options))

    def send(self, account: Account, message: OutboundMessage) -> SendResult:
        if account.channel == "sms":
            return self._send_sms(account, message)
        return self._send_whatsapp(account, message)

    def fetch_media(self, account: Account, media: Media) -> FetchedMedia:
        client: NotificationMessagesClient = self._client(account, NotificationMessagesClient)
        chunks = _calling(lambda: client.download_media(media.media_id))
        return FetchedMedia(content_type=media.content_type, chunks=chunks)

    def mark_read(self, account: Account, business: str, provider_message_id: str) -> None:
        """A ReadReceiptContent: the customer's message ``provider_message_id``, received on the
        channel ``business``, marked read (typingIndicator left out: false, nothing shown). Tried
        once, not retried: an agent is waiting for the opening, and the next opening after the
        customer writes again marks everything up to then read; and bounded, so an opening waits
        3 s to connect and then at most 5 s without a byte of the answer, not the client's 30."""
        client: NotificationMessagesClient = self._client(account, NotificationMessagesClient)
        request = HttpRequest("POST", "/messages/readreceipts:send", params={"api-version": READ_RECEIPTS_API},
                              json={"channelRegistrationId": business, "messageId": provider_message_id})
        _calling(lambda: client.send_request(request, retry_total=0, connection_timeout=3,
                                             read_timeout=5).raise_for_status())

    def validate(self, account: Account) -> Validation:
        """List the templates of the account's WhatsApp channel (of an unknown channel for an
        SMS account): the request is signed with the access key, so ACS answers 401 for a
        wrong key and 200 or 404 for a right one."""
        client: MessageTemplateClient = self._client(account, MessageTemplateClient)
        channel_id = account.channels[0].channel_id if account.channels else str(uuid.UUID(int=0))
        try:
            _calling(lambda: next(iter(client.list_templates(channel_id).by_page()), None))
        except ProviderError as exc:
            if isinstance(exc.__cause__, ClientAuthenticationError) or exc.http_status in (401, 403):
                return Validation(False, f"ACS refused the access key (HTTP {exc.http_status}): {exc.message}")
            if exc.http_status not in (400, 404) or isinstance(exc, ProviderUnreachable):
                raise
        return Validation(True, "ACS accepted the access key of the connection string")

    def find_sent(self, account: Account, message: OutboundMessage, since: datetime) -> list[SendResult]:
        """Nothing to look up: ACS dedupes a repeated try itself (``_repeatable``), so the
        try in doubt is sent again as it was."""
        return []

    def _send_sms(self, account: Account, message: OutboundMessage) -> SendResult:
        client: SmsClient = self._client(account, SmsClient)
        # SmsClient.send gives each call a new Repeatability-Request-ID; a try sent again
        # must carry its first one, so the request is made through the client's generated
        # operation, as SmsClient.send makes it, with the try's own.
        request_id, first_sent = _repeatable(message)
        request = SendMessageRequest(
            from_property=message.business, message=message.body,
            sms_recipients=[SmsRecipient(to=message.customer, repeatability_request_id=request_id,
                                         repeatability_first_sent=first_sent)],
            sms_send_options=SmsSendOptions(enable_delivery_report=True, tag=message.message_id))
        results = _calling(lambda: client._sms_service_client.sms.send(  # noqa: SLF001 - see above
            request, cls=lambda _pipeline, answer, _headers: answer.value if answer is not None else None))
        if not results or len(results) != 1:  # taken (202), but the answer does not say how: repeat it to learn
            raise ProviderUnreachable("ACS answered the SMS without its recipient's result", sent=True)
        [result] = results
        if not result.successful:
            error = ProviderRepeatExpired if result.http_status_code == REPEAT_EXPIRED else ProviderError
            raise error(result.error_message or "ACS refused the SMS", provider_code=str(result.http_status_code),
                        http_status=result.http_status_code)
        return SendResult(provider_message_id=result.message_id, status=ACCEPTED)

    def _send_whatsapp(self, account: Account, message: OutboundMessage) -> SendResult:
        content = _preview_content(message)
        client: NotificationMessagesClient = self._client(
            account, NotificationMessagesClient if content is None else _preview_client)
        content = whatsapp_content(message) if content is None else content
        request_id, first_sent = _repeatable(message)
        result = _calling(lambda: client.send(content, headers={"Repeatability-Request-ID": request_id,
                                                                "Repeatability-First-Sent": first_sent}))
        if not result.receipts:
            raise ProviderError("ACS answered without a message receipt")
        return SendResult(provider_message_id=result.receipts[0].message_id, status=ACCEPTED)

    def _client(self, account: Account, kind: Callable[..., Any]) -> Any:
        found = acs_endpoint(account.credentials.get("connection_string", ""))
        if found is None:
            raise ConfigurationError(f"account {account.id} has no usable ACS connection string")
        endpoint, key = found
        return self._clients.get(endpoint, key, kind)


def _repeatable(message: OutboundMessage) -> tuple[str, str]:
    """The Repeatability-Request-ID and Repeatability-First-Sent of a try: ACS executes a
    request once per pair within 5 minutes of its first-sent time and answers a repeat
    with the first one's result (https://learn.microsoft.com/rest/api/communication/repeatable-requests)."""
    first_sent = message.first_sent or datetime.now(timezone.utc)
    return message.attempt_id or str(uuid.uuid4()), format_datetime(first_sent.astimezone(timezone.utc), usegmt=True)


def whatsapp_content(message: OutboundMessage) -> NotificationContent:
    """The Advanced Messaging payload for a template, an attachment or plain text."""
    common = {"channel_registration_id": message.business, "to": [message.customer]}
    if message.template is not None:
        names = [f"p{i}" for i in range(1, len(message.template.parameters) + 1)]
        template = MessageTemplate(
            name=message.template.name, language=message.template.language,
            template_values=[MessageTemplateText(name=n, text=v) for n, v in zip(names, message.template.parameters, strict=True)],
            bindings=WhatsAppMessageTemplateBindings(
                body=[WhatsAppMessageTemplateBindingsComponent(ref_value=n) for n in names]) if names else None,
        )
        return TemplateNotificationContent(template=template, **common)
    if message.media:
        media = message.media[0]
        caption = message.body or None
        kind = media_kind(media.content_type)
        if kind == "image":
            return ImageNotificationContent(media_uri=media.url, content=caption, **common)
        if kind == "video":
            return VideoNotificationContent(media_uri=media.url, caption=caption, **common)
        if kind == "audio":
            return AudioNotificationContent(media_uri=media.url, **common)
        return DocumentNotificationContent(media_uri=media.url, caption=caption, file_name=_file_name(media.url),
                                           **common)
    return TextNotificationContent(content=message.body, **common)


def _file_name(url: str) -> str | None:
    """The name a document shows the customer: its URL's last path segment, decoded
    ("Invoice%20March.pdf" is "Invoice March.pdf"), without what no file name holds (a
    "/" decoded from %2F, control characters)."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]).rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable()) or None


def _preview_content(message: OutboundMessage) -> dict[str, Any] | None:
    """A reaction's or an interactive message's body, which only the preview API takes."""
    content = message.content
    if content is not None and content.kind == REACTION:
        return reaction_content(message, content)
    if content is not None and content.kind == INTERACTIVE and content.interactive is not None:
        return interactive_content(message, content.interactive)
    return None


def interactive_content(message: OutboundMessage, interactive: Interactive) -> dict[str, Any]:
    """An InteractiveNotificationContent of Messages API 2024-11-15-preview: reply buttons
    (``whatsAppButton``, a ButtonContent each) or a list (``whatsAppList``, one
    ActionSetContent titled with the list's button). The contract requires a row's
    description, so a row without one sends it empty."""
    if interactive.buttons:
        bindings = {"actionBindingKind": "whatsAppButton",
                    "actions": [{"kind": "button", "id": b.id, "title": b.title} for b in interactive.buttons]}
    else:
        sections = [{"title": s.title, "items": [{"id": r.id, "title": r.title, "description": r.description or ""}
                                                 for r in s.rows]} for s in interactive.sections]
        bindings = {"actionBindingKind": "whatsAppList",
                    "actions": [{"kind": "list", "title": interactive.button, "actionSet": sections}]}
    return {"channelRegistrationId": message.business, "to": [message.customer], "kind": INTERACTIVE,
            "interactiveMessage": {"body": {"kind": "text", "text": message.body}, "actionBindings": bindings}}


def reaction_content(message: OutboundMessage, reaction: Content) -> dict[str, Any]:
    """A ReactionNotificationContent of Messages API 2024-11-15-preview; an empty emoji
    takes the reaction back, as WhatsApp's own API does (the contract's emoji is any string)."""
    return {"channelRegistrationId": message.business, "to": [message.customer], "kind": REACTION,
            "emoji": reaction.emoji, "messageId": reaction.reacts_to}


def _calling(call: Callable[[], Any]) -> Any:
    """Run an SDK call; map its failures to the domain's provider errors."""
    try:
        return call()
    except (ServiceRequestError, ServiceResponseError) as exc:
        raise ProviderUnreachable(f"ACS could not be reached: {type(exc).__name__}",
                                  sent=isinstance(exc, ServiceResponseError)) from exc
    except HttpResponseError as exc:
        code = (exc.error.code if exc.error is not None else None) or str(exc.status_code)
        message = (exc.error.message if exc.error is not None else None) or exc.reason or "ACS refused the request"
        headers = exc.response.headers if exc.response is not None else {}
        error = ProviderRepeatExpired if exc.status_code == REPEAT_EXPIRED else ProviderError
        raise error(message, provider_code=code, http_status=exc.status_code,
                    retry_after=retry_after_seconds(headers.get("Retry-After"))) from exc
    except AzureError as exc:
        raise ProviderUnreachable(f"ACS call failed: {type(exc).__name__}") from exc
