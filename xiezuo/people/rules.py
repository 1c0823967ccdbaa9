"""The rules of a dispatch record, written once for `save_dispatch` (one record, a model
instance) and `save_dispatches` (a batch, light rows with the same attributes): a rule
changed here changes the form, the API, the Excel import and the bulk ingestion alike."""
import datetime

from django.utils.translation import gettext as _

from xiezuo.core.dates import day_error
from xiezuo.core.errors import ValidationError
from xiezuo.core.scoping import scope_for

from .models import Direction, PersonKind

MAX_NAME = 50


def clean_id_number(value):
    """The resident ID number as stored (upper case, no spaces), or ValueError."""
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise ValueError(_("a resident ID number is 17 digits and a check digit or X"))
    value = value.strip().upper()
    if value and not (len(value) == 18 and value[:17].isascii() and value[:17].isdigit() and (value[17].isdigit() or value[17] == "X")):
        raise ValueError(_("a resident ID number is 17 digits and a check digit or X"))
    return value


def name_error(name):
    """The person's name: text of at most MAX_NAME characters, no NUL (None when fine)."""
    if not isinstance(name, str):
        return _("must be text")
    if len(name) > MAX_NAME:
        return _("at most %(n)d characters") % {"n": MAX_NAME}
    if "\x00" in name:
        return _("must not contain NUL characters")
    return None


def _within(a, b) -> bool:
    """Either region lies in the other's subtree (or they are the same)."""
    return a.code.startswith(b.prefix) or b.code.startswith(a.prefix)


def pairing_error(d):
    """The pairing, when given, must link the two sides: its eastern region contains or lies
    within the eastern organisation's region, and likewise in the west — a record filed under
    a pairing it has nothing to do with would count in the wrong pair's stability figure."""
    if d.pairing_id is None:
        return None
    east, west = (d.from_org, d.to_org) if d.direction == Direction.EAST_TO_WEST else (d.to_org, d.from_org)
    if _within(east.region, d.pairing.east_region) and _within(west.region, d.pairing.west_region):
        return None
    return _("%(pairing)s does not link %(east)s and %(west)s") % {"pairing": d.pairing, "east": east, "west": west}


def may_write_dispatch(user, d) -> bool:
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


def _relations(d) -> tuple[dict, str | None]:
    """What the record's organisations and pairing must be to each other: the sending and
    receiving sides in an eastern and a western province, the pairing linking them."""
    errors = {}
    sending, receiving = (d.from_org, d.to_org)
    east_side, west_side = (sending, receiving) if d.direction == Direction.EAST_TO_WEST else (receiving, sending)
    if east_side.region.role != "east":
        errors["from_org" if d.direction == Direction.EAST_TO_WEST else "to_org"] = [_("%(org)s is not in an eastern province") % {"org": east_side}]
    if west_side.region.role != "west":
        errors["to_org" if d.direction == Direction.EAST_TO_WEST else "from_org"] = [_("%(org)s is not in a western province") % {"org": west_side}]
    return errors, pairing_error(d)


def validate_dispatch(d, memo: dict | None = None):
    """Raise ValidationError with every problem of the record. A batch passes `memo` (a
    dict it keeps for the batch): records between the same organisations under the same
    pairing then have their relations checked once."""
    errors = {}
    problem = name_error(d.person_name or "")
    if problem:
        errors["person_name"] = [problem]
    elif not (d.person_name or "").strip():
        errors["person_name"] = [_("a name is required")]
    try:
        clean_id_number(d.id_number)
    except ValueError as exc:
        errors["id_number"] = [str(exc)]
    if not _one_of(d.kind, _KINDS):
        errors["kind"] = [_("“%(v)s” is not a kind of person") % {"v": d.kind}]
    if not _one_of(d.direction, _DIRECTIONS):
        errors["direction"] = [_("“%(v)s” is not a direction") % {"v": d.direction}]
    relations = None
    if _one_of(d.direction, _DIRECTIONS) and d.from_org_id and d.to_org_id:
        if memo is None:
            relations = _relations(d)
        else:
            key = (d.from_org_id, d.to_org_id, d.pairing_id, d.direction)
            relations = memo.get(key)
            if relations is None:
                relations = memo[key] = _relations(d)
        errors.update(relations[0])
    if not d.from_org_id:
        errors["from_org"] = [_("the sending organisation is required")]
    if not d.to_org_id:
        errors["to_org"] = [_("the receiving organisation is required")]
    for name in ("planned_start", "planned_end"):
        if not isinstance(getattr(d, name), datetime.date):
            errors[name] = [_("a date is required")]
    for name in ("planned_start", "planned_end", "actual_start", "actual_end"):
        problem = day_error(getattr(d, name, None))  # 2000-01-01 … 2099-12-31 (core.dates)
        if problem:
            errors[name] = [problem]
    if not errors and d.planned_end < d.planned_start:
        errors["planned_end"] = [_("the planned end is before the planned start")]
    if d.actual_start and d.actual_end and d.actual_end < d.actual_start:
        errors["actual_end"] = [_("the actual end is before the actual start")]
    if d.actual_end and not d.actual_start:
        errors["actual_start"] = [_("a posting that ended must have started")]
    if not errors and relations is not None and relations[1]:
        errors["pairing"] = [relations[1]]
    if errors:
        raise ValidationError(errors)
