"""The lists of needs, once: the pages, the API and the Excel export ask these functions.

* `needs(user, …)`: the scoped list (the county's office and the offices paired with it)
  with everything on it, the cadre's name included;
* `published_needs(user, …)`: what every social organisation and foundation reads — needs
  the eastern office published, with no personal data (no cadre, no users: `PUBLIC_FIELDS`);
* `unanswered_needs(user, as_of)`: the weekly dispatch sheet's list — needs published 30 days
  or more before `as_of` that no social organisation has taken up.
"""
import datetime

from django.db.models import Q, Sum
from django.utils import timezone

from xiezuo.core.scoping import scope_for, visible
from xiezuo.regions.filtersets import in_subtree
from xiezuo.regions.matching import region_named

from .choices import PUBLIC_STATUSES, UNANSWERED_DAYS, NeedStatus
from .models import Need

PUBLIC_FIELDS = ("id", "county_id", "village", "category", "description", "budget_fen", "beneficiaries", "status", "published_at",
                 "taken_by_id", "completed_on", "result_summary", "result_beneficiaries")


def _filter(qs, *, q="", category="", status="", region="", unanswered=False, as_of=None):
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if region:
        region = region_named(region) if not hasattr(region, "code") else region
        qs = qs.filter(in_subtree(region, "county__code")) if region else qs.none()
    if unanswered:
        qs = qs.filter(_unanswered_q(as_of or timezone.localdate()))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(village__icontains=q) | Q(description__icontains=q) | Q(county__name__icontains=q))
    return qs


def needs(user, **filters):
    qs = visible(user, Need.objects.select_related("county", "cadre", "taken_by", "project", "pairing"))
    return _filter(qs, **{k: v for k, v in filters.items() if k in ("q", "category", "status", "region", "unanswered", "as_of")}).order_by(
        "-recorded_at", "-id")


def published_needs(user, **filters):
    """Open to every active user: the needs past review, without personal data."""
    if not scope_for(user).active:
        return Need.objects.none()
    qs = Need.objects.filter(status__in=PUBLIC_STATUSES).select_related("county", "taken_by").only(
        *PUBLIC_FIELDS, "county__name", "county__code", "taken_by__name")
    return _filter(qs, **{k: v for k, v in filters.items() if k in ("q", "category", "status", "region")}).order_by("-published_at", "-id")


def _unanswered_q(as_of: datetime.date, days: int = UNANSWERED_DAYS) -> Q:
    cut = datetime.datetime.combine(as_of - datetime.timedelta(days=days), datetime.time.max, tzinfo=timezone.get_default_timezone())  # Beijing days
    return Q(status=NeedStatus.PUBLISHED, published_at__lte=cut)


def unanswered_needs(user, as_of: datetime.date | None = None, days: int = UNANSWERED_DAYS):
    """For the weekly dispatch sheet: published at least `days` days before `as_of` and not
    taken up, in the offices' view (the county's and its paired offices')."""
    scope = scope_for(user)
    if not scope.active or (scope.role not in ("national", "auditor", "office_admin", "office_editor", "viewer")):
        return Need.objects.none()
    from xiezuo.users.scopes import organisation_of

    org = organisation_of(user)
    if org is not None and org.kind != "office" and not scope.everything:
        return Need.objects.none()
    return needs(user).filter(_unanswered_q(as_of or timezone.localdate(), days)).order_by("published_at", "id")


def paid_by_need(need_ids) -> dict:
    from .models import Pledge

    rows = Pledge.objects.filter(need_id__in=need_ids).values("need_id").annotate(
        pledged=Sum("amount_fen"), paid=Sum("amount_fen", filter=Q(paid_on__isnull=False)))
    return {r["need_id"]: (r["pledged"] or 0, r["paid"] or 0) for r in rows}
