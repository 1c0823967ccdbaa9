from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    OFFICE = "office", _("cooperation office")
    ENTERPRISE = "enterprise", _("enterprise")
    SOCIAL = "social", _("social organisation")
    FOUNDATION = "foundation", _("foundation")
    EVALUATOR = "evaluator", _("evaluator")
    SCHOOL = "school", _("school")
    HOSPITAL = "hospital", _("hospital")
    MINISTRY = "ministry", _("national coordinator")
