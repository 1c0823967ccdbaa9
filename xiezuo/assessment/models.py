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
from xiezuo.core.scoping import ScopedQuerySet

from .choices import (ClosureDecision, Dimension, Direction, Grade, IssuerLevel, Level, Method, OrderStatus, PeerGroup, PeriodKind,
                      ProposalStatus, RuleKind, Signal, TicketStatus, WarningStatus)
from xiezuo.core.periods import Period


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
    # A paired county's scorecard is seen (its page shows it), a pair's only by its two sides,
    # as its pairing is: the partner's other pairs' rows are not listed (their pages answer 404).
    scope_include_partners = ("region__code",)
    objects = ScopedQuerySet.as_manager()

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
    # xgettext:no-python-format
    coverage = models.DecimalField(_("coverage (% of weight with data)"), max_digits=4, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    peers = models.PositiveIntegerField(_("ranked in group"), null=True, blank=True)
    stale = models.BooleanField(_("stale"), default=False, db_index=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    # A period closes at its first computation after its last day: from then on its figures
    # stay as they were (`restatements.py`); a later computation that finds other figures
    # keeps them apart as a pending restatement until the national coordinator restates.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    restatement = models.JSONField(_("pending restatement"), default=dict, blank=True)
    restated = models.JSONField(_("restatements made"), default=list, blank=True)

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
    def min_coverage(self):
        """The coverage below which a composite is graded incomplete (scoring.MIN_COVERAGE)."""
        from .scoring import MIN_COVERAGE

        return MIN_COVERAGE

    @property
    def evidence(self) -> dict:
        """{fact: {"model", "where", "subject"}}: how to find the rows behind each fact."""
        run = self.computation.evidence
        return {name: {**run.get(name, {"model": None, "where": ""}), "subject": self.subject_key} for name in self.facts}


# --- the closed loop (闭环管控): rules, and the consequences they create ---------------------
#
# Results turn into consequences by rules the national coordinator edits (`ConsequenceRule`);
# `loop.apply_rules(period)` fires them. Every consequence names the rule and the rule's
# revision it was made under, the evidence that triggered it (score rows, a milestone, a
# posting, a dispatch) both as live links and as a snapshot taken when it fired, and the
# post that owns it (岗位责任清单). `(rule, key)` is unique per kind of consequence, which is
# what makes applying the rules twice create nothing new.


class ConsequenceRule(Audited):
    """One editable rule. Which fields matter depends on `kind` (see `choices.RuleKind`);
    `rules.validate` checks them. Each saved edit raises `revision`; the audit log keeps the
    before/after of every edit, and each consequence keeps the revision and a snapshot of
    the parameters it was made under, so past consequences stay explainable."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind of rule"), max_length=20, choices=RuleKind.choices)
    name = models.CharField(_("name"), max_length=120)
    active = models.BooleanField(_("active"), default=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    period_kind = models.CharField(_("period kind"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.QUARTER)
    subject_level = models.CharField(_("applies to"), max_length=16, choices=Level.choices, blank=True,
                                     help_text=_("empty: counties and pairs alike"))
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices, blank=True)
    count = models.PositiveSmallIntegerField(_("threshold"), default=1,
                                             help_text=_("consecutive periods, days late, weeks without a report or days overdue"))
    levels = models.JSONField(_("warning levels"), default=list, blank=True,
                              help_text=_("consecutive periods at which warning levels 1, 2 and 3 start"))
    working_days = models.PositiveSmallIntegerField(_("working days to act"), default=0)
    issuer_level = models.CharField(_("issued by"), max_length=10, choices=IssuerLevel.choices, default=IssuerLevel.PROVINCE)
    benefit = models.CharField(_("benefit"), max_length=200, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    updated = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_paths = ()  # rules are national data: everybody with a scope reads them
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("consequence rule")
        verbose_name_plural = _("consequence rules")

    def __str__(self):
        return self.name

    def snapshot(self) -> dict:
        return {"revision": self.revision, "kind": self.kind, "period_kind": self.period_kind, "subject_level": self.subject_level,
                "grade": self.grade, "count": self.count, "levels": list(self.levels or []),
                "working_days": self.working_days, "issuer_level": self.issuer_level, "benefit": self.benefit}


CONSEQUENCE_SCOPE = ("owner_office__region__code", "region__code", "pairing__west_region__code", "pairing__east_region__code")


class OwnerFallback(models.TextChoices):
    """Why an item sits on the office's leading post rather than on the post that acts
    (see offices.py): shown on the item, so the head knows it is standing in."""

    NONE = "", _("the post in charge")
    NO_POST = "no_post", _("no project officer's post is set: the leading post acts")
    VACANT = "vacant", _("the project officer's post is vacant: the leading post acts")


class Consequence(Audited):
    """What every consequence has: its rule, its owner, its subject and its evidence."""

    scope_paths = CONSEQUENCE_SCOPE
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    rule = models.ForeignKey(ConsequenceRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="+")
    rule_revision = models.PositiveIntegerField(_("rule revision"))
    rule_snapshot = models.JSONField(_("rule as applied"), default=dict)
    key = models.CharField(_("key"), max_length=80)
    owner_office = models.ForeignKey("orgs.Organisation", verbose_name=_("owner office"), on_delete=models.PROTECT, related_name="+")
    owner_post = models.ForeignKey("rhythm.Post", verbose_name=_("owner post"), on_delete=models.PROTECT, related_name="+")
    owner_fallback = models.CharField(_("owner post note"), max_length=12, choices=OwnerFallback.choices, blank=True, default="")
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("pairing"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    subject_key = models.CharField(_("subject"), max_length=32, blank=True)
    period_kind = models.CharField(_("period kind"), max_length=8, choices=PeriodKind.choices, blank=True)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_label = models.CharField(_("period"), max_length=10, blank=True)
    reason = models.TextField(_("reason"))
    evidence = models.JSONField(_("evidence"), default=dict)  # snapshot taken when the rule fired
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-created", "-id"]
        constraints = [models.UniqueConstraint(fields=["rule", "key"], name="%(app_label)s_%(class)s_once_per_rule_key")]

    def audit_region_code(self):
        return self.region.code if self.region_id else self.owner_office.region.code

    def audit_other_region_code(self):
        return self.pairing.east_region.code if self.pairing_id else ""

    @property
    def subject_name(self) -> str:
        if self.pairing_id:
            return str(self.pairing)
        return self.region.name if self.region_id else ""


class Incentive(Consequence):
    """Excellent in consecutive periods → a benefit (e.g. 绿色信贷额度优先)."""

    streak = models.PositiveSmallIntegerField(_("consecutive periods"))
    benefit = models.CharField(_("benefit"), max_length=200)
    scores = models.ManyToManyField(Score, verbose_name=_("scores"), related_name="+", blank=True)

    class Meta(Consequence.Meta):
        verbose_name = _("incentive")
        verbose_name_plural = _("incentives")

    def __str__(self):
        return f"{self.subject_name} {self.period_label} {self.benefit}"


class PerformanceWarning(Consequence):
    """A warning at level 1–3 (预警), by how many consecutive periods were poor."""

    level = models.PositiveSmallIntegerField(_("level"))
    streak = models.PositiveSmallIntegerField(_("consecutive periods"))
    scores = models.ManyToManyField(Score, verbose_name=_("scores"), related_name="+", blank=True)
    status = models.CharField(_("status"), max_length=12, choices=WarningStatus.choices, default=WarningStatus.OPEN)
    response = models.TextField(_("response"), blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta(Consequence.Meta):
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")

    def __str__(self):
        return f"{self.subject_name} {self.period_label} L{self.level}"


class RestructuringProposal(Consequence):
    """Poor in M consecutive periods → a proposal to restructure the pairing (调整结对)."""

    streak = models.PositiveSmallIntegerField(_("consecutive periods"))
    scores = models.ManyToManyField(Score, verbose_name=_("scores"), related_name="+", blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    decision_note = models.TextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta(Consequence.Meta):
        verbose_name = _("restructuring proposal")
        verbose_name_plural = _("restructuring proposals")

    def __str__(self):
        return f"{self.subject_name} {self.period_label}"


class RectificationOrder(Consequence):
    """限期整改: issued by a supervising office to the owner office, due in working days on
    the official calendar; closed by the owner with evidence, verified by the issuer;
    escalated one office up per overdue round."""

    scope_paths = CONSEQUENCE_SCOPE + ("issuer_office__region__code",)
    objects = ScopedQuerySet.as_manager()

    # An order issued by hand (orders.issue_order) has no rule: it names the official who
    # issued it instead.
    rule = models.ForeignKey(ConsequenceRule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rule_revision = models.PositiveIntegerField(_("rule revision"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by (official)"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    project = models.ForeignKey("projects.Project", verbose_name=_("project"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    milestone = models.ForeignKey("projects.Milestone", verbose_name=_("milestone"), null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    issuer_office = models.ForeignKey("orgs.Organisation", verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField(_("issued on"))
    working_days = models.PositiveSmallIntegerField(_("working days"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.ISSUED, db_index=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_to = models.ForeignKey("rhythm.Post", verbose_name=_("escalated to"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta(Consequence.Meta):
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("order-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status != OrderStatus.VERIFIED

    @property
    def is_manual(self) -> bool:
        return self.rule_id is None

    def is_overdue(self, today=None) -> bool:
        """Past its deadline with nothing submitted (a closure awaiting verification stops the clock)."""
        today = today or timezone.localdate()
        return self.status in (OrderStatus.ISSUED, OrderStatus.SENT_BACK) and today > self.deadline


class OrderClosure(Audited):
    """One submission of closure evidence (text and an optional attachment) and the issuer's
    decision on it. A sent-back order collects several; the last one decides."""

    scope_paths = tuple(f"order__{p}" for p in RectificationOrder.scope_paths)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()
    audit_exclude = ("attachment",)  # the log keeps attachment_name; a file field is not JSON

    order = models.ForeignKey(RectificationOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="closures")
    text = models.TextField(_("what was done"))
    attachment = models.FileField(_("attachment"), upload_to="orders/%Y/%m/", blank=True)
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decision = models.CharField(_("decision"), max_length=10, choices=ClosureDecision.choices, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("closure evidence")
        verbose_name_plural = _("closure evidence")

    def __str__(self):
        return f"{self.order} · {self.submitted_at:%Y-%m-%d}"

    def audit_region_code(self):
        return self.order.audit_region_code()


class OrderEscalation(Audited):
    """An overdue order moved one office up: recorded once per level."""

    scope_paths = tuple(f"order__{p}" for p in RectificationOrder.scope_paths)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    order = models.ForeignKey(RectificationOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("level"))
    from_post = models.ForeignKey("rhythm.Post", verbose_name=_("from"), on_delete=models.PROTECT, related_name="+")
    to_post = models.ForeignKey("rhythm.Post", verbose_name=_("to"), on_delete=models.PROTECT, related_name="+")
    on = models.DateField(_("escalated on"))
    overdue_since = models.DateField(_("overdue since"))
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["order", "level"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [models.UniqueConstraint(fields=["order", "level"], name="assessment_escalation_once_per_level")]

    def __str__(self):
        return f"{self.order} ↑{self.level}"

    def audit_region_code(self):
        return self.order.audit_region_code()


class InterventionTicket(Consequence):
    """A foreseeable risk (no report for weeks, funds overdue, a professional gone early)
    → a ticket for the owner office to act on before it shows in a score."""

    signal = models.CharField(_("signal"), max_length=16, choices=Signal.choices)
    project = models.ForeignKey("projects.Project", verbose_name=_("project"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    posting = models.ForeignKey("ledger.Posting", verbose_name=_("allocation"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    dispatch = models.ForeignKey("people.Dispatch", verbose_name=_("dispatch"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    deadline = models.DateField(_("respond by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta(Consequence.Meta):
        verbose_name = _("intervention ticket")
        verbose_name_plural = _("intervention tickets")

    def __str__(self):
        return str(self.title)

    @property
    def title(self) -> str:
        """What the ticket is about, in the reader's language (built from the evidence)."""
        from django.utils.translation import gettext

        ev = self.evidence or {}
        if self.signal == Signal.NO_REPORT:
            p = ev.get("project", {})
            return gettext("%(project)s: no weekly report for %(n)s weeks") % {"project": p.get("code", ""), "n": p.get("weeks", "")}
        if self.signal == Signal.ARRIVAL:
            p = ev.get("posting", {})
            from xiezuo.core.money import format_yuan

            return gettext("allocation #%(id)s of %(amount)s not arrived (due %(due)s)") % {
                "id": p.get("id", ""), "amount": format_yuan(p.get("amount_fen")), "due": p.get("due_date", "")}
        d = ev.get("dispatch", {})
        return gettext("%(person)s left %(days)s days before the end of the term") % {"person": d.get("person", ""),
                                                                                       "days": d.get("days_early", "")}

    @property
    def detail(self) -> str:
        """The facts behind the ticket, in the reader's language."""
        from django.utils.translation import gettext

        ev = self.evidence or {}
        if self.signal == Signal.NO_REPORT:
            p = ev.get("project", {})
            return gettext("last weekly report: %(week)s; checked on %(day)s") % {
                "week": p.get("last_report_week") or gettext("never"), "day": p.get("checked_on", "")}
        if self.signal == Signal.ARRIVAL:
            p = ev.get("posting", {})
            return gettext("allocated on %(booked)s, due by %(due)s, not arrived on %(day)s") % {
                "booked": p.get("booked_on", ""), "due": p.get("due_date", ""), "day": p.get("checked_on", "")}
        d = ev.get("dispatch", {})
        return gettext("agreed term to %(end)s, left on %(left)s") % {"end": d.get("planned_end", ""), "left": d.get("actual_end", "")}
