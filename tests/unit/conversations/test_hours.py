from datetime import datetime, timezone

import pytest

from core.errors import ValidationFailed
from conversations.admin.hours import parse_hours

HOURS = parse_hours({
    "time_zone": "America/Los_Angeles",
    "weekly": [{"day": d, "open": "09:00", "close": "17:00"} for d in ("monday", "tuesday", "wednesday", "thursday",
                                                                     "friday")],
    "closures": ["2026-12-25"],
})


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize("when,is_open", [
    (utc(2026, 11, 23, 16, 59), False),  # Monday 08:59 in Los Angeles (UTC-8)
    (utc(2026, 11, 23, 17, 0), True),    # Monday 09:00
    (utc(2026, 11, 24, 0, 59), True),    # Monday 16:59
    (utc(2026, 11, 24, 1, 0), False),    # Monday 17:00
    (utc(2026, 11, 28, 20, 0), False),   # Saturday noon
    (utc(2026, 12, 25, 20, 0), False),   # Friday noon, a holiday
    (utc(2026, 12, 24, 20, 0), True),    # the day before
    (utc(2026, 7, 6, 16, 30), True),     # Monday 09:30 in summer (UTC-7)
])
def test_open_on_both_sides_of_each_boundary_and_closed_on_holidays(when, is_open):
    assert HOURS.is_open(when) is is_open


def test_midnight_closing_round_trips():
    hours = parse_hours({"time_zone": "UTC", "weekly": [{"day": "monday", "open": "00:00", "close": "24:00"}]})
    assert parse_hours(hours.to_dict()) == hours
    assert hours.to_dict()["weekly"][0]["close"] == "24:00"
    assert hours.is_open(utc(2026, 11, 23, 23, 59, 59))


def test_one_closed_period_spans_the_night_and_the_weekend():
    friday_evening = HOURS.closed_period(utc(2026, 11, 28, 2, 0))
    saturday = HOURS.closed_period(utc(2026, 11, 28, 20, 0))
    monday_early = HOURS.closed_period(utc(2026, 11, 30, 15, 0))
    assert friday_evening == saturday == monday_early == "2026-11-27T17:00"
    assert HOURS.closed_period(utc(2026, 12, 1, 2, 0)) == "2026-11-30T17:00"


@pytest.mark.parametrize("value,field", [
    ({"time_zone": "Mars/Olympus", "weekly": []}, "operating_hours.time_zone"),
    ({"time_zone": "UTC", "weekly": [{"day": "funday", "open": "09:00", "close": "17:00"}]},
     "operating_hours.weekly[0].day"),
    ({"time_zone": "UTC", "weekly": [{"day": "monday", "open": "9am", "close": "17:00"}]},
     "operating_hours.weekly[0].open"),
    ({"time_zone": "UTC", "weekly": [{"day": "monday", "open": "18:00", "close": "17:00"}]},
     "operating_hours.weekly[0].close"),
    ({"time_zone": "UTC", "weekly": [], "closures": ["25/12/2026"]}, "operating_hours.closures[0]"),
])
def test_wrong_hours_name_the_field(value, field):
    with pytest.raises(ValidationFailed) as error:
        parse_hours(value)
    assert error.value.field == field
