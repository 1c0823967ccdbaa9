"""The resident identity number of GB 11643-1999: 6 digits of the issuing region, the birth
date (YYYYMMDD), a 3-digit sequence (odd for men) and a check digit (ISO 7064 MOD 11-2).

A number is checked here and nowhere else, so a page, an import and the API refuse the same
numbers with the same words.
"""
import datetime

from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
# The first two digits: the provinces of GB/T 2260 (11 北京 … 65 新疆), 71 台湾, 81/82 港澳.
PROVINCE_PREFIXES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
})


def normalise(value) -> str:
    """Trimmed, full-width digits made ASCII, a lower-case x made X."""
    text = str(value or "").strip().replace(" ", "")
    text = text.translate({0xFF10 + i: ord("0") + i for i in range(10)} | {0xFF38: ord("X"), 0xFF58: ord("X")})
    return text.upper()


def check_digit(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def id_number_error(value, *, today: datetime.date | None = None) -> str | None:
    """Why `value` is not a valid ID number, in words an official can act on; None if it is."""
    number = normalise(value)
    if len(number) != 18:
        return _("an ID number has 18 characters, this one has %(n)d") % {"n": len(number)}
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return _("an ID number is 17 digits and a last digit or X")
    if number[:2] not in PROVINCE_PREFIXES:
        return _("the ID number's first two digits (%(p)s) are not a province") % {"p": number[:2]}
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _("the ID number's birth date %(d)s is not a date") % {"d": number[6:14]}
    today = today or datetime.date.today()
    if born > today or born.year < 1900:
        return _("the ID number's birth date %(d)s is not possible") % {"d": born.isoformat()}
    expected = check_digit(number[:17])
    if number[17] != expected:
        return _("the ID number's check digit is %(got)s, it should be %(want)s: a digit is probably mistyped") % {
            "got": number[17], "want": expected}
    return None


def is_valid(value) -> bool:
    return id_number_error(value) is None


def birth_date(number: str) -> datetime.date:
    number = normalise(number)
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def make_id_number(region_code: str, born: datetime.date, sequence: int) -> str:
    """A well-formed number for generated and demo people (never a real person's: the
    generator draws region, date and sequence itself)."""
    first17 = f"{region_code[:6]}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_digit(first17)
