"""Posts (岗位) and their duties: the responsibility list every item is owned by.

An item — a rectification order, a warning, a consultation decision — belongs to a post,
not to a person, so that it survives staff changes; the people currently holding a post
see its items on their "my items" page. A post sits in one office; the office's parent
office (one level up the region tree) is where overdue items escalate.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiezuo.core.audit import Audited


class Post(Audited):
    office = models.ForeignKey("orgs.Organisation", verbose_name=_("office"), on_delete=models.PROTECT, related_name="posts")
    name = models.CharField(_("post"), max_length=100)
    duties = models.TextField(_("duties"), blank=True)
    holders = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("holders"), blank=True, related_name="posts")
    is_lead = models.BooleanField(_("leading post"), default=False,
                                  help_text=_("receives the office's escalated and unassigned items"))

    scope_paths = ("office__region__code",)
    scope_include_partners = False

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ("office_id", "-is_lead", "name")
        constraints = [models.UniqueConstraint(fields=("office", "name"), name="rhythm_post_unique_name_per_office")]

    def __str__(self):
        return f"{self.office.name} · {self.name}"

    def audit_region_code(self):
        return self.office.region.code
