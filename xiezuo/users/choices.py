from django.db import models
from django.utils.translation import gettext_lazy as _


class UserRole(models.TextChoices):
    NATIONAL = "national", _("national coordinator")
    OFFICE_ADMIN = "office_admin", _("office admin")
    OFFICE_EDITOR = "office_editor", _("office editor")
    VIEWER = "viewer", _("viewer")
    AUDITOR = "auditor", _("auditor")
