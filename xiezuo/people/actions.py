"""Writes to dispatch records, one (`save_dispatch`) or a batch (`save_dispatches`) under the
same rules (`rules.py`), and the stability figure they feed."""
import datetime

from django.db.models import F, Q
from django.utils.translation import gettext as _

from xiezuo.core.context import action
from xiezuo.core.errors import BatchRefused, PermissionDenied, ValidationError, field_error
from xiezuo.core.facts import changed
from xiezuo.users.scopes import client_namespace

from . import totals
from .dispatches import DispatchRow, check_dispatches, facts_of, write_dispatches
from .models import Dispatch, PersonKind
from .rules import may_write_dispatch, validate_dispatch

__all__ = ["DispatchRow", "may_write_dispatch", "on_post", "save_dispatch", "save_dispatches", "stability"]

FIELDS = ("person_name", "id_number", "kind", "direction", "from_org", "to_org", "pairing", "planned_start", "planned_end",
          "actual_start", "actual_end", "client_id", "is_demo")


@action
def save_dispatch(user, instance: Dispatch | None = None, **values) -> Dispatch:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationError({f: [_("unknown field")] for f in unknown})
    if instance is not None:
        if not may_write_dispatch(user, instance):
            raise PermissionDenied(_("you may not change this dispatch record"))
        instance = Dispatch.objects.select_for_update().get(pk=instance.pk)
    before = facts_of([instance]) if instance is not None else (set(), None)  # a change bears on where it was, too
    if instance is not None:
        totals.count_dispatches([instance.pk], -1)  # what it counted for, taken back (added again after the save)
    d = instance or Dispatch()
    for k, v in values.items():
        setattr(d, k, v)
    validate_dispatch(d)
    if not may_write_dispatch(user, d):
        raise PermissionDenied(_("you may not record dispatches between these organisations"))
    if d.client_id and (instance is None or not d.client_ns):
        d.client_ns = client_namespace(user)  # the writer's organisation owns the id it gives
    if not d.client_id:
        d.client_ns = 0
    if d.client_id and Dispatch.objects.filter(client_id=d.client_id, client_ns=d.client_ns).exclude(pk=d.pk).exists():
        raise field_error("client_id", _("client id %(id)s is already used") % {"id": d.client_id})
    d.save()
    totals.count_dispatches([d.pk])  # the dashboard's people on post, in this transaction
    codes, first = facts_of([d])
    changed(codes | before[0], min(day for day in (first, before[1]) if day is not None), sender=Dispatch)
    return d


@action
def save_dispatches(user, rows: list[DispatchRow]) -> list[int]:
    """Record new dispatch records, all or none, with the rules of `save_dispatch`; the id of
    each. Refused: BatchRefused listing each refused record's position."""
    errors = check_dispatches(user, rows)
    if errors:
        raise BatchRefused(errors)
    return write_dispatches(user, rows)


def stability(dispatches, as_of: datetime.date) -> tuple[int, int]:
    """(completed, due): professionals whose agreed term ended by `as_of`, and how many of
    them stayed to the end. Cadres are not professionals and do not count."""
    due = dispatches.exclude(kind=PersonKind.CADRE).filter(planned_end__lte=as_of, actual_start__isnull=False)
    completed = due.filter(actual_end__gte=F("planned_end"))
    return completed.count(), due.count()


def on_post(dispatches, day: datetime.date):
    return dispatches.filter(actual_start__lte=day).filter(Q(actual_end__isnull=True) | Q(actual_end__gte=day))
