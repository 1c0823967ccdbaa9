from django.db import models
from django.utils.translation import gettext_lazy as _

from xiezuo.core.audit import Audited
from xiezuo.core.scoping import ScopedQuerySet

from .choices import NON_COOPERATION_PROVINCES, Level, Role, Tier


def province_of(code: str) -> str:
    """The code of the province a region lies in (its first two digits, then zeros)."""
    return code[:2] + "0000"


def subtree_prefix(code: str, level: str) -> str:
    """GB/T 2260 codes make a subtree a code prefix: 2 digits for a province, 4 for a
    prefecture, all 6 for a county (county-level units directly under a province, such as
    济源市 419001, have no prefecture row and are leaves)."""
    return code[: {Level.PROVINCE: 2, Level.PREFECTURE: 4}.get(level, 6)]


class Region(Audited):
    scope_paths = ("code",)
    scope_include_partners = True
    objects = ScopedQuerySet.as_manager()

    code = models.CharField(_("code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=64, db_index=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    province_code = models.CharField(_("province code"), max_length=2, db_index=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    role = models.CharField(_("role"), max_length=4, choices=Role.choices, default=Role.NONE, db_index=True)
    former_poverty = models.BooleanField(_("former poverty county"), default=False)
    poverty_exit_year = models.PositiveSmallIntegerField(_("year exited poverty"), null=True, blank=True)
    key_assistance = models.BooleanField(_("national key assistance county"), default=False)

    audit_exclude = ("full_name",)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return f"{self.name}（{self.code}）"

    @property
    def prefix(self) -> str:
        return subtree_prefix(self.code, self.level)

    @property
    def tier(self) -> str:
        if self.key_assistance:
            return Tier.KEY
        if self.former_poverty:
            return Tier.FORMER_POVERTY
        return Tier.OTHER

    def get_tier_display(self):
        return Tier(self.tier).label

    @property
    def cooperates(self) -> bool:
        return self.province_code not in NON_COOPERATION_PROVINCES

    def ancestors(self):
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def audit_region_code(self):
        return self.code

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("region-detail", args=[self.code])


class RegionFact(Audited):
    scope_paths = ("region__code",)
    scope_include_partners = True
    objects = ScopedQuerySet.as_manager()

    """Yearly facts used by analysis. Money is integer 万元 (GDP) or yuan (income)."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="facts")
    year = models.PositiveSmallIntegerField(_("year"))
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    gdp_wan = models.BigIntegerField(_("GDP (10k yuan)"), null=True, blank=True)
    rural_income_yuan = models.PositiveIntegerField(_("rural per-capita disposable income (yuan)"), null=True, blank=True)
    primary_share = models.DecimalField(_("primary industry share (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    secondary_share = models.DecimalField(_("secondary industry share (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    tertiary_share = models.DecimalField(_("tertiary industry share (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    labour_force = models.PositiveIntegerField(_("labour force"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["region__code", "-year"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="uniq_region_fact_year")]
        verbose_name = _("region fact")
        verbose_name_plural = _("region facts")

    def __str__(self):
        return f"{self.region.name} {self.year}"

    def audit_region_code(self):
        return self.region.code
