"""Small checks for the fields of JSON bodies: each failure names the field (422)."""

from __future__ import annotations

import re

from typing import Any, Iterable, Iterator, Mapping

from core.errors import BadRequest, ValidationFailed


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


_SHORT_NAME = re.compile(r"^\w[\w .+#&-]{0,49}\Z")


def short_name(body: Mapping[str, Any], name: str = "name") -> str:
    """A catalogue's name (a skill's, a label's): a letter or digit first, then letters,
    digits, spaces and . + # & -, at most 50 characters."""
    value = (text(body, name, max_length=50) or "").strip()
    if not _SHORT_NAME.match(value):
        raise ValidationFailed(name, "must start with a letter or digit and hold only letters, digits, spaces "
                                     "and . + # & - (at most 50 characters)")
    return value
