"""Money is an integer count of fen (分). Nothing here ever touches float.

Amounts arrive from people as yuan strings or spreadsheet cells ("1,234.56", 1234.5) and
leave as formatted yuan or 万元; in between they are `int` fen.

Every amount is at most MAX_FEN, whichever path it comes by (page form, API, Excel import,
bulk ingestion), because both databases keep amounts and the sums the pages show in signed
64-bit integers (2^63 − 1 ≈ 9.22 × 10^18 fen): SQLite's SUM stops with "integer overflow" past
it, PostgreSQL refuses to store a bigint past it, so one absurd amount used to break the
dashboard and the funds page for everyone.

MAX_FEN = 10^12 fen = 100亿元 (ten billion yuan). The largest real amount is one province
pairing's fiscal aid for a year — a few billion yuan; the whole East–West cooperation moves
about 23 billion yuan of fiscal aid a year. So the bound never refuses a real amount, and a
sum of 9.2 million amounts each at the maximum still fits in 64 bits: more rows than the
national dataset's ledger holds over many years (about 5 million entries), every one of them
at an amount no account ever sees.
"""
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _


MAX_FEN = 10**12  # 100亿元; see above


class MoneyError(ValueError):
    pass


def too_large() -> str:
    return _("the amount is too large: at most %(max)s (100亿元)") % {"max": format_yuan(MAX_FEN)}


def yuan_to_fen(value) -> int:
    """Parse a yuan amount (str, int, Decimal or a spreadsheet float) into fen.

    Refuses negatives and anything finer than one fen. Floats from spreadsheets are read
    through their shortest repr, which is exactly what the cell displayed.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise MoneyError(_("an amount is required"))
    if isinstance(value, bool):
        raise MoneyError(_("not an amount"))
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise MoneyError(_("“%(value)s” is not an amount") % {"value": value}) from None
    if not amount.is_finite():
        raise MoneyError(_("“%(value)s” is not an amount") % {"value": value})
    if amount < 0:
        raise MoneyError(_("amounts cannot be negative"))
    if amount > MAX_FEN // 100:  # before multiplying: 1e999999 × 100 overflows Decimal itself
        raise MoneyError(too_large())
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise MoneyError(_("amounts are kept to the fen (at most two decimal places)"))
    return int(fen)


def check_fen(value) -> int:
    """Validate a fen amount given directly (API, agreements, budgets): a whole number from 0
    to MAX_FEN."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise MoneyError(_("amounts in fen must be whole numbers"))
    if value < 0:
        raise MoneyError(_("amounts cannot be negative"))
    if value > MAX_FEN:
        raise MoneyError(too_large())
    return value


def format_yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def fen_to_yuan_decimal(fen: int) -> Decimal:
    return Decimal(int(fen)) / 100


def format_wan(fen: int | None) -> str:
    """Fen as 万元 with two decimals, rounded half-up in Decimal."""
    if fen is None:
        return ""
    wan = (Decimal(int(fen)) / Decimal(1_000_000)).quantize(Decimal("0.01"))
    return f"{wan:,}"
