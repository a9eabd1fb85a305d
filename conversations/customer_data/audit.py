"""The audit trail: every admin change, who made it (principal id and name), when, from
which address, and which fields it set: names only, so no secret or personal value is
ever in it. Entries are only ever added; they expire after the configured days."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, Mapping

from conversations.admin.validation import text
from core.clock import Clock
from core.custody import AuditEntry, AuditFilter, AuditLog, AuditPage
from core.errors import ValidationFailed
from core.identity import Actor, Principal

MAX_FIELDS, MAX_NAME = 100, 64
NESTED = ("credentials",)  # objects whose member names are worth naming (credentials rotated)
FILTERS = ("actor", "action", "target", "since", "until")


def field_names(body: Any) -> tuple[str, ...]:
    """The fields a request body sets, by name only: ``credentials.auth_token``, ``numbers``."""
    if not isinstance(body, dict):
        return ()
    names: list[str] = []
    for key, value in body.items():
        if key in NESTED and isinstance(value, dict):
            names += [f"{key}.{inner}" for inner in value]
        else:
            names.append(str(key))
    return tuple(sorted(n[:MAX_NAME] for n in names))[:MAX_FIELDS]


class AuditTrail:
    def __init__(self, log: AuditLog, keep_days: int, clock: Clock) -> None:
        self._log = log
        self._keep = timedelta(days=keep_days)
        self._clock = clock

    def record(self, principal: Principal, client_ip: str, action: str, target: str, body: Any = None) -> None:
        self._log.append(AuditEntry(uuid.uuid4().hex, self._clock(), principal.actor, client_ip[:64], action,
                                    target, field_names(body)))

    def note(self, actor: Actor, action: str, target: str, fields: tuple[str, ...]) -> None:
        """A change found rather than asked for (a template the provider reclassified, seen
        by a sync): ``fields`` say what changed, never a personal value."""
        self._log.append(AuditEntry(uuid.uuid4().hex, self._clock(), actor, "", action, target, fields[:MAX_FIELDS]))

    def page(self, params: Mapping[str, str], limit: int, token: str | None) -> AuditPage:
        where = AuditFilter(actor_id=_value(params, "actor"), action=_value(params, "action"),
                            target=_value(params, "target"), since=_time(params, "since"),
                            until=_time(params, "until"))
        try:
            return self._log.page(where, limit, token)
        except ValueError as exc:
            raise ValidationFailed("next", "must be the next token of an earlier page") from exc

    def expire(self, limit: int = 10_000) -> int:
        """Delete entries older than the retention (reads only those)."""
        return self._log.expire(self._clock() - self._keep, limit)


def _value(params: Mapping[str, str], name: str) -> str | None:
    return text({name: params[name]}, name, max_length=200) if params.get(name) else None


def _time(params: Mapping[str, str], name: str) -> datetime | None:
    raw = params.get(name)
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationFailed(name, "must be a time in ISO 8601, e.g. 2026-01-31T09:00:00Z") from exc
    if when.tzinfo is None:
        raise ValidationFailed(name, "must say its time zone, e.g. 2026-01-31T09:00:00Z")
    return when
