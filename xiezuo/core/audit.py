"""The audit trail: every create, update and delete of an audited model, by any path.

Models opt in by inheriting `Audited`. Signals rather than explicit calls in the actions,
because the admin, the shell and data migrations also save models, and the log must not
depend on every path remembering to write it. The actor comes from `core.context`.
"""
import datetime
import decimal
import uuid

from django.db import models
from django.utils.translation import gettext_noop
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


def record_update(instance, before: dict, after: dict):
    """An update no save signal reports — a change of many-to-many links (a post's holders
    or projects) — recorded by the action that made it, like any other update."""
    _record(instance, AuditEntry.Action.UPDATE, before, after)


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


# --- reading the log: names, labels and values as an official reads them ----------------
#
# Snapshots keep attribute names (`east_region_id`) and raw values (ids, choice keys, fen,
# ISO times in UTC). The page, its export and the dashboard's feed show the object's type
# in words, each field by its label, references by the name of the thing (only when the
# reader may see it), choices by their label, money in 元 and times in Beijing time.
# Nothing stored changes: personal data left out of the snapshots (`audit_exclude`, e.g. an
# ID number) stays out.


def model_of(object_type: str):
    from django.apps import apps

    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


# Names Django made from class and field names (no verbose_name given), which nothing else
# marks for translation: listed here so that `makemessages` keeps their Chinese, which
# `_words` looks up at run time.
GENERATED_NAMES = (
    gettext_noop("acknowledged by"),
    gettext_noop("asset"),
    gettext_noop("budget line"),
    gettext_noop("evidence of the order"),
    gettext_noop("expires"),
    gettext_noop("household link"),
    gettext_noop("output"),
    gettext_noop("prefix"),
    gettext_noop("progress report"),
    gettext_noop("project output"),
    gettext_noop("project partner"),
    gettext_noop("report"),
    gettext_noop("report attachment"),
    gettext_noop("reported by"),
    gettext_noop("resolved by"),
    gettext_noop("submitted by"),
)


def _words(name) -> str:
    """A verbose name in the reader's language, also when Django made it from the class or
    field name (“progress report”), which nothing marked for translation."""
    from django.utils.translation import gettext

    return gettext(str(name))


def type_label(object_type: str) -> str:
    """“周报” for projects.progressreport; the stored label for a type no longer known."""
    model = model_of(object_type)
    return _words(model._meta.verbose_name) if model is not None else object_type


def _field(model, key):
    if model is None:
        return None
    for field in model._meta.concrete_fields:
        if field.attname == key or field.name == key:
            return field
    return None


_FEN_UNITS = (("（分）", "（元）"), ("(fen)", "(yuan)"))


def field_label(model, key) -> str:
    """The field's label; for an amount kept in fen (shown in 元 here) the label names 元."""
    from django.utils.translation import gettext as _

    field = _field(model, key)
    if field is None:
        return key
    label = _words(field.verbose_name)
    if field.attname.endswith("_fen"):
        for fen, yuan in _FEN_UNITS:
            if fen in label:
                return label.replace(fen, yuan)
        return _("%(label)s (yuan)") % {"label": label}
    return label


def yuan_text(fen) -> str:
    """Fen as “1,234.56 元” (the unit written, so no one reads it as fen or 万元)."""
    from django.utils.translation import gettext as _

    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return _("%(amount)s yuan") % {"amount": f"{sign}{yuan:,}.{cents:02d}"}


def time_text(value) -> str:
    """An ISO time from a snapshot in Beijing time, to the minute."""
    from django.utils import timezone

    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _plain(value) -> str:
    if isinstance(value, dict):
        return "；".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "、".join(_plain(v) for v in value)
    if value is None or value == "":
        return "—"
    return str(value)


class AuditReader:
    """Readable rows of audit entries for one reader. References are named in one query per
    model for a whole page (or export chunk) of entries: `prefetch(entries)` then `rows(e)`."""

    def __init__(self, user):
        self.user = user
        self.names: dict = {}

    def prefetch(self, entries):
        from .scoping import visible

        wanted: dict = {}
        for entry in entries:
            model = model_of(entry.object_type)
            for key, old, new in entry.changed_fields():
                field = _field(model, key)
                if field is not None and field.is_relation and getattr(field.related_model, "scope_paths", None) is not None:
                    for value in (old, new):
                        if value not in (None, "") and (field.related_model, value) not in self.names:
                            wanted.setdefault(field.related_model, set()).add(value)
        for model, pks in wanted.items():
            found = {obj.pk: str(obj) for obj in visible(self.user, model._default_manager.filter(pk__in=pks))}
            for pk in pks:
                self.names[(model, pk)] = found.get(pk) or found.get(_int(pk))
        return entries

    def value(self, field, value):
        from django.utils.translation import gettext as _

        if value is None or value == "":
            return None
        if field is None:
            return _plain(value)
        if field.is_relation:
            related = field.related_model
            if related is None or self.user is None or getattr(related, "scope_paths", None) is None:
                return f"#{value}"
            key = (related, value)
            if key not in self.names:
                self.prefetch_one(related, value)
            return self.names.get(key) or f"#{value}"
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        internal = field.get_internal_type()
        if field.attname.endswith("_fen") and isinstance(value, int):
            return yuan_text(value)
        if internal == "DateTimeField":
            return time_text(value)
        return _plain(value)

    def prefetch_one(self, model, value):
        from .scoping import visible

        obj = visible(self.user, model._default_manager.filter(pk=value)).first()
        self.names[(model, value)] = str(obj) if obj is not None else None

    def rows(self, entry) -> list[tuple[str, str, object, object]]:
        """[(label, key, before, after)] of the fields that changed."""
        model = model_of(entry.object_type)
        out = []
        for key, old, new in entry.changed_fields():
            field = _field(model, key)
            shown_old, shown_new = self.value(field, old), self.value(field, new)
            if shown_old == shown_new:  # nothing to an empty text on creation: no change to read
                continue
            out.append((field_label(model, key), key, shown_old, shown_new))
        return out


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value
