"""Rules on what an agent may send.

WhatsApp lets a business answer free-form only within 24 hours of the customer's last
message; after that only an approved template may be sent (every provider). How many
attachments a message carries depends on the provider and channel (MAX_ATTACHMENTS):
WhatsApp carries one (Twilio drops any more without a word), with a WhatsApp media type,
and audio carries no caption; Twilio MMS carries up to ten; ACS and TeleSign SMS none.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from conversations.admin.validation import objects, text
from core.errors import Conflict, Forbidden, ValidationFailed
from core.media import MEDIA_KINDS, media_kind, media_type
from core.records import Conversation, Media
from core.settings import WorkstreamSettings

WHATSAPP = "whatsapp"
REPLY_WINDOW = timedelta(hours=24)
WINDOW_CLOSED = "outside_whatsapp_window"
_DOCUMENT_TYPES = ("application/", "text/")
# Attachments per message by (provider, channel); a pair not listed takes none.
MAX_ATTACHMENTS = {("acs", WHATSAPP): 1, ("twilio", WHATSAPP): 1, ("twilio", "sms"): 10}


def reply_window_ends_at(conversation: Conversation) -> datetime | None:
    """When free-form replies stop being allowed; None where no window applies."""
    if conversation.channel != WHATSAPP:
        return None
    if conversation.last_customer_message_at is None:
        return None
    return conversation.last_customer_message_at + REPLY_WINDOW


def window_open(conversation: Conversation, now: datetime) -> bool:
    """Whether a free-form message may go out now (always, but on WhatsApp)."""
    if conversation.channel != WHATSAPP:
        return True
    ends_at = reply_window_ends_at(conversation)
    return ends_at is not None and now <= ends_at


def check_free_form_reply(conversation: Conversation, now: datetime) -> None:
    """Refuse a free-form reply outside the WhatsApp window (templates are exempt)."""
    if not window_open(conversation, now):
        ends_at = reply_window_ends_at(conversation)
        since = f"since {ends_at.isoformat()}" if ends_at else "(the customer has not written yet)"
        raise Conflict(
            f"the WhatsApp 24-hour reply window is closed {since}; send an approved template instead "
            "(POST /api/conversations/{id}/template, or a template in POST /api/outbound)",
            code=WINDOW_CLOSED,
        )


def check_agent_attachments(settings: WorkstreamSettings | None) -> None:
    """Agents may attach files only where the workstream allows it (numbers without a
    workstream have no such rule)."""
    if settings is not None and not settings.agents_can_send_attachments:
        raise Forbidden("this workstream does not allow agents to send attachments", code="attachments_disabled")


def check_media(provider: str, channel: str, body: str, media: tuple[Media, ...]) -> None:
    if not media:
        return
    limit = MAX_ATTACHMENTS.get((provider, channel), 0)
    if not limit:
        raise ValidationFailed("media", f"attachments are not supported on {provider} {channel}")
    if len(media) > limit:
        raise ValidationFailed("media", "WhatsApp carries one attachment per message; send them one by one"
                               if channel == WHATSAPP else f"a message carries at most {limit} attachments")
    if channel != WHATSAPP:
        return
    content_type = media[0].content_type.lower()
    if not content_type.startswith(tuple(f"{k}/" for k in MEDIA_KINDS) + _DOCUMENT_TYPES):
        raise ValidationFailed("media[0].content_type", "must be an image, video, audio or document type")
    if media_kind(content_type) == "audio" and body:
        raise ValidationFailed("body", "WhatsApp audio messages carry no caption; send the text separately")


def parse_media(value: object) -> tuple[Media, ...]:
    """Attachments as an agent gives them: [{"url": "https://...", "content_type": "image/png"}]."""
    media: list[Media] = []
    for prefix, item in objects(value, "media", ("url", "content_type"), at_most=max(MAX_ATTACHMENTS.values())):
        url = text(item, "url", max_length=2048, prefix=prefix)
        if not url.startswith("https://") and not url.startswith("http://"):
            raise ValidationFailed(prefix + "url", "must be a public http(s) URL the provider can fetch")
        content_type = media_type(text(item, "content_type", max_length=127, prefix=prefix))
        if content_type is None:
            raise ValidationFailed(prefix + "content_type", "must be a MIME type such as image/jpeg")
        media.append(Media(url=url, content_type=content_type))
    return tuple(media)
