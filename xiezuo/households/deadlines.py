"""The deadlines of an identification or exit: each step's due day counted from the clue.

Policy: the home visit within 3 days, the public notice at least 5 days, the county's
decision within 15 days of the clue. The days are counted on a calendar that the platform
may plug in: the official working-day calendar lives in `rhythm` (above this app), so this
module holds a registry (`register_calendar`) and, until rhythm registers its
`add_working_days`, counts calendar days. An application counts from its consent.
"""
import datetime

from .choices import Step

# days after the clue by which each step is due
DUE_DAYS = {Step.VISIT: 3, Step.REVIEW: 6, Step.NOTICE: 12, Step.TOWNSHIP: 13, Step.COUNTY: 15}
NOTICE_MIN_DAYS = 5
ORDER = (Step.CLUE, Step.VISIT, Step.REVIEW, Step.NOTICE, Step.TOWNSHIP, Step.COUNTY, Step.CLOSED)


def _calendar_days(start: datetime.date, n: int) -> datetime.date:
    return start + datetime.timedelta(days=n)


_add_days = _calendar_days
_calendar_name = "calendar days"


def register_calendar(add_days, name="working days"):
    """Install `add_days(start, n) → date` (rhythm's `add_working_days`)."""
    global _add_days, _calendar_name
    _add_days, _calendar_name = add_days, name


def reset_calendar():
    register_calendar(_calendar_days, "calendar days")


def add_days(start: datetime.date, n: int) -> datetime.date:
    return _add_days(start, n)


def calendar_name() -> str:
    return _calendar_name


def due(start: datetime.date, step: str) -> datetime.date | None:
    days = DUE_DAYS.get(step)
    return None if days is None or start is None else add_days(start, days)


def next_step(step: str) -> str:
    return ORDER[ORDER.index(step) + 1]


def notice_end_earliest(notice_from: datetime.date) -> datetime.date:
    """The notice runs at least 5 days: from its first day to the end of its fifth."""
    return notice_from + datetime.timedelta(days=NOTICE_MIN_DAYS - 1)
