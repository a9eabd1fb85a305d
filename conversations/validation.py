"""Small checks for JSON bodies: each failure names the field (422)."""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Iterator, Mapping

from conversations.errors import BadRequest, ValidationFailed


# JSON may escape half of a UTF-16 surrogate pair on its own ("\ud800"): that is no text,
# and nothing downstream (storage, a provider's API) can encode it.
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json(raw: bytes, what: str, *, lone_surrogates: str = "refuse") -> Any:
    """``raw`` as JSON; BadRequest (400) when it is not, or nests too deeply to read.

    A string holding a lone surrogate is refused (422 naming its field) or, for payloads
    a provider signed (``lone_surrogates="replace"``), kept with U+FFFD in its place.
    """
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BadRequest(f"{what} is not valid JSON") from exc
    if not _ESCAPED_SURROGATE.search(raw):  # the usual case: nothing to look for
        return value
    try:
        return _without_surrogates(value, "", lone_surrogates == "replace")
    except RecursionError as exc:
        raise BadRequest(f"{what} nests too deeply to read") from exc


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


def require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    return body


def reject_unknown(body: Mapping[str, Any], allowed: Iterable[str], prefix: str = "") -> None:
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise ValidationFailed(prefix + unknown[0], "is not a known field")


def text(body: Mapping[str, Any], name: str, *, required: bool = True, max_length: int = 200,
         prefix: str = "") -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise ValidationFailed(prefix + name, "is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(prefix + name, "must be a non-empty string")
    if len(value) > max_length:
        raise ValidationFailed(prefix + name, f"must be at most {max_length} characters")
    return value.strip()


def choice(body: Mapping[str, Any], name: str, options: Iterable[str], prefix: str = "") -> str:
    value = body.get(name)
    options = tuple(options)
    if value not in options:
        raise ValidationFailed(prefix + name, f"must be one of {', '.join(options)}")
    return value


def whole_number(body: Mapping[str, Any], name: str, *, minimum: int, maximum: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(name, "must be a whole number")
    if not minimum <= value <= maximum:
        raise ValidationFailed(name, f"must be between {minimum} and {maximum}")
    return value


def objects(value: Any, field: str, allowed: Iterable[str], *, at_most: int, allow_empty: bool = False,
            ) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each item of a list of at most ``at_most`` objects, with the prefix (``field[i].``)
    that names its fields in errors; unknown fields are refused."""
    if not isinstance(value, list) or not (value or allow_empty):
        raise ValidationFailed(field, "must be a list" if allow_empty else "must be a non-empty list")
    if len(value) > at_most:
        raise ValidationFailed(field, f"must hold at most {at_most} items")
    allowed = tuple(allowed)
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise ValidationFailed(f"{field}[{i}]", "must be an object")
        reject_unknown(item, allowed, f"{field}[{i}].")
        yield f"{field}[{i}].", item
