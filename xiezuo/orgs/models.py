from django.db import models
from django.utils.translation import gettext_lazy as _

from xiezuo.core.audit import Audited
from xiezuo.core.scoping import ScopedQuerySet
from xiezuo.regions.models import Region

from .choices import OrgKind


class Organisation(Audited):
    scope_paths = ("region__code",)
    scope_include_partners = True
    objects = ScopedQuerySet.as_manager()

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=OrgKind.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="organisations")
    credit_code = models.CharField(_("unified social credit code"), max_length=18, null=True, blank=True, unique=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="uniq_org_name_in_region")]

    def __str__(self):
        return self.name

    def audit_region_code(self):
        return self.region.code if self.region_id else ""

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("org-detail", args=[self.pk])
