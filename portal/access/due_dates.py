"""When a request is due: the archive serves a reader within 7 working days for conditional
(restricted) records (DESIGN §1). Working days skip Saturdays, Sundays and Vietnamese public
holidays (Bộ luật Lao động 2019, art. 112), with a holiday that falls on a weekend made up on
the next working day.

The holidays are data: the fixed-date ones hold every year; those of the lunar calendar (Tết
Nguyên đán, Giỗ Tổ Hùng Vương) are listed year by year, as the government announces them.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
WORKING_DAYS_CONDITIONAL = 7
WORKING_DAYS_OTHER = 1

# (month, day) of the holidays on the solar calendar; 2 September comes with one day beside it,
# which each year's notice names (1 or 3 September): see SEPTEMBER_SECOND_DAY.
FIXED_HOLIDAYS: dict[tuple[int, int], str] = {
    (1, 1): "Tết Dương lịch",
    (4, 30): "Ngày Chiến thắng",
    (5, 1): "Ngày Quốc tế lao động",
    (9, 2): "Quốc khánh",
}
SEPTEMBER_SECOND_DAY: dict[int, int] = {2025: 1, 2026: 1, 2027: 3, 2028: 1, 2029: 3, 2030: 3}

# First day of the lunar year (mùng 1 Tết) and the 10th of the 3rd lunar month, by year.
# Tết is five days off: the last day of the old year and the first four of the new one.
TET_FIRST_DAY: dict[int, date] = {
    2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17),
    2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3),
}
HUNG_KINGS_DAY: dict[int, date] = {
    2024: date(2024, 4, 18), 2025: date(2025, 4, 7), 2026: date(2026, 4, 26),
    2027: date(2027, 4, 16), 2028: date(2028, 4, 4), 2029: date(2029, 4, 23), 2030: date(2030, 4, 12),
}


def holidays_of(year: int) -> set[date]:
    """The days off of one year, made-up days for weekend holidays included."""
    days = {date(year, month, day) for month, day in FIXED_HOLIDAYS}
    if year in SEPTEMBER_SECOND_DAY:
        days.add(date(year, 9, SEPTEMBER_SECOND_DAY[year]))
    if year in HUNG_KINGS_DAY:
        days.add(HUNG_KINGS_DAY[year])
    made_up = set()
    for day in sorted(days):
        if day.weekday() >= 5:
            extra = day + timedelta(days=1)
            while extra.weekday() >= 5 or extra in days or extra in made_up:
                extra += timedelta(days=1)
            made_up.add(extra)
    days |= made_up
    for tet_year in (year, year + 1):  # the eve of next year's Tết may fall in this December
        first = TET_FIRST_DAY.get(tet_year)
        if first:
            days |= {first + timedelta(days=offset) for offset in range(-1, 4)}
    return {day for day in days if day.year == year}


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
