"""The organisation list as one user sees it: the page, its Excel export and the API's list
all call `organisations`, so they cannot disagree about which organisations a filter keeps."""
from django.db.models import Q

from xiezuo.regions.filtersets import in_subtree

from .models import Organisation


def organisations(user, *, kind="", q="", region=None, **_):
    """`region` (a Region) keeps its subtree; `q` matches the name, a credit code starting
    with it, the region's name or its exact code."""
    qs = Organisation.objects.visible_to(user).select_related("region")
    if kind:
        qs = qs.filter(kind=kind)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__startswith=q.upper()) | Q(region__name__icontains=q)
                       | Q(region__code=q))
    if region is not None:
        qs = qs.filter(in_subtree(region, "region__code"))
    return qs.order_by("region__code", "name", "id")
