"""Operating hours: when a workstream's team is open (weekly intervals in an IANA zone,
dated closures). No hours configured means always open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from conversations.errors import ValidationFailed

MAX_TIME_ZONE = 64  # the longest IANA name is 32 characters
MAX_INTERVALS, MAX_CLOSURES = 50, 400
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Interval:
    day: int  # 0 = Monday
    open: time
    close: time


@dataclass(frozen=True)
class OperatingHours:
    time_zone: str
    weekly: tuple[Interval, ...]
    closures: frozenset[date]

    def is_open(self, when: datetime) -> bool:
        local = when.astimezone(ZoneInfo(self.time_zone))
        if local.date() in self.closures:
            return False
        now = local.time().replace(tzinfo=None)
        return any(i.day == local.weekday() and i.open <= now < i.close for i in self.weekly)

    def closed_period(self, when: datetime) -> str:
        """The closed stretch ``when`` falls in, named by the moment it began (the last
        closing time before ``when``), so "once per closed period" can be remembered."""
        zone = ZoneInfo(self.time_zone)
        local = when.astimezone(zone).replace(tzinfo=None)
        endings = [
            datetime.combine(day, i.close)
            for back in range(8)
            for day in [local.date() - timedelta(days=back)]
            if day not in self.closures
            for i in self.weekly
            if i.day == day.weekday() and datetime.combine(day, i.close) <= local
        ]
        return max(endings).isoformat(timespec="minutes") if endings else "closed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "time_zone": self.time_zone,
            "weekly": [{"day": DAYS[i.day], "open": _clock_time(i.open), "close": _clock_time(i.close)}
                       for i in self.weekly],
            "closures": sorted(d.isoformat() for d in self.closures),
        }


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


def _clock_time(value: time) -> str:
    return "24:00" if value == time.max else value.strftime("%H:%M")


def _time(value: Any, field: str) -> time:
    try:
        if not isinstance(value, str) or len(value) != 5:
            raise ValueError(value)
        return time.fromisoformat(value)
    except ValueError as exc:
        if value == "24:00":
            return time.max
        raise ValidationFailed(field, "must be a time HH:MM (24-hour)") from exc


def _date(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(field, "must be a date YYYY-MM-DD") from exc
