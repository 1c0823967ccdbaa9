"""The region list and the tree as one user sees them: the page, its Excel export and the
API's list all call these, so they cannot disagree about which regions a filter keeps.

Every function starts from `Region.objects.visible_to(user)`. A filter naming a region
means its subtree (GB/T 2260 codes make a subtree a code prefix): `in_subtree` is that
rule for any list whose rows hang off regions.
"""
from django.db.models import Exists, OuterRef, Q

from .models import Region


def in_subtree(region, *paths: str) -> Q:
    """Rows whose region at one of `paths` (e.g. "east_region__code") lies in `region`'s subtree."""
    q = Q()
    for path in paths:
        q |= Q(**{f"{path}__startswith": region.prefix})
    return q


def regions(user, *, q="", level="", code="", parent="", role="", key_assistance=None, **_):
    """`q`: digits match codes starting with them, text matches the name or full name;
    `parent` is the parent's code; `code` is exact."""
    qs = Region.objects.visible_to(user).select_related("parent")
    q = (q or "").strip()
    if q:
        qs = qs.filter(code__startswith=q) if q.isdigit() else qs.filter(Q(name__icontains=q) | Q(full_name__icontains=q))
    if level:
        qs = qs.filter(level=level)
    if code:
        qs = qs.filter(code=code)
    if parent:
        qs = qs.filter(parent__code=parent)
    if role:
        qs = qs.filter(role=role)
    if key_assistance is not None:
        qs = qs.filter(key_assistance=key_assistance)
    return qs.order_by("code")


def with_children_flag(user, qs):
    """Annotate `has_children`: does the region have children this user may see?"""
    return qs.annotate(has_children=Exists(Region.objects.visible_to(user).filter(parent=OuterRef("pk"))))


def region_roots(user):
    """The top of the tree as this user sees it: visible regions whose parent is not visible."""
    visible = Region.objects.visible_to(user)
    return with_children_flag(user, visible.exclude(parent__in=Region.objects.visible_to(user)))


def region_children(user, region):
    return with_children_flag(user, region.children.all().visible_to(user))


def suggest_regions(user, q: str, role: str = "", limit: int = 20):
    """Region choices for a code field: by code prefix or name."""
    q = (q or "").strip()
    if not q:
        return Region.objects.none()
    qs = Region.objects.visible_to(user)
    qs = qs.filter(code__startswith=q) if q.isdigit() else qs.filter(name__icontains=q)
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("level", "code")[:limit]
