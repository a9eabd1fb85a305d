"""A workstream's service-level targets as an admin gives them (core/sla.py), checked field
by field: whole minutes, how they are counted, when the holder is warned."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from core.errors import ValidationFailed
from core.sla import COUNTED, OPERATING_HOURS, TARGETS, ServiceTargets

MAX_MINUTES = 525_600  # a year
MIN_WARN, MAX_WARN = 1, 99
FIELDS = (*(f"{t}_minutes" for t in TARGETS), "counted", "warn_at_percent")


def parse_service_levels(value: Any, current: ServiceTargets) -> ServiceTargets:
    """``current`` with every field ``value`` names replaced; a target of null is none."""
    if not isinstance(value, dict):
        raise ValidationFailed("service_levels", "must be an object")
    unknown = set(value) - set(FIELDS)
    if unknown:
        raise ValidationFailed(f"service_levels.{sorted(unknown)[0]}", "is not a known field")
    targets = current
    for target in TARGETS:
        name = f"{target}_minutes"
        if name in value:
            minutes = value[name]
            if minutes is not None and not _whole(minutes, 1, MAX_MINUTES):
                raise ValidationFailed(f"service_levels.{name}", f"must be a whole number of minutes from 1 to "
                                                                 f"{MAX_MINUTES}, or null for no target")
            targets = replace(targets, **{name: minutes})
    if "counted" in value:
        if value["counted"] not in COUNTED:
            raise ValidationFailed("service_levels.counted", f"must be one of {', '.join(COUNTED)}")
        targets = replace(targets, counted=value["counted"])
    if "warn_at_percent" in value:
        if not _whole(value["warn_at_percent"], MIN_WARN, MAX_WARN):
            raise ValidationFailed("service_levels.warn_at_percent",
                                   f"must be a whole number from {MIN_WARN} to {MAX_WARN}")
        targets = replace(targets, warn_at_percent=value["warn_at_percent"])
    return targets


def check_counted(targets: ServiceTargets, has_hours: bool) -> None:
    """Targets counted in operating hours need the workstream to have some."""
    if targets.counted == OPERATING_HOURS and not has_hours:
        raise ValidationFailed("service_levels.counted", "operating_hours needs the workstream's operating hours; "
                                                         "set them, or count in calendar time")


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
