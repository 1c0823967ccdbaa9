"""Exact quantities: land in ten-thousandths of a mu, money split to the fen."""
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _, ngettext

MU = 10_000
MAX_U = 10**15  # a trillion mu: far beyond any listing, well inside a 64-bit integer


def parse_mu(value) -> int:
    """'12.3456' (mu) → 123456 units; refuses more than four decimals, zero, negatives and text.
    Raises ValueError with the refusal's text."""
    if isinstance(value, bool) or value is None:
        raise ValueError(_("an area in mu is required"))
    if isinstance(value, float):
        value = repr(value)
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(_("“%(v)s” is not an area in mu") % {"v": value}) from None
    if not d.is_finite():
        raise ValueError(_("“%(v)s” is not an area in mu") % {"v": value})
    units = d * MU
    if units != units.to_integral_value():
        raise ValueError(_("an area is kept to 0.0001 mu: %(v)s has more decimals") % {"v": value})
    units = int(units)
    if units <= 0:
        raise ValueError(_("the area must be more than zero"))
    if units > MAX_U:
        raise ValueError(_("the area is too large"))
    return units


def check_units(value, errors, field="area_u"):
    """An area already in units (API, batch): a whole number above zero."""
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = [_("an area in 0.0001 mu is a whole number")]
    elif value <= 0:
        errors[field] = [_("the area must be more than zero")]
    elif value > MAX_U:
        errors[field] = [_("the area is too large")]


def mu_text(units: int | None) -> str:
    """123456 → '12.3456'."""
    if units is None:
        return ""
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(int(units)), MU)
    return f"{sign}{whole:,}.{frac:04d}"


def unit_numbers(start_u: int, end_u: int) -> str:
    """A lot's units [start_u, end_u) as an official numbers them, from 1 and both ends
    included: [0, 300000) → '1–300,000' (one unit: '7')."""
    first, last = int(start_u) + 1, int(end_u)
    return f"{first:,}" if first == last else f"{first:,}–{last:,}"


def units_text(start_u: int, end_u: int) -> str:
    """[0, 300000) → '指标单位编号 1–300,000（共 300,000 个）' (each unit 0.0001 mu)."""
    n = int(end_u) - int(start_u)
    return ngettext("quota unit no. %(range)s (%(n)s unit)", "quota unit nos. %(range)s (%(n)s units)", n) % {
        "range": unit_numbers(start_u, end_u), "n": f"{n:,}"}


def amount_for(units: int, price_fen_per_mu: int) -> int:
    """What `units` cost at a price per mu, in fen, rounded half up (the one rounding of a trade)."""
    return (units * price_fen_per_mu + MU // 2) // MU


def largest_remainder(total: int, weights: list[int]) -> list[int]:
    """Split `total` fen in proportion to integer `weights`, exact to the fen: each part gets
    the floor of its quota, and the fen left over go one each to the largest remainders
    (ties to the earlier part). The parts always sum to `total`."""
    if total < 0:
        raise ValueError("total must not be negative")
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("weights must be non-negative with a positive sum")
    whole = sum(weights)
    parts, rems = [], []
    for i, w in enumerate(weights):
        q, r = divmod(total * w, whole)
        parts.append(q)
        rems.append((-r, i))
    left = total - sum(parts)
    for _r, i in sorted(rems)[:left]:
        parts[i] += 1
    return parts
