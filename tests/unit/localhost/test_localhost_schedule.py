"""NCRONTAB schedules with %NAME% settings, as timer triggers declare them."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from localhost.schedule import Schedule, ScheduleError, resolve_settings

T0 = datetime(2024, 1, 1, 0, 4, 59, tzinfo=timezone.utc)


def test_six_fields_seconds_first() -> None:
    schedule = Schedule.parse("0 */5 * * * *", {})
    assert schedule.next_after(T0) == datetime(2024, 1, 1, 0, 5, 0, tzinfo=timezone.utc)
    assert schedule.next_after(datetime(2024, 1, 1, 0, 5, 0, tzinfo=timezone.utc)) == datetime(
        2024, 1, 1, 0, 10, 0, tzinfo=timezone.utc
    )


def test_every_few_seconds() -> None:
    schedule = Schedule.parse("*/10 * * * * *", {})
    assert schedule.next_after(T0) == datetime(2024, 1, 1, 0, 5, 0, tzinfo=timezone.utc)


def test_whole_schedule_from_a_setting() -> None:
    schedule = Schedule.parse("%AUTO_CLOSE_SCHEDULE%", {"AUTO_CLOSE_SCHEDULE": "0 */5 * * * *"})
    assert schedule.expression == "0 */5 * * * *"


def test_parts_from_settings() -> None:
    schedule = Schedule.parse("0 %M% %H% * * *", {"M": "30", "H": "9"})
    assert schedule.expression == "0 30 9 * * *"
    assert schedule.next_after(T0) == datetime(2024, 1, 1, 9, 30, tzinfo=timezone.utc)


def test_day_of_week_names() -> None:
    schedule = Schedule.parse("0 0 9 * * MON-FRI", {})
    # 2024-01-06 is a Saturday: next run is Monday the 8th.
    assert schedule.next_after(datetime(2024, 1, 6, tzinfo=timezone.utc)) == datetime(
        2024, 1, 8, 9, tzinfo=timezone.utc
    )


def test_naive_and_other_zones_are_normalised_to_utc() -> None:
    from datetime import timedelta

    plus_two = timezone(timedelta(hours=2))
    schedule = Schedule.parse("0 0 * * * *", {})
    assert schedule.next_after(datetime(2024, 1, 1, 2, 30, tzinfo=plus_two)) == datetime(
        2024, 1, 1, 1, 0, tzinfo=timezone.utc
    )


def test_unknown_setting_names_the_setting() -> None:
    with pytest.raises(ScheduleError, match="AUTO_CLOSE_SCHEDULE"):
        Schedule.parse("%AUTO_CLOSE_SCHEDULE%", {})


@pytest.mark.parametrize("expression", ["0 */5 * * *", "* * * * * * *", "", "61 * * * * *", "0 0 25 * * *"])
def test_invalid_expressions(expression: str) -> None:
    with pytest.raises(ScheduleError):
        Schedule.parse(expression, {})


def test_resolve_leaves_text_without_markers_alone() -> None:
    assert resolve_settings("0 0 * * * *", {}) == "0 0 * * * *"
