"""Attachments' media types: what may be stored and served as a Content-Type, and how
WhatsApp sorts them."""

from __future__ import annotations

import re

# A MIME type as HTTP allows it (RFC 9110 tokens), parameters dropped: what a provider
# reports is stored and later served as a header, so nothing else may pass.
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,63}"
_MEDIA_TYPE = re.compile(f"{_TOKEN}/{_TOKEN}")
UNKNOWN_MEDIA_TYPE = "application/octet-stream"
# What WhatsApp accepts as image, video, audio; anything else goes as a document.
MEDIA_KINDS = ("image", "video", "audio")


def media_type(value: object) -> str | None:
    """``value`` as a bare ``type/subtype`` in lower case, or None when it is not one."""
    if not isinstance(value, str):
        return None
    bare = value.split(";", 1)[0].strip().lower()
    return bare if _MEDIA_TYPE.fullmatch(bare) else None


def media_kind(content_type: str) -> str:
    """image, video, audio or document, as WhatsApp sorts attachments."""
    major = content_type.split("/", 1)[0].lower()
    return major if major in MEDIA_KINDS else "document"
