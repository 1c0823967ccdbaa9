"""Social help (社会帮扶), the Shanghai model: a dispatched cadre records a need (需求清单), the
eastern office reviews and publishes it, a social organisation takes it up, foundations
pledge funds that move through the ledger into the project's account, and the result is
recorded with evidence and confirmed by the cadre. Enterprise–village and social
organisation–village pairings record their help the same way (`Need.pairing`)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiezuo.core.audit import Audited
from xiezuo.core.scoping import ScopedQuerySet

from .choices import NeedCategory, NeedStatus


class Need(Audited):
    scope_paths = ("county__code",)
    scope_include_partners = True  # the paired eastern office reviews and publishes
    objects = ScopedQuerySet.as_manager()

    county = models.ForeignKey("regions.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    village = models.CharField(_("village"), max_length=100)
    category = models.CharField(_("category"), max_length=12, choices=NeedCategory.choices)
    description = models.TextField(_("description"), max_length=1000)
    budget_fen = models.BigIntegerField(_("budget (fen)"))
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"))
    cadre = models.ForeignKey("people.Dispatch", verbose_name=_("dispatched cadre"), on_delete=models.PROTECT, related_name="+")
    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("enterprise or social organisation pairing"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("projects.Project", verbose_name=_("project"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.RECORDED, db_index=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    review_note = models.CharField(_("review note"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    taken_by = models.ForeignKey("orgs.Organisation", verbose_name=_("taken up by"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    taken_at = models.DateTimeField(_("taken up at"), null=True, blank=True)
    result_summary = models.TextField(_("result"), max_length=1000, blank=True)
    result_evidence = models.CharField(_("evidence"), max_length=200, blank=True)
    result_beneficiaries = models.PositiveIntegerField(_("beneficiaries reached"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    result_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        constraints = [
            models.CheckConstraint(condition=Q(budget_fen__gte=0), name="social_need_budget_nonneg"),
        ]
        indexes = [models.Index(fields=["county", "status"], name="social_need_county_status")]

    def __str__(self):
        return f"#{self.pk} {self.village} {self.get_category_display()}"

    def audit_region_code(self):
        return self.county.code

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("social-need-detail", args=[self.pk])


class Pledge(Audited):
    """A foundation's (or an enterprise's) pledge of funds to a need; paid through the ledger
    into the need's project account (`posting`)."""

    scope_paths = ("need__county__code", "donor__region__code")
    scope_include_partners = ("need__county__code",)
    objects = ScopedQuerySet.as_manager()

    need = models.ForeignKey(Need, verbose_name=_("need"), on_delete=models.PROTECT, related_name="pledges")
    donor = models.ForeignKey("orgs.Organisation", verbose_name=_("donor"), on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    pledged_on = models.DateField(_("pledged on"))
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    posting = models.ForeignKey("ledger.Posting", verbose_name=_("ledger posting"), null=True, blank=True, on_delete=models.PROTECT,
                                db_constraint=False, related_name="+")
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["need_id", "id"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="social_pledge_amount_pos")]

    def __str__(self):
        return f"{self.donor} → #{self.need_id}"

    def audit_region_code(self):
        return self.need.county.code

    def audit_other_region_code(self):
        return self.donor.region.code
