"""Pairing models (versioned like the indicator system), scenarios, their results and changes.

A `PairingModel` version is data: its terms (each a kind of term with parameters), their
weights and the treatment of missing facts. A `Scenario` keeps its parameters, the model
version it used and the date of its data; solving fills `result` and writes one `Change` per
difference with today's pairings. Nothing changes by itself: a person approves a change
(`actions.approve_change`), which goes through the pairings actions.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiezuo.core.audit import Audited
from xiezuo.core.scoping import ScopedQuerySet, scope_for


class PairingModel(Audited):
    """One version of the pairing model. A new version is made for every edit; scenarios
    keep the version they were solved with."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    terms = models.JSONField(_("terms"), default=list)  # [{"code", "kind", "weight", "params"}]
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("pairing model")
        verbose_name_plural = _("pairing models")

    def __str__(self):
        return f"v{self.number}"

    @classmethod
    def current(cls):
        return cls.objects.order_by("-number").first()

    def weights(self) -> dict:
        return {t["code"]: float(t["weight"]) for t in self.terms}


class Level(models.TextChoices):
    PROVINCE = "province", _("province–province")
    PREFECTURE = "prefecture", _("city–city/county")
    COUNTY = "county", _("county–county")


class Status(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    OPTIMAL = "optimal", _("optimal")
    INFEASIBLE = "infeasible", _("infeasible")
    TIME_LIMIT = "time_limit", _("time limit reached")
    FAILED = "failed", _("failed")


class ScenarioQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The national coordinator and auditors read every scenario; a province office the
        city and county scenarios inside its province pairings; nobody else any."""
        scope = scope_for(user)
        if scope.active and scope.role in ("national", "auditor"):
            return self.all()
        if not scope.active or scope.own is None or len(scope.own) != 2:
            return self.none()
        own = scope.own
        return self.exclude(level=Level.PROVINCE).filter(
            models.Q(east_province__startswith=own) | models.Q(west_province__startswith=own)
        ).exclude(east_province="").exclude(west_province="")


class Scenario(Audited):
    scope_paths = ("east_province", "west_province")
    scope_include_partners = False
    objects = ScenarioQuerySet.as_manager()

    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    # The province pairing a scenario stays inside (both blank: every province, national only).
    east_province = models.CharField(_("eastern province"), max_length=6, blank=True)
    west_province = models.CharField(_("western province"), max_length=6, blank=True)
    model = models.ForeignKey(PairingModel, verbose_name=_("model version"), on_delete=models.PROTECT, related_name="scenarios")
    weights = models.JSONField(_("weights"), default=dict, blank=True)  # overrides of the version's weights
    parameters = models.JSONField(_("parameters"), default=dict)
    data_date = models.DateField(_("date of the data"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_note = models.CharField(_("progress"), max_length=200, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("created"), default=timezone.now)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("re-pairing scenario")
        verbose_name_plural = _("re-pairing scenarios")

    def __str__(self):
        return f"#{self.pk} {self.name}"

    def audit_region_code(self):
        return self.west_province or ""

    def audit_other_region_code(self):
        return self.east_province or ""

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("repairing-scenario-detail", args=[self.pk])

    @property
    def done(self) -> bool:
        return self.status not in (Status.QUEUED, Status.RUNNING)

    def effective_weights(self) -> dict:
        w = self.model.weights()
        w.update({k: float(v) for k, v in (self.weights or {}).items() if k in w})
        return w


class ChangeKind(models.TextChoices):
    ADDED = "added", _("added")
    REMOVED = "removed", _("removed")
    REASSIGNED = "reassigned", _("reassigned")


class ChangeStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    APPROVED = "approved", _("approved")


class Change(models.Model):
    """One difference between the proposal and today's pairings, for one western unit."""

    scope_paths = ("scenario__east_province", "scenario__west_province")
    objects = ScopedQuerySet.as_manager()

    scenario = models.ForeignKey(Scenario, verbose_name=_("scenario"), on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("change"), max_length=12, choices=ChangeKind.choices)
    west = models.ForeignKey("regions.Region", verbose_name=_("western unit"), on_delete=models.PROTECT, related_name="+")
    old_east = models.ForeignKey("regions.Region", verbose_name=_("today's helper"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    new_east = models.ForeignKey("regions.Region", verbose_name=_("proposed helper"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    old_pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("today's pairing"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    old_value = models.FloatField(_("today's pair value"), null=True, blank=True)
    new_value = models.FloatField(_("proposed pair value"), null=True, blank=True)
    old_terms = models.JSONField(_("today's pair terms"), default=dict, blank=True)
    new_terms = models.JSONField(_("proposed pair terms"), default=dict, blank=True)
    deciding = models.JSONField(_("deciding terms"), default=list, blank=True)  # [{"code", "delta"}] largest first
    loss_if_locked = models.FloatField(_("objective lost if today's pair were locked"), null=True, blank=True)
    loss_note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PROPOSED)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    end_date = models.DateField(_("old pair ends on"), null=True, blank=True)
    new_pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("new pairing"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["scenario_id", "west__code", "id"]
        verbose_name = _("proposed change")
        verbose_name_plural = _("proposed changes")

    def __str__(self):
        return f"{self.get_kind_display()} {self.west.name}"
