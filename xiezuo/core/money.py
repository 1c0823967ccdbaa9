"""Money is an integer count of fen (分). Nothing here ever touches float.

Amounts arrive from people as yuan strings or spreadsheet cells ("1,234.56", 1234.5) and
leave as formatted yuan or 万元; in between they are `int` fen.
"""
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _


class MoneyError(ValueError):
    pass


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
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise MoneyError(_("amounts are kept to the fen (at most two decimal places)"))
    return int(fen)


def check_fen(value) -> int:
    """Validate a fen amount given directly (API): a non-negative integer."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise MoneyError(_("amounts in fen must be whole numbers"))
    if value < 0:
        raise MoneyError(_("amounts cannot be negative"))
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
