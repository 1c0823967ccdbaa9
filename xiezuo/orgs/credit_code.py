"""The unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from a 31-symbol alphabet (no I, O, S, V, Z); positions 3–8 are the GB/T 2260
code of the registering authority; the 18th is a check character over the first 17.
"""
from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(code: str) -> str:
    """Return the normalised code or raise ValueError with a reason a clerk can act on."""
    code = (code or "").strip().upper()
    if len(code) != 18:
        raise ValueError(_("a unified social credit code has 18 characters, this one has %(n)d") % {"n": len(code)})
    bad = [ch for ch in code if ch not in ALPHABET]
    if bad:
        raise ValueError(_("character “%(ch)s” is not allowed in a unified social credit code") % {"ch": bad[0]})
    if not code[2:8].isdigit():
        raise ValueError(_("characters 3–8 must be the six-digit division code"))
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValueError(_("wrong check character: “%(got)s”, expected “%(want)s”") % {"got": code[17], "want": expected})
    return code


def make_credit_code(first17: str) -> str:
    """Complete 17 characters with their check character (demo data, tests)."""
    return first17 + check_character(first17)
