import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiezuo.core.audit import Audited

from .choices import UserRole


class Profile(Audited):
    """A user acts for one organisation, with one role. No profile means no access."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="profile")
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    role = models.CharField(_("role"), max_length=16, choices=UserRole.choices, default=UserRole.VIEWER)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return f"{self.user.username} ({self.get_role_display()})"

    def audit_region_code(self):
        return self.organisation.region.code if self.organisation_id else ""


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(Audited):
    """A bearer token for machine clients. Only its hash is stored, and the audit log names
    a token by its prefix, never the hash; its use (`last_used`) is not an audited change."""

    audit_exclude = ("key_hash", "last_used")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}… ({self.user.username})"

    def audit_region_code(self):
        profile = getattr(self.user, "profile", None)
        return profile.audit_region_code() if profile is not None else ""

    @classmethod
    def issue(cls, user, *, days=30):
        raw = "xz_" + secrets.token_urlsafe(32)
        cls.objects.create(user=user, key_hash=_hash(raw), prefix=raw[:8], expires=timezone.now() + timezone.timedelta(days=days))
        return raw

    @classmethod
    def authenticate(cls, raw: str):
        token = cls.objects.select_related("user").filter(key_hash=_hash(raw or ""), expires__gt=timezone.now()).first()
        if token is None or not token.user.is_active:
            return None
        now = timezone.now()
        if token.last_used is None or (now - token.last_used).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used=now)
        return token.user
