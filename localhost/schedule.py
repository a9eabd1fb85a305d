"""NCRONTAB schedules of timer triggers, as the Functions host reads them.

Azure's timer trigger takes six fields (second minute hour day month
day-of-week) and resolves `%NAME%` from app settings, either as the whole
expression or as parts of it. Resolution happens at startup so that a missing
setting fails loudly instead of silently never firing. Times are UTC, which is
Azure's default when no time-zone setting is configured.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from croniter import croniter

_SETTING = re.compile(r"%([^%]+)%")


class ScheduleError(ValueError):
    """A timer schedule that cannot be resolved or parsed."""


def resolve_settings(expression: str, environ: Mapping[str, str] | None = None) -> str:
    """Replace every `%NAME%` with the setting's value; fail on unknown names."""
    env = os.environ if environ is None else environ

    def value(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in env:
            raise ScheduleError(
                f"schedule {expression!r} refers to %{name}% but the setting {name} is not defined "
                "(set it in the environment or in local.settings.json Values)"
            )
        return env[name]

    return _SETTING.sub(value, expression)


@dataclass(frozen=True)
class Schedule:
    """A parsed six-field NCRONTAB expression."""

    expression: str

    @classmethod
    def parse(cls, expression: str, environ: Mapping[str, str] | None = None) -> Schedule:
        """Resolve settings, then check the result is a valid six-field expression."""
        resolved = " ".join(resolve_settings(expression, environ).split())
        fields = resolved.split(" ") if resolved else []
        if len(fields) != 6:
            raise ScheduleError(
                f"schedule {expression!r} resolves to {resolved!r}, which has {len(fields)} fields; "
                "NCRONTAB needs six: second minute hour day month day-of-week"
            )
        if not croniter.is_valid(resolved, second_at_beginning=True):
            raise ScheduleError(f"schedule {expression!r} resolves to {resolved!r}, which is not valid NCRONTAB")
        return cls(resolved)

    def next_after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after `moment` (an aware datetime), in UTC."""
        start = moment.astimezone(timezone.utc)
        runs = croniter(self.expression, start, second_at_beginning=True)
        result: datetime = runs.get_next(datetime)
        return result
