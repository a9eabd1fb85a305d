"""Operating hours: when a workstream's team is open (weekly intervals in an IANA zone,
dated closures). No hours configured means always open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
END_OF_DAY = "24:00"
OPEN_TIME_HORIZON_DAYS = 731


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

    def after_open_time(self, start: datetime, span: timedelta) -> datetime:
        """The moment ``span`` of open time has passed since ``start`` (time outside the
        weekly intervals and on closures does not count); ValueError when the hours never
        open within two years."""
        zone, left = ZoneInfo(self.time_zone), span
        day = start.astimezone(zone).date()
        for _ in range(OPEN_TIME_HORIZON_DAYS):
            for opens, closes in self._open_on(day, zone):
                begin = max(opens, start)
                if closes > begin:
                    if left <= closes - begin:
                        return begin + left
                    left -= closes - begin
            day += timedelta(days=1)
        raise ValueError("the operating hours never open")

    def _open_on(self, day: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
        """The day's open intervals as UTC moments, in order (none on a closure)."""
        if day in self.closures:
            return []
        utc = ZoneInfo("UTC")
        spans = []
        for i in sorted((i for i in self.weekly if i.day == day.weekday()), key=lambda i: i.open):
            end = datetime.combine(day + timedelta(days=1), time(0)) if i.close == time.max else \
                datetime.combine(day, i.close)
            spans.append((datetime.combine(day, i.open, zone).astimezone(utc), end.replace(tzinfo=zone).astimezone(utc)))
        return spans

    def to_dict(self) -> dict[str, Any]:
        return {
            "time_zone": self.time_zone,
            "weekly": [{"day": DAYS[i.day], "open": clock_time(i.open), "close": clock_time(i.close)}
                       for i in self.weekly],
            "closures": sorted(d.isoformat() for d in self.closures),
        }

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> "OperatingHours":
        """Hours as ``to_dict`` wrote them (stored, so already checked)."""
        return cls(value["time_zone"],
                   tuple(Interval(DAYS.index(i["day"]), parse_clock_time(i["open"]), parse_clock_time(i["close"]))
                         for i in value.get("weekly", [])),
                   frozenset(date.fromisoformat(d) for d in value.get("closures", [])))


def clock_time(value: time) -> str:
    return END_OF_DAY if value == time.max else value.strftime("%H:%M")


def parse_clock_time(value: str) -> time:
    """HH:MM, where 24:00 is the end of the day; ValueError otherwise."""
    if value == END_OF_DAY:
        return time.max
    if len(value) != 5:
        raise ValueError(value)
    return time.fromisoformat(value)
