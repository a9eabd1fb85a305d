"""Closed-window fallbacks as an admin names them (core/settings.py ``WindowFallback``):
their shape checked with the other settings, then, against the workstream's templates and
the account's synced catalogue, that each may be sent (one of the workstream's templates,
approved in the catalogue where the account has one), each refusal naming its field (422).
A template that goes or loses its approval later is refused when sent (not sent, with why)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

from conversations.admin.validation import reject_unknown, text
from conversations.messaging import templates as messaging_templates
from conversations.messaging.window_fallback import PLACEHOLDER
from core.errors import Conflict, ValidationFailed
from core.records import Template
from core.settings import FALLBACK_KINDS, WindowFallback
from core.templates import APPROVED, SyncedTemplate

FIELD = "window_fallbacks"
MAX_PARAMETERS = 20


def parse_fallbacks(value: Any) -> dict[str, WindowFallback]:
    """``{kind: {"name", "language", "parameters"}}`` for kinds of FALLBACK_KINDS; ``{}`` names none."""
    if not isinstance(value, dict):
        raise ValidationFailed(FIELD, "must be an object")
    reject_unknown(value, FALLBACK_KINDS, FIELD + ".")
    fallbacks = {}
    for kind, item in value.items():
        prefix = f"{FIELD}.{kind}."
        if not isinstance(item, dict):
            raise ValidationFailed(prefix[:-1], "must be an object")
        reject_unknown(item, ("name", "language", "parameters"), prefix)
        fallbacks[kind] = WindowFallback(text(item, "name", max_length=512, prefix=prefix),
                                         text(item, "language", max_length=16, prefix=prefix),
                                         _parameters(item.get("parameters", []), prefix + "parameters"))
    return fallbacks


def _parameters(value: Any, field: str) -> list[str] | dict[str, str]:
    values = value.values() if isinstance(value, dict) else value
    if not isinstance(value, (list, dict)) or len(value) > MAX_PARAMETERS or not all(
            isinstance(v, str) and len(v) <= messaging_templates.MAX_PARAMETER for v in values):
        raise ValidationFailed(field, f"must be a list, or an object by name, of at most {MAX_PARAMETERS} texts of "
                                      f"at most {messaging_templates.MAX_PARAMETER} characters")
    return value


def check_fallbacks(fallbacks: dict[str, WindowFallback], workstream_templates: Sequence[Template],
                    catalogue: Sequence[SyncedTemplate], approval: bool = True) -> None:
    """Each fallback may be sent now: one of the workstream's templates, approved where the
    account has a synced catalogue (unless ``approval`` is not asked: in the catalogue is
    enough, whatever the provider says of it now), taking the parameters it is given."""
    if not approval:
        catalogue = [replace(t, status=APPROVED, gone=False) for t in catalogue]
    for kind, fallback in fallbacks.items():
        prefix = f"{FIELD}.{kind}."
        found = next((t for t in workstream_templates
                      if (t.name, t.language) == (fallback.name, fallback.language)), None)
        if found is None:
            raise ValidationFailed(prefix + "name", f"must be one of the workstream's templates; "
                                                    f"{fallback.name} ({fallback.language}) is not")
        try:
            messaging_templates.prepared(found, catalogue, _sample(fallback.parameters))
        except Conflict as exc:
            raise ValidationFailed(prefix + "name", exc.message.removeprefix("name: ")) from None
        except ValidationFailed as exc:
            raise ValidationFailed(prefix + exc.field, exc.message.removeprefix(f"{exc.field}: ")) from None


def _sample(parameters: list[str] | dict[str, str]) -> list[str] | dict[str, str]:
    """The parameters as they would be sent, with a stand-in for each placeholder."""
    def sample(value: str) -> str:
        return PLACEHOLDER.sub("x", value)

    if isinstance(parameters, dict):
        return {k: sample(v) for k, v in parameters.items()}
    return [sample(v) for v in parameters]
