"""When a request is due: the archive serves a reader within 7 working days for conditional
(restricted) records (DESIGN §1). Working days skip Saturdays, Sundays and Vietnamese public
holidays (Bộ luật Lao động 2019, art. 112): Tết Nguyên đán and Giỗ Tổ Hùng Vương by the lunar
calendar, Ngày Văn hóa Việt Nam from 2026, a holiday on a weekend made up on the next working
day, and the extra days off the government announced for past years. They come from the
`holidays` package, which computes the lunar dates for any year rather than a table that ends.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
WORKING_DAYS_CONDITIONAL = 7
WORKING_DAYS_OTHER = 1


@lru_cache(maxsize=32)
def holidays_of(year: int) -> frozenset[date]:
    """The days off of one year, made-up days for weekend holidays included."""
    return frozenset(holidays.country_holidays("VN", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays_of(day.year)


def add_working_days(start: date, count: int) -> date:
    """The `count`-th working day after `start` (the day of submission itself does not count)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def local_date(moment: datetime) -> date:
    """The calendar day in Việt Nam at that moment (the archives' working day)."""
    return moment.astimezone(VIETNAM).date()


def due_date(submitted_at: datetime, conditional: bool = True) -> date:
    return add_working_days(local_date(submitted_at),
                            WORKING_DAYS_CONDITIONAL if conditional else WORKING_DAYS_OTHER)


def is_overdue(due_on: date, moment: datetime) -> bool:
    return local_date(moment) > due_on
