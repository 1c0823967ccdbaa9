"""Shared schema pieces: strict value types and the error body (each app's api.py declares
the reference schema of its own objects, such as RegionRef).

Input types refuse rather than coerce: a JSON 1.5 for an amount in fen is an error, not 1;
`true` is not a count. Their messages are marked for translation like everything else.
"""
import datetime
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from xiezuo.core.dates import DAY_PATTERN, FIRST_DAY, LAST_DAY, DateRangeError, check_day
from xiezuo.core.money import MAX_FEN, MoneyError, check_fen

MAX_BIGINT = 2**63 - 1  # BigIntegerField
MAX_INT = 2**31 - 1  # PositiveIntegerField


def _fen(value):
    try:
        value = check_fen(value)
    except MoneyError as exc:
        raise PydanticCustomError("fen", str(exc)) from None
    return value


def _day(value: datetime.date) -> datetime.date:
    try:
        return check_day(value)
    except DateRangeError as exc:
        raise PydanticCustomError("date_range", str(exc)) from None


def _count(limit):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise PydanticCustomError("count", _("must be a whole number, zero or more"))
        if value > limit:
            raise PydanticCustomError("count", _("the number is too large"))
        return value

    return check


def _strict_int(value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("int_type", _("must be a whole number"))
    return value


def _sane_time(value: datetime.datetime) -> datetime.datetime:
    if not 1900 <= value.year <= 9000:
        raise PydanticCustomError("time_range", _("a time between the years 1900 and 9000"))
    return value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("nul", _("must not contain NUL characters"))
    return value


# An amount of money: whole fen from 0 to MAX_FEN (100亿元). 1.5, "150" and -1 are refused.
Fen = Annotated[int, Field(ge=0, le=MAX_FEN, description="integer fen (分), at most 10^12 (100亿元)"), BeforeValidator(_fen)]
# A day a person or client enters (project dates, milestones, agreements, dispatches,
# postings, reports' weeks): within the platform's stated range, 2000-01-01 to 2099-12-31.
# The OpenAPI document states the range as a pattern on the date text (years 20xx), which
# schema-driven clients honour, and as formatMinimum/formatMaximum and in words.
Day = Annotated[datetime.date, AfterValidator(_day), Field(
    description=f"a date (YYYY-MM-DD) from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}",
    json_schema_extra={"pattern": DAY_PATTERN, "formatMinimum": FIRST_DAY.isoformat(),
                       "formatMaximum": LAST_DAY.isoformat()})]
# A count of people, projects…: a whole number, zero or more.
Count = Annotated[int, Field(ge=0, le=MAX_INT), BeforeValidator(_count(MAX_INT))]
BigCount = Annotated[int, Field(ge=0, le=MAX_BIGINT), BeforeValidator(_count(MAX_BIGINT))]
# A whole number that must arrive as a JSON integer (a year, an id in a body).
StrictInt = Annotated[int, Field(ge=-MAX_BIGINT, le=MAX_BIGINT), BeforeValidator(_strict_int)]
Year = Annotated[int, Field(ge=0, le=9999), BeforeValidator(_strict_int)]
ObjectId = Annotated[int, Field(ge=1, le=MAX_BIGINT), BeforeValidator(_strict_int)]
# A point in time for filters (far-off years overflow when converted to UTC).
Time = Annotated[datetime.datetime, AfterValidator(_sane_time)]
# A percentage share, like 18.50.
Share = Annotated[Decimal, Field(max_digits=5, decimal_places=2, allow_inf_nan=False)]


def Text(max_length: int = 300):
    """A string without NUL characters (PostgreSQL refuses them) and of bounded length."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(_no_nul)]


# A six-digit GB/T 2260 code; the format is checked by the lookup, with a clearer message.
Code = Text(20)


class InSchema(Schema):
    """Request bodies: unknown fields are refused, so a typo is not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Schema):
    code: str = Field(examples=["validation_error"])
    message: str
    fields: dict[str, list[str]] = Field(description='messages by field; "__all__" for those about no one field')


class ErrorOut(Schema):
    error: ErrorDetail


ERRORS = {frozenset({400, 401, 403, 404, 409, 422, 503}): ErrorOut}
