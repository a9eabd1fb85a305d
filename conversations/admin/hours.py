"""Operating hours as an admin gives them, checked field by field (core.hours holds
what they mean)."""

from __future__ import annotations

from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import ValidationFailed
from core.hours import DAYS, Interval, OperatingHours, parse_clock_time

MAX_TIME_ZONE = 64  # the longest IANA name is 32 characters
MAX_INTERVALS, MAX_CLOSURES = 50, 400


def parse_hours(value: Any, field: str = "operating_hours") -> OperatingHours | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValidationFailed(field, "must be an object with time_zone, weekly and closures")
    unknown = set(value) - {"time_zone", "weekly", "closures"}
    if unknown:
        raise ValidationFailed(f"{field}.{sorted(unknown)[0]}", "is not a known field")
    zone = value.get("time_zone")
    try:
        if not isinstance(zone, str) or not 0 < len(zone) <= MAX_TIME_ZONE:
            raise ZoneInfoNotFoundError(zone)
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a key no file system can name
        raise ValidationFailed(f"{field}.time_zone", "must be an IANA time zone, e.g. America/Los_Angeles") from exc
    weekly = value.get("weekly", [])
    if not isinstance(weekly, list) or len(weekly) > MAX_INTERVALS:
        raise ValidationFailed(f"{field}.weekly", f"must be a list of at most {MAX_INTERVALS} {{day, open, close}}")
    intervals = tuple(_interval(item, f"{field}.weekly[{i}]") for i, item in enumerate(weekly))
    closures = value.get("closures", [])
    if not isinstance(closures, list) or len(closures) > MAX_CLOSURES:
        raise ValidationFailed(f"{field}.closures", f"must be a list of at most {MAX_CLOSURES} dates (YYYY-MM-DD)")
    return OperatingHours(zone, intervals, frozenset(_date(d, f"{field}.closures[{i}]") for i, d in enumerate(closures)))


def _interval(item: Any, field: str) -> Interval:
    if not isinstance(item, dict) or item.get("day") not in DAYS:
        raise ValidationFailed(f"{field}.day", f"must be one of {', '.join(DAYS)}")
    opens, closes = _time(item.get("open"), f"{field}.open"), _time(item.get("close"), f"{field}.close")
    if closes <= opens:
        raise ValidationFailed(f"{field}.close", "must be later than open (split intervals that cross midnight)")
    return Interval(DAYS.index(item["day"]), opens, closes)


def _time(value: Any, field: str) -> time:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return parse_clock_time(value)
    except ValueError as exc:
        raise ValidationFailed(field, "must be a time HH:MM (24-hour)") from exc


def _date(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(field, "must be a date YYYY-MM-DD") from exc
