"""The audit log as one user reads it: the page, its Excel export and the API's list all
call `audit_entries`, so they cannot disagree about which entries a filter keeps."""
import datetime

from django.db.models import Q
from django.utils import timezone

from .models import AuditEntry
from .scoping import audit_visible


def _aware(value: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def audit_entries(user, *, object_type="", object_id="", username="", action="", via="", request_id="",
                  date_from=None, date_to=None, since=None, until=None, region=None, **_):
    """Newest first. `username` ignores case; `date_from`/`date_to` are days, `since`/`until`
    times (Asia/Shanghai when naive); `region` (anything with the subtree `prefix` a Region
    has) keeps the entries on either side of its subtree."""
    qs = audit_visible(user, AuditEntry.objects.all())
    for name, value in (("object_type", object_type), ("object_id", object_id), ("action", action), ("via", via)):
        if value:
            qs = qs.filter(**{name: value})
    if username:
        qs = qs.filter(username__iexact=username.strip())
    if request_id:
        qs = qs.filter(request_id=request_id.strip())
    if date_from:
        qs = qs.filter(time__date__gte=date_from)
    if date_to:
        qs = qs.filter(time__date__lte=date_to)
    if since:
        qs = qs.filter(time__gte=_aware(since))
    if until:
        qs = qs.filter(time__lte=_aware(until))
    if region is not None:
        qs = qs.filter(Q(region_code__startswith=region.prefix) | Q(other_region_code__startswith=region.prefix))
    return qs.order_by("-time", "-id")


def audit_object_types(user):
    return list(audit_visible(user, AuditEntry.objects.all()).order_by("object_type").values_list("object_type", flat=True).distinct())
