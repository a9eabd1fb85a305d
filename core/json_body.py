"""JSON bodies read from outside (API calls and provider payloads): valid JSON, and text
that every later step (storage, a provider's API) can encode."""

from __future__ import annotations

import json
import re
from typing import Any

from core.errors import BadRequest, ValidationFailed

# JSON may escape half of a UTF-16 surrogate pair on its own ("\ud800"): that is no text,
# and nothing downstream (storage, a provider's API) can encode it.
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")
# A control character other than a line break or a tab (NUL, an escape, a backspace, DEL,
# the C1 controls) has no place in anything people type: C0 ones come escaped (or JSON would
# not parse), DEL and C1 ones as they are, or escaped.
_MAY_CONTROL = re.compile(rb"\\(?:u00[01][0-9a-fA-F]|u00[78][0-9a-fA-F]|u009[0-9a-fA-F]|[bf])|\x7f|\xc2[\x80-\x9f]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def parse_json(raw: bytes, what: str, *, lone_surrogates: str = "refuse") -> Any:
    """``raw`` as JSON; BadRequest (400) when it is not, or nests too deeply to read.

    A string holding a lone surrogate is refused (422 naming its field) or, for payloads
    a provider signed (``lone_surrogates="replace"``), kept with U+FFFD in its place. In
    what is refused so, a control character other than a line break or a tab is refused too.
    """
    try:  # an API body is UTF-8 (RFC 8259); a provider's, as it comes
        value = json.loads(raw.decode("utf-8-sig") if lone_surrogates == "refuse" else raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BadRequest(f"{what} is not valid JSON") from exc
    try:
        if lone_surrogates == "refuse" and _MAY_CONTROL.search(raw):
            _refuse_controls(value, "")
        if not _ESCAPED_SURROGATE.search(raw):  # the usual case: nothing to look for
            return value
        return _without_surrogates(value, "", lone_surrogates == "replace")
    except RecursionError as exc:
        raise BadRequest(f"{what} nests too deeply to read") from exc


def _refuse_controls(value: Any, path: str) -> None:
    if isinstance(value, str) and _CONTROL.search(value):
        raise ValidationFailed(path or "body", "holds a control character (only line breaks and tabs may be sent)")
    items = enumerate(value) if isinstance(value, list) else value.items() if isinstance(value, dict) else ()
    for key, item in items:
        _refuse_controls(key, path)
        _refuse_controls(item, f"{path}[{key}]" if isinstance(value, list) else f"{path}.{key}" if path else str(key))


def _without_surrogates(value: Any, path: str, replace: bool) -> Any:
    if isinstance(value, str):
        if not _SURROGATE.search(value):
            return value
        if not replace:
            raise ValidationFailed(path or "body", "holds an unpaired UTF-16 surrogate (\\ud800-\\udfff), "
                                                   "which is not text")
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_surrogates(v, f"{path}[{i}]", replace) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {_without_surrogates(k, path, replace): _without_surrogates(v, f"{path}.{k}" if path else str(k), replace)
                for k, v in value.items()}
    return value
