"""The household list, once: the page, the API and the export ask `households(user, **filters)`.
Rows only for the roles that may see them (`privacy.may_see_rows`); others get none."""
from django.db.models import Q

from xiezuo.core.scoping import visible

from .models import Household
from .privacy import may_see_rows


def households(user, *, county="", township="", village="", category="", status="", number="", flagged_month=None,
               overdue=False, **_ignored):
    """`county`, `township`, `village` are codes (6, 9, 12 digits); `number` part of the
    household number."""
    qs = visible(user, Household.objects.select_related("village", "county"))
    if not may_see_rows(user):
        return qs.none()
    for code in (county, township, village):
        code = (code or "").strip()
        if code:
            qs = qs.filter(village_code__startswith=code)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if number:
        qs = qs.filter(number__icontains=number.strip())
    if flagged_month:
        qs = qs.filter(flags__month=flagged_month).distinct()
    if overdue:
        from django.utils import timezone

        qs = qs.filter(Q(cases__step_due__lt=timezone.localdate()) & ~Q(cases__step="closed")).distinct()
    return qs.order_by("village_code", "number", "id")
