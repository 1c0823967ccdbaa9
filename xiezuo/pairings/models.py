from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from django.db.models import Q

from xiezuo.core.audit import Audited
from xiezuo.core.scoping import ScopedQuerySet
from xiezuo.regions.models import Region

from .choices import ChangeKind, PairingKind, Status


def approved_q(prefix: str = "") -> Q:
    """Approved: a request (申请中) or a refused one (已驳回) is in force for nobody."""
    return Q(**{f"{prefix}status": Status.APPROVED})


def in_force_q(day, prefix: str = "") -> Q:
    """Approved and in force on `day`; `prefix` reaches a pairing through a relation ("pairing__")."""
    return (approved_q(prefix) & Q(**{f"{prefix}valid_from__lte": day})
            & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})))


def period_overlap_q(start, end, prefix: str = "") -> Q:
    """Dated on at least one day from `start` to `end` (None: open-ended), whatever its status."""
    q = Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": start})
    return q if end is None else q & Q(**{f"{prefix}valid_from__lte": end})


def overlapping_q(start, end, prefix: str = "") -> Q:
    """Approved and in force on at least one day from `start` to `end` (None: open-ended)."""
    return approved_q(prefix) & period_overlap_q(start, end, prefix)


class PairingQuerySet(ScopedQuerySet):
    def approved(self):
        return self.filter(approved_q())

    def in_force(self, day):
        return self.filter(in_force_q(day))

    def overlapping(self, start, end):
        return self.filter(overlapping_q(start, end))

    def covering(self, start, end):
        """Approved and in force on every day from `start` to `end` (None: open-ended)."""
        qs = self.filter(approved_q(), valid_from__lte=start)
        if end is None:
            return qs.filter(valid_to__isnull=True)
        return qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=end))

    def partner_codes(self, prefix: str, day) -> set[str]:
        """Regions on the other side of the pairings in force on `day` that touch the
        subtree `prefix`: the part of the scoping rule that pairings own. Only approved
        pairings count (`in_force`): a request widens nobody's view."""
        codes = set()
        touching = self.in_force(day).filter(Q(east_region__code__startswith=prefix) | Q(west_region__code__startswith=prefix))
        for east, west in touching.values_list("east_region__code", "west_region__code"):
            codes.update(code for code in (east, west) if not code.startswith(prefix))
        return codes


class Pairing(Audited):
    """An eastern unit paired with a western unit (结对关系) for a period.

    Region pairings link two regions; sector pairings also name the organisations (two
    schools, an enterprise and a village…). `override_reason` is set only when a pairing
    that contradicts its province pairing was accepted on purpose.

    Such an override widens the view of both sides, so an office cannot grant it to itself:
    asked for by an office it is stored as a request (`status` 申请中) that the office above
    approves or rejects (`actions.approve_pairing`). `requested_in` keeps the code prefix of
    the requesting office's subtree, which says whose office is above it.
    """

    scope_paths = ("east_region__code", "west_region__code")
    scope_include_partners = False

    objects = PairingQuerySet.as_manager()

    kind = models.CharField(_("kind"), max_length=20, choices=PairingKind.choices, db_index=True)
    east_region = models.ForeignKey(Region, verbose_name=_("eastern region"), on_delete=models.PROTECT, related_name="east_pairings")
    west_region = models.ForeignKey(Region, verbose_name=_("western region"), on_delete=models.PROTECT, related_name="west_pairings")
    east_org = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("eastern organisation"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    west_org = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("western organisation"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    west_village = models.CharField(_("village"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    override_reason = models.CharField(_("override reason"), max_length=300, blank=True)
    source_note = models.CharField(_("source"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    # Loaders, the generator and pairings inside their province pairing are approved at once.
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPROVED, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_in = models.CharField(_("requesting office's area"), max_length=6, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("decision reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "east_region__code", "west_region__code"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")

    def __str__(self):
        label = self.name or f"{self.east_region.name}—{self.west_region.name}"
        if self.west_village:
            label += f"·{self.west_village}"
        return label

    @property
    def is_current(self):
        today = timezone.localdate()
        return self.is_approved and self.valid_from <= today and (self.valid_to is None or self.valid_to >= today)

    @property
    def is_approved(self):
        return self.status == Status.APPROVED

    @property
    def is_request(self):
        return self.status == Status.REQUESTED

    def audit_region_code(self):
        return self.west_region.code

    def audit_other_region_code(self):
        return self.east_region.code

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("pairing-detail", args=[self.pk])


class PairingChange(models.Model):
    """The pairing's own history: every creation, adjustment and end, with its reason."""

    scope_paths = ("pairing__east_region__code", "pairing__west_region__code")
    objects = ScopedQuerySet.as_manager()
    scope_include_partners = False

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="changes")
    time = models.DateTimeField(_("time"), default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("change"), max_length=10, choices=ChangeKind.choices)
    reason = models.CharField(_("reason"), max_length=300)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("pairing change")
        verbose_name_plural = _("pairing history")


class Agreement(Audited):
    """A pair's yearly agreement (协作协议) with its commitments. Money in integer fen."""

    scope_paths = ("pairing__east_region__code", "pairing__west_region__code")
    objects = ScopedQuerySet.as_manager()
    scope_include_partners = False

    pairing = models.ForeignKey(Pairing, verbose_name=_("pairing"), on_delete=models.PROTECT, related_name="agreements")
    year = models.PositiveSmallIntegerField(_("year"))
    fiscal_aid_fen = models.BigIntegerField(_("fiscal aid (fen)"), default=0)
    funds_due_date = models.DateField(_("funds due by"), null=True, blank=True)
    cadres = models.PositiveIntegerField(_("cadres to dispatch"), default=0)
    professionals = models.PositiveIntegerField(_("professionals to dispatch"), default=0)
    labour_placements = models.PositiveIntegerField(_("labour placements"), default=0)
    consumption_fen = models.BigIntegerField(_("consumption purchases (fen)"), default=0)
    projects = models.PositiveIntegerField(_("projects"), default=0)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-year", "pairing_id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.UniqueConstraint(fields=["pairing", "year"], name="uniq_agreement_pairing_year"),
            models.CheckConstraint(condition=models.Q(fiscal_aid_fen__gte=0), name="agreement_fiscal_aid_nonneg"),
            models.CheckConstraint(condition=models.Q(consumption_fen__gte=0), name="agreement_consumption_nonneg"),
        ]

    def __str__(self):
        return f"{self.pairing} {self.year}"

    def audit_region_code(self):
        return self.pairing.west_region.code

    def audit_other_region_code(self):
        return self.pairing.east_region.code

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("agreement-detail", args=[self.pk])
