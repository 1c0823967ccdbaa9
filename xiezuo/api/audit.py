"""The audit log: who changed what, when, through which path and request.

The national coordinator and auditors read all of it, office admins the changes in their
own subtree (either side of a pairing); everyone else is refused (403).
"""
import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from xiezuo.core.api.pagination import PageParams, page_of, paginate
from xiezuo.core.api.lookups import RegionCode
from xiezuo.core.api.schemas import ERRORS, Text, Time
from xiezuo.core.errors import PermissionDenied
from xiezuo.core.filtersets import audit_entries
from xiezuo.core.models import AuditEntry
from xiezuo.core.scoping import can_read_audit
from xiezuo.regions.api import filter_values

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    id: int
    time: datetime.datetime
    username: str
    request_id: str
    via: str
    action: AuditEntry.Action
    object_type: str
    object_id: str
    object_repr: str
    region_code: str
    other_region_code: str
    before: dict | None
    after: dict | None

    @staticmethod
    def resolve_time(obj):
        return timezone.localtime(obj.time)


class AuditFilter(Schema):
    object_type: Text(64) | None = None
    object_id: Text(64) | None = None
    user: Text(150) | None = None
    action: AuditEntry.Action | None = None
    via: Text(16) | None = None
    request_id: Text(64) | None = None
    since: Time | None = None
    until: Time | None = None
    region: RegionCode | None = None


@router.get("", response={200: page_of(AuditEntryOut), **ERRORS}, summary="Read the audit log")
def list_audit(request, filters: Query[AuditFilter], page: Query[PageParams]):
    """Newest first. `user` is a username (case is ignored); `since`/`until` are ISO times
    (Asia/Shanghai when no offset is given); `region` takes a region code and matches either
    side's subtree."""
    if not can_read_audit(request.auth):
        raise PermissionDenied(_("your role may not read the audit log"))
    values = filter_values(filters, "region")
    if "user" in values:
        values["username"] = values.pop("user")
    return paginate(audit_entries(request.auth, **values), page)
