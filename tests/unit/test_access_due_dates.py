"""Due dates of access requests: 7 working days, weekends and Vietnamese public holidays skipped."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from portal.access.due_dates import add_working_days, due_date, holidays_of, is_overdue, is_working_day, local_date

FIXED_HOLIDAYS = [(1, 1), (4, 30), (5, 1), (9, 2)]


def test_seven_working_days_from_a_monday_end_on_the_wednesday_after_next():
    assert add_working_days(date(2026, 3, 2), 7) == date(2026, 3, 11)


def test_a_request_sent_on_friday_counts_from_monday():
    assert add_working_days(date(2026, 3, 6), 7) == date(2026, 3, 17)


def test_weekend_submission_counts_from_the_next_monday():
    assert add_working_days(date(2026, 3, 7), 7) == add_working_days(date(2026, 3, 8), 7) == date(2026, 3, 17)


@pytest.mark.parametrize("month, day", FIXED_HOLIDAYS)
def test_fixed_date_holidays_are_days_off_every_year(month, day):
    for year in (2026, 2031, 2040):
        assert date(year, month, day) in holidays_of(year)


def test_reunification_and_labour_day_are_skipped():
    # Tue 28 Apr 2026 + 7 working days: 29 Apr, (30 Apr, 1 May off), 4, 5, 6, 7, 8, 11 May.
    assert add_working_days(date(2026, 4, 28), 7) == date(2026, 5, 11)


def test_a_holiday_on_a_weekend_is_made_up_on_the_next_working_day():
    # 1 January 2028 is a Saturday: Monday 3 January is off instead.
    assert date(2028, 1, 1).weekday() == 5
    assert not is_working_day(date(2028, 1, 3))
    assert is_working_day(date(2028, 1, 4))


def test_tet_is_five_days_off_from_the_eve():
    # Mùng 1 Tết Bính Ngọ is 17 February 2026.
    assert {date(2026, 2, day) for day in range(16, 21)} <= holidays_of(2026)
    # Fri 13 Feb 2026 + 7 working days: Tet from Mon 16 to Fri 20 is skipped entirely.
    assert add_working_days(date(2026, 2, 13), 7) == date(2026, 3, 3)


def test_tet_is_known_for_years_no_notice_has_named_yet():
    # Mùng 1 Tết Tân Hợi is 23 January 2031 (a Thursday): the eve and the days after are off.
    assert {date(2031, 1, 22), date(2031, 1, 23), date(2031, 1, 24)} <= holidays_of(2031)
    # Mon 20 Jan 2031 + 1 working day: not before the Monday after Tết.
    assert add_working_days(date(2031, 1, 20), 1) >= date(2031, 1, 27)


def test_vietnam_culture_day_is_off_from_2026():
    # 24 November, a holiday since 2026: Mon 23 Nov 2026 + 1 working day is Wed 25.
    assert add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 25)
    assert date(2025, 11, 24) not in holidays_of(2025)


def test_days_off_the_government_announced_are_skipped():
    # 2025: Friday 2 May was off, swapped with Saturday 26 April.
    assert not is_working_day(date(2025, 5, 2))


def test_hung_kings_day_is_off():
    assert date(2027, 4, 16) in holidays_of(2027)


def test_national_day_comes_with_a_second_day():
    assert {date(2026, 9, 1), date(2026, 9, 2)} <= holidays_of(2026)


def test_due_date_uses_the_day_in_vietnam_not_utc():
    # 20:00 UTC on Friday is already Saturday 03:00 in Việt Nam.
    late_friday = datetime(2026, 3, 6, 20, 0, tzinfo=timezone.utc)
    assert local_date(late_friday) == date(2026, 3, 7)
    assert due_date(late_friday) == date(2026, 3, 17)


def test_one_working_day_for_records_that_are_not_conditional():
    assert due_date(datetime(2026, 3, 6, 3, 0, tzinfo=timezone.utc), conditional=False) == date(2026, 3, 9)


def test_overdue_only_after_the_due_day_has_passed_in_vietnam():
    due = date(2026, 3, 11)
    assert not is_overdue(due, datetime(2026, 3, 11, 16, 59, tzinfo=timezone.utc))
    assert is_overdue(due, datetime(2026, 3, 11, 17, 0, tzinfo=timezone.utc))
