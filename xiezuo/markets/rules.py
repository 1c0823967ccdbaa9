"""Checks the markets' actions share, answering with the refusal's text (or None)."""
import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.dates import day_error
from xiezuo.core.money import MAX_FEN, too_large
from xiezuo.core.scoping import can_edit_in_region, scope_for
from xiezuo.orgs.models import Organisation
from xiezuo.regions.models import Region


def check_fen(value, errors, field, *, allow_zero=False):
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = [_("amounts in fen must be whole numbers")]
    elif value < 0 or (value == 0 and not allow_zero):
        errors[field] = [_("the amount must be more than zero")]
    elif value > MAX_FEN:
        errors[field] = [too_large()]


def check_count(value, errors, field, *, minimum=1, label=None):
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = [_("a whole number is required")]
    elif value < minimum:
        errors[field] = [_("must be at least %(n)d") % {"n": minimum}]
    elif value > 10**15:
        errors[field] = [_("the number is too large")]


def check_day(value, errors, field, *, required=True, future_ok=False):
    if value is None:
        if required:
            errors[field] = [_("a date is required")]
        return
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        errors[field] = [_("a date is required")]
    elif day_error(value):
        errors[field] = [day_error(value)]
    elif not future_ok and value > timezone.localdate():
        errors[field] = [_("the date %(d)s is in the future") % {"d": value.isoformat()}]


def check_text(value, errors, field, *, max_length, required=True):
    if not isinstance(value, str) or (required and not value.strip()):
        errors[field] = [_("this field is required")]
    elif len(value) > max_length:
        errors[field] = [_("at most %(n)d characters") % {"n": max_length}]


def western_county(region, errors, field="county"):
    if not isinstance(region, Region) or region.level != "county" or region.role != "west":
        errors[field] = [_("a western county is required")]


def may_act_for(user, org) -> str | None:
    """The user acts in the organisation's part of the tree (its office or one above), with a writing role."""
    if not isinstance(org, Organisation) or not can_edit_in_region(user, org.region.code):
        return _("you may not act for %(org)s") % {"org": org}
    return None


def may_edit_region(user, code, what) -> str | None:
    if not can_edit_in_region(user, code):
        return _("only the offices over %(what)s may do this") % {"what": what}
    return None


def is_national(user) -> bool:
    scope = scope_for(user)
    return scope.active and scope.role == "national"
