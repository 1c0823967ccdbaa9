"""Template helpers for the pages: money, percentages, demo badges, diffs, audit types."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from xiezuo.core.audit import type_label as _type_label
from xiezuo.core.money import format_wan, format_yuan

register = template.Library()


@register.filter
def yuan(fen):
    """Integer fen → “¥1,234.56”."""
    return format_yuan(fen)


@register.filter
def wan(fen):
    """Integer fen → “1,234.56” (万元)."""
    return format_wan(fen)


@register.simple_tag
def demo_badge(obj=None, flag=None):
    """The “演示数据 / demo” badge for a demo row (obj.is_demo) or an explicit flag."""
    is_demo = flag if flag is not None else getattr(obj, "is_demo", False)
    if not is_demo:
        return ""
    return format_html('<span class="badge text-bg-warning demo-badge" title="{}">{}</span>', _("demo data, not official"), _("demo"))


@register.filter
def show_value(value):
    """A before/after value for the diff tables: “—” for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


@register.filter
def num(value):
    """A whole number with thousands separators (“1,234,567”); “—” for nothing."""
    if value is None or value == "":
        return "—"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value


def one_decimal(value) -> str:
    """A percentage or ratio as officials quote it: one decimal, rounded half up (“52.0”)."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    if not number.is_finite():
        return "—"
    return f"{number.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}"


@register.filter
def pct(value):
    """A percentage to one decimal (“52.0”); “—” for nothing. The page writes the “%”."""
    return one_decimal(value)


@register.filter
def measure(value, unit=""):
    """An indicator's value in its unit: percentages to one decimal, other values as stored."""
    if value is None or value == "":
        return "—"
    if "%" in str(unit or ""):
        return one_decimal(value)
    return value


@register.filter
def type_label(object_type):
    """“周报” for the audit log's “projects.progressreport”."""
    return _type_label(object_type)
