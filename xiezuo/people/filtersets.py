"""The dispatch list, once: the page, the API's list and stability endpoints and the Excel
export all ask `dispatches(user, **filters)`, which returns a queryset that has already
passed the scoping rule."""
import datetime

from django.db.models import F, Q
from django.utils import timezone

from xiezuo.core.scoping import visible_by_columns
from xiezuo.regions.filtersets import in_subtree
from xiezuo.regions.matching import region_named

from .actions import on_post as on_post_q
from .actions import stability
from .models import Dispatch


def dispatches(user, *, q="", kind="", direction="", region="", organisation=None, pairing=None, on_post=None,
               on_post_now=False, term="", **_ignored):
    """`region` (a Region, or a code or name typed) means its whole subtree, on either side; `organisation`
    and `pairing` an id or an object; `on_post` a day (`on_post_now`: today); `term`
    completed, left_early or running; `q` part of the person's or either organisation's name."""
    qs = visible_by_columns(user, Dispatch.objects.select_related("from_org__region", "to_org__region", "pairing__east_region",
                                                                  "pairing__west_region"))
    if kind:
        qs = qs.filter(kind=kind)
    if direction:
        qs = qs.filter(direction=direction)
    if region:
        region = region_named(region)
        qs = qs.filter(in_subtree(region, "from_org__region__code", "to_org__region__code")) if region else qs.none()
    if organisation is not None:
        qs = qs.filter(Q(from_org=organisation) | Q(to_org=organisation))
    if pairing is not None:
        qs = qs.filter(pairing=pairing)
    if on_post_now and on_post is None:
        on_post = timezone.localdate()
    if on_post is not None:
        qs = on_post_q(qs, on_post)
    if term == "completed":
        qs = qs.filter(actual_end__isnull=False, actual_end__gte=F("planned_end"))
    elif term == "left_early":
        qs = qs.filter(actual_end__isnull=False, actual_end__lt=F("planned_end"))
    elif term == "running":
        qs = qs.filter(actual_end__isnull=True)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(person_name__icontains=q) | Q(from_org__name__icontains=q) | Q(to_org__name__icontains=q))
    return qs.order_by("-planned_start", "id")


def is_on_post(d: Dispatch, today: datetime.date) -> bool:
    return d.actual_start is not None and d.actual_start <= today and (d.actual_end is None or d.actual_end >= today)


def stability_of(user, as_of: datetime.date | None = None, **filters) -> dict:
    """专业技术人才派驻稳定性 over the dispatches the filters select: of the professionals
    whose agreed term ended by `as_of`, how many stayed to its end."""
    as_of = as_of or timezone.localdate()
    completed, due = stability(dispatches(user, **filters), as_of)
    return {"completed": completed, "due": due, "as_of": as_of,
            "percent": round(100 * completed / due, 1) if due else None}
