"""Who may move a need along, and what a need must hold."""
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.money import MAX_FEN, too_large
from xiezuo.core.scoping import can_edit_in_region, scope_for
from xiezuo.users.scopes import organisation_of

from .choices import NeedCategory

_CATEGORIES = frozenset(NeedCategory.values)
# Published needs are read by every social organisation: a description must not carry a
# person's ID number or mobile phone number.
_ID_LIKE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_PHONE_LIKE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _ancestors(code: str) -> set:
    return {code[:2] + "0000", code[:4] + "00", code}


def text_error(value, max_length, *, required=True) -> str | None:
    if value is None:
        value = ""
    if not isinstance(value, str):
        return _("must be text")
    if required and not value.strip():
        return _("this field is required")
    if len(value) > max_length:
        return _("at most %(n)d characters") % {"n": max_length}
    if "\x00" in value:
        return _("must not contain NUL characters")
    return None


def personal_data_error(text: str) -> str | None:
    if _ID_LIKE.search(text or "") or _PHONE_LIKE.search(text or ""):
        return _("published needs are read by every social organisation: leave out ID numbers and phone numbers")
    return None


def need_errors(county, village, category, description, budget_fen, beneficiaries, cadre, pairing, project) -> dict:
    errors = {}
    if county is None or county.level != "county" or county.role != "west":
        errors["county"] = [_("a need is recorded in a western county")]
    problem = text_error(village, 100)
    if problem:
        errors["village"] = [problem]
    if not (isinstance(category, str) and category in _CATEGORIES):
        errors["category"] = [_("“%(v)s” is not a category of need") % {"v": category}]
    problem = text_error(description, 1000) or personal_data_error(description)
    if problem:
        errors["description"] = [problem]
    if isinstance(budget_fen, bool) or not isinstance(budget_fen, int) or budget_fen < 0:
        errors["budget_fen"] = [_("the budget is a whole number of fen, zero or more")]
    elif budget_fen > MAX_FEN:
        errors["budget_fen"] = [too_large()]
    if isinstance(beneficiaries, bool) or not isinstance(beneficiaries, int) or not 1 <= beneficiaries <= 10_000_000:
        errors["beneficiaries"] = [_("the number of beneficiaries, at least 1")]
    if cadre is None:
        errors["cadre"] = [_("the dispatched cadre who identified the need is required")]
    elif county is not None:
        today = timezone.localdate()
        if cadre.kind != "cadre" or cadre.direction != "e2w":
            errors["cadre"] = [_("%(name)s is not a cadre dispatched east to west") % {"name": cadre.person_name}]
        elif not (cadre.to_org.region.code in _ancestors(county.code) or cadre.to_org.region.code.startswith(county.prefix)):
            errors["cadre"] = [_("%(name)s is not posted in %(county)s") % {"name": cadre.person_name, "county": county}]
        elif cadre.actual_start is None or cadre.actual_start > today or (cadre.actual_end is not None and cadre.actual_end < today):
            errors["cadre"] = [_("%(name)s is not on post") % {"name": cadre.person_name}]
    if pairing is not None:
        if pairing.kind not in ("enterprise_village", "social_village"):
            errors["pairing"] = [_("only an enterprise–village or social organisation–village pairing")]
        elif county is not None and not county.code.startswith(pairing.west_region.prefix):
            errors["pairing"] = [_("%(pairing)s is not in %(county)s") % {"pairing": pairing, "county": county}]
    if project is not None and county is not None and project.county_id != county.pk:
        errors["project"] = [_("project %(code)s is not in %(county)s") % {"code": project.code, "county": county}]
    return errors


# --- who ------------------------------------------------------------------------------------


def may_record(user, county) -> bool:
    """The western county's office (where the dispatched cadre works) records and confirms."""
    return can_edit_in_region(user, county.code)


def may_review(user, need) -> bool:
    """The eastern office paired with the need's county (or an office above) reviews and publishes."""
    scope = scope_for(user)
    if not scope.active:
        return False
    if scope.role == "national":
        return True
    if not scope.can_write or scope.in_own(need.county.code):
        return False
    org = organisation_of(user)
    if org is None or org.region.role != "east":
        return False
    return bool(_ancestors(need.county.code) & scope.partners)


def acting_org(user, kinds):
    """The organisation the user acts for, when it is one of `kinds` and the user may act for it
    (any active member but an auditor: a foundation's staff pledge for their foundation)."""
    scope = scope_for(user)
    if not scope.active or scope.role in ("auditor", "national"):
        return None
    org = organisation_of(user)
    return org if org is not None and org.kind in kinds else None


TAKERS = ("social", "enterprise")
DONORS = ("foundation", "enterprise")


def may_take(user, need):
    """A social organisation (or, for an enterprise–village pairing's need, its enterprise)
    takes up a published need; a need under a pairing only by the pairing's eastern organisation."""
    org = acting_org(user, TAKERS)
    if org is None:
        return None
    if need.pairing_id is not None and need.pairing.east_org_id != org.pk:
        return None
    if need.pairing_id is None and org.kind != "social":
        return None
    return org
