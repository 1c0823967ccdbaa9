"""Who may see a person's full ID number, phone or health, and the log of every time they did.

The rule: an editor or admin of the office whose own part of the tree holds the person (a
western county's office for its households and workers, the province above it). The other
side of a pairing, viewers, auditors and the national coordinator see masked values and
counts: the cooperation is run on figures, and a full number is needed only where the person
is served.
"""
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from xiezuo.core.context import current_actor
from xiezuo.core.scoping import EDIT_ROLES, scope_for

MAX_PURPOSE = 200


def may_reveal(user, region_code: str) -> bool:
    scope = scope_for(user)
    return bool(scope.active and scope.role in EDIT_ROLES and scope.own is not None and region_code
                and region_code.startswith(scope.own))


def purpose_error(purpose: str) -> str | None:
    purpose = (purpose or "").strip()
    if not purpose:
        return _("Say why you need the full value: the purpose is logged with your view.")
    if len(purpose) > MAX_PURPOSE:
        return _("The purpose may have at most %(n)d characters.") % {"n": MAX_PURPOSE}
    return None


def log_reveal(user, *, object_type: str, object_ids, fields, purpose: str, region_code: str, via: str):
    """One log row per unmasked view or export (an export names how many objects it held)."""
    from xiezuo.core.models import RevealLog

    ids = [str(i) for i in object_ids]
    actor = current_actor()
    return RevealLog.objects.create(
        user=user if getattr(user, "pk", None) else None, username=getattr(user, "username", ""),
        request_id=getattr(actor, "request_id", "") or "", via=via or getattr(actor, "via", "") or "",
        object_type=object_type, object_ids=",".join(ids[:50]), object_count=len(ids),
        fields=",".join(fields), purpose=(purpose or "").strip()[:MAX_PURPOSE], region_code=region_code or "",
    )


def reveal(user, obj, fields, *, purpose: str, via: str = "page", region_code: str | None = None) -> dict:
    """The full values of `fields` of `obj`, after checking the right and logging the view.

    Raises PermissionDenied when the user may not see them or gave no purpose; the caller
    shows masked values then."""
    code = region_code if region_code is not None else obj.personal_region_code()
    if not may_reveal(user, code):
        raise PermissionDenied(_("Your role may not see this person's full personal data."))
    error = purpose_error(purpose)
    if error:
        raise PermissionDenied(error)
    log_reveal(user, object_type=obj._meta.label_lower, object_ids=[obj.pk], fields=fields, purpose=purpose,
               region_code=code, via=via)
    return {f: getattr(obj, f) for f in fields}
