from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import JSONTextField


class AuditEntry(models.Model):
    """One change to one object, with who made it and the state before and after.

    Modelled on NetBox's ObjectChange. Rows are only ever appended; `region_code` lets
    office admins read the changes inside their own part of the tree.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # Who, as they were: the log is never rewritten, so deleting a user leaves their rows as
    # they are (id and username) rather than nulling them, and there is no database key to
    # check on every row appended (a batch of reports appends 10,000 rows by one user). No
    # index either: the log's readers filter by username, never by user id.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, db_index=False, related_name="+"
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    via = models.CharField(_("via"), max_length=16, blank=True)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    region_code = models.CharField(_("region code"), max_length=6, blank=True)
    other_region_code = models.CharField(_("other region code"), max_length=6, blank=True)
    # written and read whole, never searched inside: kept as written (`fields.JSONTextField`)
    before = JSONTextField(_("before"), null=True, blank=True)
    after = JSONTextField(_("after"), null=True, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        # Only the indexes the log's readers use, declared here rather than with db_index:
        # on PostgreSQL db_index on a CharField adds a second `_like` index to every one, and
        # each index costs every insert (bulk ingestion appends 20,000 rows a batch).
        # - time: newest first, paged, and the since/until filters;
        # - request_id: equality (API and page filter);
        # - object_type + object_id: one object's history, the type filter, the type list;
        # - region_code, other_region_code: office admins' subtree and the API's `region`
        #   filter are prefix matches (LIKE 'code%'), which on PostgreSQL need the pattern
        #   operator class; it serves equality too, so there is one index per column.
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["request_id"], name="core_audit_request_id_idx"),
            models.Index(fields=["region_code"], name="core_audit_region_like", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["other_region_code"], name="core_audit_other_region_like", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_repr}"

    def changed_fields(self):
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class IngestReceipt(models.Model):
    """A client id seen by bulk ingestion, with the digest of the body it came with.

    A retried item (same id, same digest) is acknowledged and not applied twice; the same id
    with another body is refused.
    """

    client_id = models.CharField(max_length=64)
    # whose client id it is: the id of the organisation the sender acted for (0: none)
    client_ns = models.BigIntegerField(default=0, db_default=0)
    kind = models.CharField(max_length=16)
    digest = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    username = models.CharField(max_length=150, blank=True)

    class Meta:
        # unique through Meta rather than unique=True: on PostgreSQL that adds a second `_like`
        # index to a CharField, which nobody queries with LIKE and every bulk insert pays for
        constraints = [models.UniqueConstraint(fields=["client_id", "client_ns"], name="core_receipt_client_id_per_org")]



# The export jobs' model lives with its feature; imported here so the app registry finds it.
from .exportjobs.models import ExportJob  # noqa: E402,F401


class RevealLog(models.Model):
    """One unmasked view or export of personal data: who, when, which objects and fields, and
    the purpose they gave. Appended only; it names the fields, never their values."""

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    username = models.CharField(_("username"), max_length=150, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    via = models.CharField(_("via"), max_length=16, blank=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_ids = models.TextField(_("objects"), blank=True)
    object_count = models.PositiveIntegerField(_("number of objects"), default=1)
    fields = models.CharField(_("fields"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=200)
    region_code = models.CharField(_("region code"), max_length=6, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("personal data view")
        verbose_name_plural = _("personal data views")
        indexes = [models.Index(fields=["region_code"], name="core_reveal_region_like", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.username} {self.object_type} {self.fields}"
