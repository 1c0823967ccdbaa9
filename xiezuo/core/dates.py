"""The one range of days a person or client may enter: 2000-01-01 to 2099-12-31.

Every date typed on a page, sent to the API, read from a workbook or ingested in bulk —
project and milestone dates, agreements, postings, dispatches, reports' weeks, the week or
day asked for in a page's address — lies within it. The cooperation's records begin long
after 2000 and its plans end long before 2100, so the range refuses no real date; what it
refuses is year 1 or 9999, from which a page going a week back or forward, or a conversion
to UTC, runs off Python's calendar and answered 500.

The API states the range in its OpenAPI document (a pattern on the date string, which
schema-driven clients honour, and the bounds in words); forms, importers and the apps' rules
call `check_day` or `day_error`.
"""
import datetime

from django.utils.translation import gettext as _

FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2099, 12, 31)
# The same range as a pattern on the ISO date text (the API's OpenAPI document states it).
DAY_PATTERN = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$"


class DateRangeError(ValueError):
    """A day outside FIRST_DAY … LAST_DAY."""


def out_of_range(value) -> str:
    shown = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return _("the date %(d)s is outside the range %(first)s to %(last)s") % {
        "d": shown, "first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}


def in_range(day: datetime.date) -> bool:
    if isinstance(day, datetime.datetime):
        day = day.date()
    return FIRST_DAY <= day <= LAST_DAY


def day_error(value) -> str | None:
    """The refusal's text for a date outside the range (None for one inside it, and for
    anything that is not a date: other checks name that)."""
    if isinstance(value, datetime.date) and not in_range(value):
        return out_of_range(value)
    return None


def check_day(value: datetime.date) -> datetime.date:
    """`value` when inside the range; DateRangeError otherwise."""
    message = day_error(value)
    if message:
        raise DateRangeError(message)
    return value


def parse_day(text) -> datetime.date:
    """An ISO date (YYYY-MM-DD) from a query parameter or a JSON string, inside the range;
    ValueError with the reason otherwise."""
    if isinstance(text, datetime.date) and not isinstance(text, datetime.datetime):
        return check_day(text)
    try:
        day = datetime.date.fromisoformat(str(text).strip())
    except (TypeError, ValueError):
        raise ValueError(_("“%(v)s” is not a date (YYYY-MM-DD)") % {"v": text}) from None
    return check_day(day)
