"""The indicator system as data, and the scores computed with it.

An `IndicatorSystem` is one numbered version of the whole set: its indicators and its grade
cut-offs. Versions are never edited in place — the national coordinator's change makes a
new version (`actions.new_version`) — so a score keeps pointing at exactly the formulas,
targets and weights it was computed with.

A `Score` is one subject (a county, or a pairing) in one period under one version, with
everything needed to explain it: the facts that went in, each indicator's value and
score, a description of the rows behind every fact, the composite, grade and rank.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiezuo.core.audit import Audited

from .choices import Dimension, Direction, Grade, Level, Method, PeerGroup, PeriodKind
from .periods import Period


class IndicatorSystem(Audited):
    number = models.PositiveIntegerField(_("version"), unique=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("indicator system version")
        verbose_name_plural = _("indicator system versions")
        constraints = [models.UniqueConstraint(fields=["is_current"], condition=models.Q(is_current=True), name="one_current_indicator_system")]

    def __str__(self):
        return f"v{self.number}"

    @classmethod
    def current(cls) -> "IndicatorSystem":
        return cls.objects.get(is_current=True)


class Indicator(Audited):
    """One indicator of one version. `formula` is checked against the known facts on save
    by the action; `levels` lists the `Level` values it applies to."""

    system = models.ForeignKey(IndicatorSystem, on_delete=models.CASCADE, related_name="indicators")
    seq = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.CharField(_("code"), max_length=32)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150)
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    formula = models.CharField(_("formula"), max_length=500)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4)
    floor = models.DecimalField(_("floor"), max_digits=14, decimal_places=4)
    weight = models.DecimalField(_("weight"), max_digits=7, decimal_places=3)
    method = models.CharField(_("scoring method"), max_length=16, choices=Method.choices, default=Method.LINEAR_CAPPED)
    levels = models.JSONField(_("applies to"), default=list)
    description = models.CharField(_("description"), max_length=500, blank=True)

    class Meta:
        ordering = ["system", "seq", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [models.UniqueConstraint(fields=["system", "code"], name="uniq_indicator_code_per_system")]

    def __str__(self):
        return f"{self.code} {self.name_zh}"

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    def applies_to(self, level: str) -> bool:
        return level in (self.levels or [])


class GradeCutoffs(Audited):
    """好 ≥ good, 较好 ≥ fairly_good, 一般 ≥ fair, else 较差 (composite scores, 0–100)."""

    system = models.OneToOneField(IndicatorSystem, on_delete=models.CASCADE, related_name="cutoffs")
    good = models.DecimalField(_("good from"), max_digits=5, decimal_places=2)
    fairly_good = models.DecimalField(_("fairly good from"), max_digits=5, decimal_places=2)
    fair = models.DecimalField(_("fair from"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("grade cut-offs")
        verbose_name_plural = _("grade cut-offs")
        constraints = [models.CheckConstraint(condition=models.Q(good__gt=models.F("fairly_good"), fairly_good__gt=models.F("fair")),
                                              name="grade_cutoffs_descending")]

    def __str__(self):
        return f"v{self.system.number}: {self.good}/{self.fairly_good}/{self.fair}"

    def grade(self, composite) -> str:
        if composite is None:
            return ""
        if composite >= self.good:
            return Grade.GOOD
        if composite >= self.fairly_good:
            return Grade.FAIRLY_GOOD
        if composite >= self.fair:
            return Grade.FAIR
        return Grade.POOR


class Computation(models.Model):
    """One run of `compute.recompute` for a version and a period: when, with data up to
    which day, and the query behind every fact. The query text is the same for every
    subject of the run, so it is kept once here; a score adds its subject to it."""

    system = models.ForeignKey(IndicatorSystem, verbose_name=_("version"), on_delete=models.PROTECT, related_name="computations")
    period_kind = models.CharField(_("period kind"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    period_label = models.CharField(_("period"), max_length=10)
    as_of = models.DateField(_("data as of"))
    evidence = models.JSONField(_("evidence"), default=dict)  # {fact: {"model": "projects.milestone" | null, "where": text}}
    scores = models.PositiveIntegerField(_("scores"), default=0)
    seconds = models.DecimalField(_("seconds"), max_digits=9, decimal_places=3, default=0)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        ordering = ["-period_start", "system"]
        verbose_name = _("computation")
        verbose_name_plural = _("computations")
        constraints = [models.UniqueConstraint(fields=["system", "period_kind", "period_start"], name="uniq_computation_period")]

    def __str__(self):
        return f"{self.period_label} v{self.system.number}"


class Score(models.Model):
    """One subject, one period, one version. Computed, never typed: `compute.recompute`
    upserts these rows; `stale` is set when a fact behind them changed since.

    `west_prefix` / `east_prefix` are the GB/T 2260 subtree prefixes of the subject's two
    sides (a county has only its own side), so `mark_stale` finds every score a changed
    region feeds with one indexed query.
    """

    scope_paths = ("region__code", "pairing__west_region__code", "pairing__east_region__code")
    scope_include_partners = True

    system = models.ForeignKey(IndicatorSystem, verbose_name=_("version"), on_delete=models.PROTECT, related_name="scores")
    computation = models.ForeignKey(Computation, verbose_name=_("computation"), on_delete=models.CASCADE, related_name="score_rows")
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    subject_key = models.CharField(_("subject"), max_length=32)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("pairing"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    west_prefix = models.CharField(max_length=6, blank=True, db_index=True)
    east_prefix = models.CharField(max_length=6, blank=True, db_index=True)
    period_kind = models.CharField(_("period kind"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    period_label = models.CharField(_("period"), max_length=10)
    as_of = models.DateField(_("data as of"))
    peer_group = models.CharField(_("peer group"), max_length=16, choices=PeerGroup.choices)
    facts = models.JSONField(_("facts"), default=dict)  # {fact: "123" | null}
    values = models.JSONField(_("indicator values"), default=dict)  # {code: {"value": "87.5"|null, "score": "92.10"|null}}
    basic = models.DecimalField(_("basic guarantee"), max_digits=6, decimal_places=2, null=True, blank=True)
    effectiveness = models.DecimalField(_("strategic effectiveness"), max_digits=6, decimal_places=2, null=True, blank=True)
    composite = models.DecimalField(_("composite"), max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    peers = models.PositiveIntegerField(_("ranked in group"), null=True, blank=True)
    stale = models.BooleanField(_("stale"), default=False, db_index=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        ordering = ["period_start", "level", "subject_key"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["system", "subject_key", "period_kind", "period_start"], name="uniq_score_subject_period"),
        ]
        indexes = [
            models.Index(fields=["system", "period_kind", "period_start", "peer_group"]),
            models.Index(fields=["subject_key", "period_kind", "period_start"]),
        ]

    def __str__(self):
        return f"{self.subject_key} {self.period_label} v{self.system.number if self.system_id else '?'}"

    @property
    def period(self) -> Period:
        return Period(self.period_start, self.period_end, self.period_kind)

    @property
    def evidence(self) -> dict:
        """{fact: {"model", "where", "subject"}}: how to find the rows behind each fact."""
        run = self.computation.evidence
        return {name: {**run.get(name, {"model": None, "where": ""}), "subject": self.subject_key} for name in self.facts}
