"""Writes to dispatch records, and the stability figure they feed."""
import datetime

from django.db.models import F, Q
from django.utils.translation import gettext as _

from xiezuo.core.context import action
from xiezuo.core.errors import PermissionDenied, ValidationError, field_error
from xiezuo.core.scoping import scope_for

from .models import Direction, Dispatch, PersonKind

FIELDS = ("person_name", "id_number", "kind", "direction", "from_org", "to_org", "pairing", "planned_start", "planned_end",
          "actual_start", "actual_end", "client_id", "is_demo")


def may_write_dispatch(user, d: Dispatch) -> bool:
    scope = scope_for(user)
    return scope.can_write and (scope.in_own(d.from_org.region.code) or scope.in_own(d.to_org.region.code))


# The choices as constant sets: `Choices.values` builds a new list on every access, which
# bulk ingestion (one call per dispatch, 10,000 to a batch) paid for on every item.
_KINDS = frozenset(PersonKind.values)
_DIRECTIONS = frozenset(Direction.values)


def _one_of(value, allowed: frozenset) -> bool:
    """`value in allowed` for any value: the choices are strings, and a list or dict from a
    JSON body (unhashable) is simply not one of them."""
    return isinstance(value, str) and value in allowed


def validate_dispatch(d: Dispatch):
    errors = {}
    if not (d.person_name or "").strip():
        errors["person_name"] = [_("a name is required")]
    if not _one_of(d.kind, _KINDS):
        errors["kind"] = [_("“%(v)s” is not a kind of person") % {"v": d.kind}]
    if not _one_of(d.direction, _DIRECTIONS):
        errors["direction"] = [_("“%(v)s” is not a direction") % {"v": d.direction}]
    elif d.from_org_id and d.to_org_id:
        sending, receiving = (d.from_org, d.to_org)
        east_side, west_side = (sending, receiving) if d.direction == Direction.EAST_TO_WEST else (receiving, sending)
        if east_side.region.role != "east":
            errors["from_org" if d.direction == Direction.EAST_TO_WEST else "to_org"] = [_("%(org)s is not in an eastern province") % {"org": east_side}]
        if west_side.region.role != "west":
            errors["to_org" if d.direction == Direction.EAST_TO_WEST else "from_org"] = [_("%(org)s is not in a western province") % {"org": west_side}]
    if not d.from_org_id:
        errors["from_org"] = [_("the sending organisation is required")]
    if not d.to_org_id:
        errors["to_org"] = [_("the receiving organisation is required")]
    for name in ("planned_start", "planned_end"):
        if not isinstance(getattr(d, name), datetime.date):
            errors[name] = [_("a date is required")]
    if not errors and d.planned_end < d.planned_start:
        errors["planned_end"] = [_("the planned end is before the planned start")]
    if d.actual_start and d.actual_end and d.actual_end < d.actual_start:
        errors["actual_end"] = [_("the actual end is before the actual start")]
    if d.actual_end and not d.actual_start:
        errors["actual_start"] = [_("a posting that ended must have started")]
    if errors:
        raise ValidationError(errors)


@action
def save_dispatch(user, instance: Dispatch | None = None, **values) -> Dispatch:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationError({f: [_("unknown field")] for f in unknown})
    if instance is not None:
        if not may_write_dispatch(user, instance):
            raise PermissionDenied(_("you may not change this dispatch record"))
        instance = Dispatch.objects.select_for_update().get(pk=instance.pk)
    d = instance or Dispatch()
    for k, v in values.items():
        setattr(d, k, v)
    validate_dispatch(d)
    if not may_write_dispatch(user, d):
        raise PermissionDenied(_("you may not record dispatches between these organisations"))
    if d.client_id and Dispatch.objects.filter(client_id=d.client_id).exclude(pk=d.pk).exists():
        raise field_error("client_id", _("client id %(id)s is already used") % {"id": d.client_id})
    d.save()
    return d


def stability(dispatches, as_of: datetime.date) -> tuple[int, int]:
    """(completed, due): professionals whose agreed term ended by `as_of`, and how many of
    them stayed to the end. Cadres are not professionals and do not count."""
    due = dispatches.exclude(kind=PersonKind.CADRE).filter(planned_end__lte=as_of, actual_start__isnull=False)
    completed = due.filter(actual_end__gte=F("planned_end"))
    return completed.count(), due.count()


def on_post(dispatches, day: datetime.date):
    return dispatches.filter(actual_start__lte=day).filter(Q(actual_end__isnull=True) | Q(actual_end__gte=day))
