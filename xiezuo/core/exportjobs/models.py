"""The export job: one list written to Excel in the background for the user who asked."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..audit import Audited


def _export_expiry():
    import datetime

    from django.utils import timezone

    hours = getattr(settings, "XIEZUO_EXPORT_KEEP_HOURS", 72)
    return timezone.now() + datetime.timedelta(hours=hours)


class ExportJob(Audited):
    """A list exported to Excel in the background, for the one user who asked.

    Which list is the page's URL name and its query string: the job runs the page's own
    view again as the user when it starts, so the user's scope and filters apply as they
    stand then and the workbook has the columns of the app's export. The file lives under
    MEDIA_ROOT/private/exports/ and is served only to its owner, until `expires`."""

    audit_exclude = ("rows_done",)  # progress is written with update(), never audited

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to start")
        RUNNING = "running", _("being written")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    list_name = models.CharField(_("list"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    query = models.TextField(_("filters"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to="private/exports/%Y/%m/", blank=True, max_length=300)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created = models.DateTimeField(_("asked at"), auto_now_add=True)
    started = models.DateTimeField(_("started at"), null=True, blank=True)
    finished = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires = models.DateTimeField(_("kept until"), default=_export_expiry, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        indexes = [models.Index(fields=["user", "-created"], name="core_exportjob_user_created")]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()})"

    @property
    def percent(self) -> float:
        if not self.rows_total:
            return 100.0 if self.status == self.Status.DONE else 0.0
        return round(100 * min(self.rows_done, self.rows_total) / self.rows_total, 1)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("export-job", args=[self.pk])
