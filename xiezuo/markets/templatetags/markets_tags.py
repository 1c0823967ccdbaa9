from django import template

from ..units import mu_text, unit_numbers, units_text

register = template.Library()


@register.filter
def mu(units):
    """Units of 0.0001 mu as mu: 123456 → 12.3456."""
    return mu_text(units) if units is not None else "—"


@register.filter
def serial(block):
    return block.serial


@register.filter
def unit_range(trade):
    """A trade's units in words: '指标单位编号 1–300,000（共 300,000 个）'."""
    return units_text(trade.start_u, trade.end_u)


@register.filter
def unit_nos(trade):
    """A trade's unit numbers only, for a table cell: '1–300,000'."""
    return unit_numbers(trade.start_u, trade.end_u)
