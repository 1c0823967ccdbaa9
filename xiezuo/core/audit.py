"""The audit trail: every create, update and delete of an audited model, by any path.

Models opt in by inheriting `Audited`. Signals rather than explicit calls in the actions,
because the admin, the shell and data migrations also save models, and the log must not
depend on every path remembering to write it. The actor comes from `core.context`.
"""
import datetime
import decimal
import uuid

from django.db import models
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .context import current_actor
from .models import AuditEntry


class Audited(models.Model):
    """Mixin: changes to this model are written to the audit log."""

    audit_exclude: tuple = ()

    class Meta:
        abstract = True

    def audit_region_code(self) -> str:
        """The region this object belongs to, so office admins can read its changes."""
        return ""

    def audit_other_region_code(self) -> str:
        """For objects with two sides (pairings), the other side's region."""
        return ""


def _jsonable(value):
    if isinstance(value, FieldFile):  # a file field is logged as the stored file's name
        return value.name or ""
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return value


def snapshot(instance) -> dict:
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in instance.audit_exclude:
            continue
        data[field.attname] = _jsonable(getattr(instance, field.attname))
    return data


def _record(instance, action, before, after):
    actor = current_actor()
    user = actor.user if getattr(actor.user, "pk", None) else None
    AuditEntry.objects.create(
        user=user,
        username=getattr(user, "username", "") or "",
        request_id=actor.request_id,
        via=actor.via,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        region_code=(instance.audit_region_code() or "")[:6],
        other_region_code=(instance.audit_other_region_code() or "")[:6],
        before=before,
        after=after,
    )


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or not isinstance(instance, Audited):
        return
    instance._audit_before = None
    if instance.pk is not None:
        old = type(instance)._base_manager.filter(pk=instance.pk).first()
        if old is not None:
            instance._audit_before = snapshot(old)


@receiver(post_save)
def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, Audited):
        return
    before = None if created else getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    if before == after:
        return
    _record(instance, AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE, before, after)


@receiver(post_delete)
def _after_delete(sender, instance, **kwargs):
    if not isinstance(instance, Audited):
        return
    _record(instance, AuditEntry.Action.DELETE, snapshot(instance), None)


def record_bulk(object_type: str, summary: str, *, count: int, region_code: str = ""):
    """One entry for a bulk load (e.g. the region tree), where per-row signals do not fire."""
    actor = current_actor()
    user = actor.user if getattr(actor.user, "pk", None) else None
    AuditEntry.objects.create(
        user=user,
        username=getattr(user, "username", "") or "",
        request_id=actor.request_id,
        via=actor.via,
        action=AuditEntry.Action.CREATE,
        object_type=object_type,
        object_id="*",
        object_repr=summary[:200],
        region_code=region_code,
        after={"count": count},
    )


def record_created(objs):
    """One create entry per object written with bulk_create (which sends no signals), with
    the same after-snapshot a save would record, inserted in one statement."""
    actor = current_actor()
    user = actor.user if getattr(actor.user, "pk", None) else None
    AuditEntry.objects.bulk_create([
        AuditEntry(
            user=user,
            username=getattr(user, "username", "") or "",
            request_id=actor.request_id,
            via=actor.via,
            action=AuditEntry.Action.CREATE,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            region_code=(obj.audit_region_code() or "")[:6],
            other_region_code=(obj.audit_other_region_code() or "")[:6],
            before=None,
            after=snapshot(obj),
        )
        for obj in objs
    ], batch_size=1000)
