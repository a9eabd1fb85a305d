"""Approved message templates: their definitions (admin input) and filling them in."""

from __future__ import annotations

import re
from typing import Any

from conversations.admin.validation import objects, text
from core.errors import ValidationFailed
from core.records import Template

PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")
_CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
MAX_TEMPLATES = 20  # all of them fit one table property (64 KiB)
MAX_PARAMETER = 1000


def placeholder_count(template: Template) -> int:
    return len({int(n) for n in PLACEHOLDER.findall(template.text)})


def fill(template: Template, parameters: Any) -> tuple[str, ...]:
    """The parameters, checked against the template's placeholders, as strings."""
    if not isinstance(parameters, list) or not all(isinstance(p, str) for p in parameters):
        raise ValidationFailed("parameters", "must be a list of strings")
    expected = placeholder_count(template)
    if len(parameters) != expected:
        raise ValidationFailed("parameters", f"template {template.name} takes {expected} parameter(s), "
                                             f"got {len(parameters)}")
    for i, value in enumerate(parameters):
        if not value.strip() or len(value) > MAX_PARAMETER:
            raise ValidationFailed(f"parameters[{i}]", f"must be non-empty and at most {MAX_PARAMETER} characters")
    return tuple(parameters)


def render(template: Template, parameters: tuple[str, ...]) -> str:
    """The text the customer receives: each {{n}} replaced by the n-th parameter."""
    return PLACEHOLDER.sub(lambda m: parameters[int(m.group(1)) - 1], template.text)


def parse_templates(value: Any) -> tuple[Template, ...]:
    """Templates as an admin enters them: a list of {"name", "language", "text"}, plus, for
    Twilio, the optional "content_sid" of the same template in Twilio's Content API."""
    if not isinstance(value, list):
        raise ValidationFailed("templates", "must be a list")
    templates: list[Template] = []
    for prefix, item in objects(value, "templates", ("name", "language", "text", "content_sid"), at_most=MAX_TEMPLATES,
                                allow_empty=True):
        name = text(item, "name", max_length=512, prefix=prefix)
        if not re.fullmatch(r"[a-z0-9_]+", name):
            raise ValidationFailed(prefix + "name", "must be the approved template's name: lower case letters, "
                                                   "digits and underscores")
        language = text(item, "language", max_length=16, prefix=prefix)
        if not _LANGUAGE.match(language):
            raise ValidationFailed(prefix + "language", "must be a language code such as en or en_US")
        body = text(item, "text", max_length=1024, prefix=prefix)
        numbers = sorted({int(n) for n in PLACEHOLDER.findall(body)})
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValidationFailed(prefix + "text", "placeholders must be numbered {{1}}, {{2}}, ... without gaps")
        if any(t.name == name and t.language == language for t in templates):
            raise ValidationFailed(prefix + "name", "is listed twice for this language")
        content_sid = text(item, "content_sid", required=False, max_length=64, prefix=prefix)
        if content_sid is not None and not _CONTENT_SID.match(content_sid):
            raise ValidationFailed(prefix + "content_sid", "must be a Twilio Content SID: HX and 32 hex characters")
        templates.append(Template(name=name, language=language, text=body, content_sid=content_sid))
    return tuple(templates)
