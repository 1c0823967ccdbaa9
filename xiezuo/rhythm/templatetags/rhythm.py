"""The office picker's options, written at once: a national user picks among some 1,400
offices, and the template loop over model instances cost more than the rest of the weekly
sheet's page."""
from django import template
from django.db.models import QuerySet
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

SELECTED = mark_safe(" selected")


@register.filter
def office_options(offices, selected=None):
    """<option>s of `offices` (a queryset or a list of organisations), `selected` marked."""
    chosen = getattr(selected, "pk", selected)
    if isinstance(offices, QuerySet):
        rows = offices.values_list("pk", "name", "region__code")
    else:
        rows = ((o.pk, o.name, o.region.code) for o in offices)
    return format_html_join("", '<option value="{}"{}>{}（{}）</option>',
                            ((pk, SELECTED if pk == chosen else "", name, code) for pk, name, code in rows))
