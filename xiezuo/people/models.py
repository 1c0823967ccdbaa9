"""Dispatched cadres and professionals (挂职干部、专业技术人才), both directions."""
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiezuo.core.audit import Audited
from xiezuo.core.scoping import ScopedQuerySet


class PersonKind(models.TextChoices):
    CADRE = "cadre", _("party and government cadre")
    EDUCATION = "education", _("education professional")
    MEDICAL = "medical", _("medical professional")
    AGRICULTURE = "agriculture", _("agricultural professional")
    SCIENCE = "science", _("science and technology commissioner")
    OTHER = "other", _("other professional")


class Direction(models.TextChoices):
    EAST_TO_WEST = "e2w", _("east → west (to help)")
    WEST_TO_EAST = "w2e", _("west → east (to learn)")


class Dispatch(Audited):
    """One person's posting. Stability counts professionals who completed the agreed term."""

    scope_paths = ("from_org__region__code", "to_org__region__code")
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    person_name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=PersonKind.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    # Checked once per INSERT statement, not by per-row foreign keys (`core.refchecks`, migration 0009):
    # a batch of 10,000 records names a few hundred organisations.
    from_org = models.ForeignKey("orgs.Organisation", verbose_name=_("from"), on_delete=models.PROTECT, related_name="+",
                                 db_constraint=False)
    to_org = models.ForeignKey("orgs.Organisation", verbose_name=_("to"), on_delete=models.PROTECT, related_name="+",
                               db_constraint=False)
    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("pairing"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", db_constraint=False)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    client_id = models.CharField(_("client id"), max_length=64, null=True, blank=True)
    # whose client id it is: the id of the organisation the writer acted for (0: none); ids are unique per organisation
    client_ns = models.BigIntegerField(_("client id namespace"), default=0, db_default=0, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)
    # when the record reached the platform (empty for rows loaded before it was kept)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True, default=timezone.now, editable=False)

    audit_exclude = ("id_number", "recorded_at", "client_ns")  # the audit entry has its own time

    class Meta:
        ordering = ["-planned_start"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        # unique and indexed through Meta rather than unique=True/db_index=True: on PostgreSQL that adds a second `_like`
        # index to a CharField, which nobody queries with LIKE and every bulk insert pays for
        constraints = [models.UniqueConstraint(fields=["client_id", "client_ns"], name="people_dispatch_client_id_per_org")]
        indexes = [models.Index(fields=["kind"], name="people_dispatch_kind_idx"),
                   # professionals who left before their agreed end (the weekly sheet's departures): a
                   # few rows, where finding a week's among every dispatch read them all
                   models.Index(fields=["actual_end"], name="people_dispatch_left_early",
                                condition=models.Q(actual_end__lt=models.F("planned_end")) & ~models.Q(kind="cadre"))]

    def __str__(self):
        return f"{self.person_name} {self.from_org} → {self.to_org}"

    @property
    def is_professional(self):
        return self.kind != PersonKind.CADRE

    @property
    def completed_term(self):
        return self.actual_end is not None and self.actual_end >= self.planned_end

    def audit_region_code(self):
        west = self.to_org if self.direction == Direction.EAST_TO_WEST else self.from_org
        return west.region.code

    def audit_other_region_code(self):
        east = self.from_org if self.direction == Direction.EAST_TO_WEST else self.to_org
        return east.region.code

from .totals import PeopleTotal  # noqa: E402,F401  the dashboard's summary table (people/totals.py)
