from django import template

from ..units import mu_text

register = template.Library()


@register.filter
def mu(units):
    """Units of 0.0001 mu as mu: 123456 → 12.3456."""
    return mu_text(units) if units is not None else "—"


@register.filter
def serial(block):
    return block.serial
