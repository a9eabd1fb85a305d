"""Approved message templates: their definitions (admin input) and filling them in."""

from __future__ import annotations

import re
from typing import Any, Sequence

from conversations.admin.validation import objects, text
from core.errors import Conflict, ValidationFailed
from core.records import Template, TemplateRef
from core.templates import APPROVED, SyncedTemplate

PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
NAMED = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")  # a synced template's, positional or named
NOT_APPROVED, GONE = "template_not_approved", "template_gone"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?\Z")
_CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}\Z")
# What WhatsApp refuses in a template parameter's text: a line break, a tab, more than 4 spaces in a row.
WHATSAPP_REFUSES = re.compile(r"[\n\r\t]| {5}")
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


def prepared(template: Template, catalogue: Sequence[SyncedTemplate], parameters: Any,
             field: str = "name") -> tuple[str, TemplateRef]:
    """The text and reference of a workstream's template to send. Once the account has a
    synced catalogue, the catalogue decides (approved only; its text, provider id and typed
    parameters); without one (SMS, an account never synced) the template as pasted.
    ``field``: what the request calls the template's name, for a refusal."""
    synced = synced_for(template, catalogue, field)
    if synced is None:
        filled = fill(template, parameters)
        return render(template, filled), TemplateRef(template.name, template.language, filled, template.content_sid)
    filled = fill_synced(synced, parameters)
    names = tuple(p.name for p in synced.parameters)
    text_of = dict(zip(names, filled))
    body = NAMED.sub(lambda m: text_of.get(m.group(1), m.group(0)), synced.body)
    positional = names == tuple(str(n) for n in range(1, len(names) + 1))
    return body, TemplateRef(synced.name, synced.language, filled, synced.provider_id, () if positional else names,
                       synced.category)


def synced_for(template: Template, catalogue: Sequence[SyncedTemplate], field: str = "name") -> SyncedTemplate | None:
    """The catalogue's template of that name and language, refused (naming ``field``)
    unless it may be sent."""
    if not catalogue:
        return None
    label = f"template {template.name} ({template.language})"
    found = next((t for t in catalogue if t.key == (template.name, template.language)), None)
    if found is None:
        raise _refused(f"{label} is not among the account's synced templates; sync them or pick another", NOT_APPROVED,
                       field)
    if found.gone:
        raise _refused(f"{label} is gone: the provider no longer lists it", GONE, field)
    if found.status != APPROVED:
        reason = f" ({found.reason})" if found.reason else ""
        raise _refused(f"{label} is {found.status} at the provider{reason}, not approved", NOT_APPROVED, field)
    return found


def _refused(message: str, code: str, field: str) -> Conflict:
    refused = Conflict(f"{field}: {message}", code=code)
    refused.field = field  # named in the answer, as a ValidationFailed's field is
    return refused


def fill_synced(template: SyncedTemplate, parameters: Any) -> tuple[str, ...]:
    """The values of a synced template's parameters, in its order: a list in that order, or
    an object by name; each checked against its type."""
    names = [p.name for p in template.parameters]
    if isinstance(parameters, dict):
        unknown = next((k for k in parameters if k not in names), None)
        if unknown is not None:
            raise ValidationFailed(f"parameters.{unknown}", f"is not a parameter of template {template.name}")
        parameters = [parameters.get(name) for name in names]
    if not isinstance(parameters, list) or len(parameters) != len(names):
        raise ValidationFailed("parameters", f"template {template.name} takes {len(names)} parameter(s): "
                                             + (", ".join(names) or "none"))
    for parameter, value in zip(template.parameters, parameters):
        field = f"parameters.{parameter.name}"
        if parameter.type != "text":
            raise ValidationFailed(field, f"is of type {parameter.type}, which Switchboard does not send in templates")
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_PARAMETER:
            raise ValidationFailed(field, f"must be non-empty text of at most {MAX_PARAMETER} characters")
        if WHATSAPP_REFUSES.search(value):
            raise ValidationFailed(field, "must have no line break or tab, nor more than 4 spaces in a row "
                                          "(WhatsApp refuses such a parameter)")
    return tuple(parameters)


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
