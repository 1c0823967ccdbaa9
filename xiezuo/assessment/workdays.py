"""Deadlines in working days on the official Chinese calendar (限期整改 “within N working days”).

Weekends are not simply Saturday and Sunday: the State Council moves days around public
holidays (调休), so some weekends are working days and some weekdays are holidays. The
`chinese_calendar` package carries the published arrangements; it covers a fixed range of
years and refuses dates outside it. A deadline computed from a guess would be wrong in a
way nobody notices, so an uncovered year is an error that says which years are known.
"""
import datetime

import chinese_calendar


class CalendarNotCovered(ValueError):
    """The holiday calendar has no data for the year asked about."""


def covered_years() -> tuple[int, int]:
    """(first, last) year the installed calendar knows."""
    from chinese_calendar.constants import holidays

    days = holidays.keys()
    return min(days).year, max(days).year


def is_working_day(day: datetime.date) -> bool:
    if isinstance(day, datetime.datetime):
        day = day.date()
    first, last = covered_years()
    if not first <= day.year <= last:
        raise CalendarNotCovered(
            f"the official holiday calendar installed covers {first}–{last}; it has no data for {day.year}. "
            f"Update the chinese_calendar package once the State Council publishes that year's arrangements."
        )
    return chinese_calendar.is_workday(day)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `start` (n ≥ 1), or `start` itself for n = 0.

    `start` is the day the order is issued and does not count, whether or not it is a
    working day: an order issued on 30 September 2025 with 3 working days is due on
    9 October, after the National Day holiday. Negative n counts backwards.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("n is a whole number of working days")
    if isinstance(start, datetime.datetime):
        start = start.date()
    step = datetime.timedelta(days=1 if n >= 0 else -1)
    day, left = start, abs(n)
    while left:
        day += step
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 when end ≤ start)."""
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
