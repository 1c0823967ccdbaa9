"""劳务协作: western workers, jobs, order-based training, referrals, placements, retention
checks (稳岗), subsidy rules as data and subsidy payments made through the ledger.

Personal data (PIPL): a worker's ID number and phone are encrypted at rest
(`core.personal.crypto.EncryptedTextField`); a keyed hash beside each (`id_index`,
`phone_index`) finds equal numbers without decrypting; the masked forms are kept as plain
columns, so lists, exports and the audit log show them without ever decrypting a row, and
the full values are shown only through `core.personal.access.reveal` (right + purpose +
log). The audit log never records the encrypted columns or their indexes.
"""
import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiezuo.core.audit import Audited
from xiezuo.core.personal.crypto import EncryptedTextField
from xiezuo.core.scoping import ScopedQuerySet, scope_for

from .choices import MILESTONES, HouseholdStatus, JobStatus, Outcome, PlaceKind, SubsidyKind, skill_names

PERSONAL = ("id_number", "phone", "id_index", "phone_index")


class Worker(Audited):
    """A worker registered by a western county (the county keeps them: its subtree sees them)."""

    scope_paths = ("county__code",)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    county = models.ForeignKey("regions.Region", verbose_name=_("registering county"), on_delete=models.PROTECT,
                               related_name="labour_workers")
    name = models.CharField(_("name"), max_length=50)
    id_number = EncryptedTextField(_("ID number"))
    id_index = models.CharField(_("ID number search index"), max_length=64, editable=False)
    id_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    phone_index = models.CharField(_("phone search index"), max_length=64, blank=True, default="", editable=False)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, default="", editable=False)
    household_status = models.CharField(_("household status"), max_length=12, choices=HouseholdStatus.choices,
                                        default=HouseholdStatus.OTHER)
    skills = models.BigIntegerField(_("skills"), default=0)  # a mask of choices.SKILL_BIT
    preferred_provinces = models.CharField(_("preferred places"), max_length=60, blank=True, default="",
                                           help_text=_("two-digit province codes, comma-separated"))
    expected_wage_fen = models.BigIntegerField(_("expected monthly wage (fen)"), default=0)
    # the same person in the monitoring registry (防返贫动态监测), linked by the ID number's keyed hash
    member = models.ForeignKey("households.Member", verbose_name=_("member of the monitoring registry"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="labour_workers")
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged")
    registered_on = models.DateField(_("registered on"), default=datetime.date.today)
    is_demo = models.BooleanField(_("demo data"), default=False)

    audit_exclude = PERSONAL

    class Meta:
        ordering = ["county_id", "name", "id"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        constraints = [
            # one live registration of a number per county; the same number in another county
            # is allowed and listed for merging
            models.UniqueConstraint(fields=["county", "id_index"], condition=Q(merged_into__isnull=True),
                                    name="labour_worker_one_per_county"),
        ]
        indexes = [models.Index(fields=["id_index"], name="labour_worker_id_index")]

    def __str__(self):
        return f"{self.name} ({self.id_masked})"

    def personal_region_code(self):
        return self.county.code

    def audit_region_code(self):
        return self.county.code

    @property
    def skill_list(self):
        return skill_names(self.skills)

    @property
    def province_list(self):
        return [p for p in self.preferred_provinces.split(",") if p]


class JobQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Job postings are public to every active user of the platform (招聘信息): the
        western county matches its workers to jobs anywhere. Only the employer's side edits."""
        return self.all() if scope_for(user).active else self.none()

    def open(self):
        return self.filter(status=JobStatus.OPEN)


class Job(Audited):
    scope_paths = ("employer__region__code", "place__code")
    scope_include_partners = True
    objects = JobQuerySet.as_manager()

    employer = models.ForeignKey("orgs.Organisation", verbose_name=_("employer"), on_delete=models.PROTECT,
                                 related_name="labour_jobs")
    title = models.CharField(_("job title"), max_length=100)
    place = models.ForeignKey("regions.Region", verbose_name=_("place of work"), on_delete=models.PROTECT, related_name="+")
    province_code = models.CharField(_("province"), max_length=2, editable=False)  # the place's, for matching
    positions = models.PositiveIntegerField(_("positions"), default=1)
    wage_min_fen = models.BigIntegerField(_("monthly wage from (fen)"), default=0)
    wage_max_fen = models.BigIntegerField(_("monthly wage to (fen)"), default=0)
    skills = models.BigIntegerField(_("skills"), default=0)
    housing = models.BooleanField(_("housing provided"), default=False)
    occupation_code = models.CharField(_("occupation code"), max_length=20, blank=True, default="")
    status = models.CharField(_("status"), max_length=8, choices=JobStatus.choices, default=JobStatus.OPEN)
    posted_on = models.DateField(_("posted on"), default=datetime.date.today)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-posted_on", "id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [models.Index(fields=["status", "province_code"], name="labour_job_open_prov")]
        constraints = [models.CheckConstraint(condition=Q(wage_max_fen__gte=models.F("wage_min_fen")), name="labour_job_wage_range")]

    def __str__(self):
        return f"{self.title} · {self.employer}"

    def audit_region_code(self):
        return self.place.code

    def audit_other_region_code(self):
        return self.employer.region.code

    @property
    def skill_list(self):
        return skill_names(self.skills)


class Training(Audited):
    """Order-based training (订单式培训): a course held for a western county's workers with an
    employer that committed to hire those who finish it."""

    scope_paths = ("county__code", "employer__region__code")
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    county = models.ForeignKey("regions.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    course = models.CharField(_("course"), max_length=100)
    employer = models.ForeignKey("orgs.Organisation", verbose_name=_("employer committed to hire"), on_delete=models.PROTECT,
                                 related_name="labour_trainings")
    committed_hires = models.PositiveIntegerField(_("hires committed"), default=0)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("order-based training")
        verbose_name_plural = _("order-based trainings")

    def __str__(self):
        return f"{self.course} · {self.employer}"

    def audit_region_code(self):
        return self.county.code

    def audit_other_region_code(self):
        return self.employer.region.code


class Enrolment(Audited):
    scope_paths = ("training__county__code", "training__employer__region__code")
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    training = models.ForeignKey(Training, verbose_name=_("training"), on_delete=models.CASCADE, related_name="enrolments")
    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="enrolments")
    days_attended = models.PositiveIntegerField(_("days attended"), default=0)
    certificate_no = models.CharField(_("certificate number"), max_length=40, blank=True, default="")

    class Meta:
        ordering = ["training_id", "id"]
        constraints = [models.UniqueConstraint(fields=["training", "worker"], name="labour_enrolment_once")]

    def audit_region_code(self):
        return self.training.county.code


class Referral(Audited):
    """An office refers a worker to a job (人岗对接); the outcome is recorded."""

    scope_paths = ("worker__county__code", "job__place__code")
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="referrals")
    job = models.ForeignKey(Job, verbose_name=_("job"), on_delete=models.PROTECT, related_name="referrals")
    referred_on = models.DateField(_("referred on"))
    reason = models.CharField(_("reason of the match"), max_length=200, blank=True, default="")
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)

    class Meta:
        ordering = ["-referred_on", "id"]
        constraints = [models.UniqueConstraint(fields=["worker", "job"], name="labour_referral_once")]

    def audit_region_code(self):
        return self.worker.county.code


class Placement(Audited):
    """A worker placed in a job (转移就业). `county` is the worker's registering county;
    `place_kind` and `in_paired_province` are derived from it and the place of work.

    No database constraints on the references (as the ledger's postings and the purchases):
    checking five of them row by row at commit cost more than a batch's own writing. The
    writer checks them instead, once per batch over the distinct ids, and holds them with the
    lock a foreign key takes (`actions.check_placements`); deleting a referenced worker,
    organisation, region or job is refused by a guard on that table (migration 0005), as the
    foreign key refused it. No index of their own where an index below starts with the column.

    `next_check_due` is the due day of the earliest retention milestone still outstanding (no
    check recorded, the placement not ended before it was due); NULL when none is. Kept by
    every writer of placements and checks (`due`), so that "past a missed check" is a range
    on one indexed column instead of an anti-join per milestone."""

    scope_paths = ("county__code", "place__code")
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="placements",
                               db_constraint=False, db_index=False)
    county = models.ForeignKey("regions.Region", verbose_name=_("registering county"), on_delete=models.PROTECT,
                               related_name="+", editable=False, db_constraint=False, db_index=False)
    employer = models.ForeignKey("orgs.Organisation", verbose_name=_("employer"), on_delete=models.PROTECT,
                                 related_name="labour_placements", db_constraint=False)
    job = models.ForeignKey(Job, verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="placements",
                            db_constraint=False)
    place = models.ForeignKey("regions.Region", verbose_name=_("place of work"), on_delete=models.PROTECT, related_name="+",
                              db_constraint=False)
    place_kind = models.CharField(_("place"), max_length=16, choices=PlaceKind.choices, editable=False)
    in_paired_province = models.BooleanField(_("in the paired eastern province"), default=False, editable=False)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    occupation_code = models.CharField(_("occupation code (2022 classification)"), max_length=20, blank=True, default="")
    monthly_wage_fen = models.BigIntegerField(_("monthly wage (fen)"), default=0)
    client_id = models.CharField(_("client id"), max_length=64, null=True, blank=True)
    client_ns = models.BigIntegerField(_("client id namespace"), default=0, db_default=0, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)
    next_check_due = models.DateField(_("next retention check due"), null=True, blank=True, editable=False)

    audit_exclude = ("client_ns", "next_check_due")

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.UniqueConstraint(fields=["client_id", "client_ns"], name="labour_placement_client_id_per_org"),
            models.UniqueConstraint(fields=["worker", "employer", "start_date"], name="labour_placement_once"),
        ]
        indexes = [
            models.Index(fields=["county", "start_date"], name="labour_placement_county_day"),
            # the list's order: a page of the newest without sorting millions of placements
            models.Index(fields=["-start_date", "id"], name="labour_placement_list_order"),
            # past a missed check: the country's (a range of days), an office's (its counties, each a range)
            models.Index(fields=["next_check_due"], name="labour_placement_due", condition=Q(next_check_due__isnull=False)),
            models.Index(fields=["county", "next_check_due"], name="labour_placement_county_due",
                         condition=Q(next_check_due__isnull=False)),
        ]

    def __str__(self):
        return f"{self.worker.name} → {self.employer} ({self.start_date})"

    def audit_region_code(self):
        return self.county.code

    def audit_other_region_code(self):
        return self.place.code

    def due_on(self, months: int) -> datetime.date:
        return add_months(self.start_date, months)


def add_months(day: datetime.date, months: int) -> datetime.date:
    import calendar

    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class RetentionCheck(Audited):
    """稳岗回访 at 3, 6 and 12 months: still employed? with how many months of wage transfers
    seen (工资流水, the evidence the subsidies ask for)."""

    scope_paths = ("placement__county__code", "placement__place__code")
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    # indexed by the unique (placement, milestone) below
    placement = models.ForeignKey(Placement, verbose_name=_("placement"), on_delete=models.CASCADE, related_name="checks",
                                  db_index=False)
    milestone = models.PositiveSmallIntegerField(_("months after start"), choices=[(m, m) for m in MILESTONES])
    checked_on = models.DateField(_("checked on"))
    employed = models.BooleanField(_("still employed"))
    wage_months = models.PositiveSmallIntegerField(_("months of wage transfers seen"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    client_id = models.CharField(_("client id"), max_length=64, null=True, blank=True)
    client_ns = models.BigIntegerField(_("client id namespace"), default=0, db_default=0, editable=False)

    audit_exclude = ("client_ns",)

    class Meta:
        ordering = ["placement_id", "milestone"]
        verbose_name = _("retention check")
        verbose_name_plural = _("retention checks")
        constraints = [
            models.UniqueConstraint(fields=["placement", "milestone"], name="labour_check_once"),
            models.UniqueConstraint(fields=["client_id", "client_ns"], name="labour_check_client_id_per_org"),
        ]

    def audit_region_code(self):
        return self.placement.county.code


class SubsidyRule(Audited):
    """One county's rule for one subsidy in one year, as data.

    A worker's grant: `amount_fen` (a fixed amount, or the most paid when a claim names a
    smaller one) and/or `percent_of_wages` (of the wages of the evidenced months), capped
    at `cap_fen` when set. An employer's tier: `amount_fen` for a worker kept between
    `min_months` and `max_months` (exclusive; empty: no upper bound)."""

    scope_paths = ("county__code",)
    scope_include_partners = True
    objects = ScopedQuerySet.as_manager()

    county = models.ForeignKey("regions.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("subsidy"), max_length=12, choices=SubsidyKind.choices)
    min_months = models.PositiveSmallIntegerField(_("months employed at least"), default=0)
    max_months = models.PositiveSmallIntegerField(_("months employed less than"), null=True, blank=True)
    out_of_province_only = models.BooleanField(_("only for work outside the province"), default=False)
    wage_evidence_months = models.PositiveSmallIntegerField(_("months of wage transfers required"), default=0)
    amount_fen = models.BigIntegerField(_("amount (fen)"), default=0)
    percent_of_wages = models.DecimalField(_("percent of wages"), max_digits=5, decimal_places=2, null=True, blank=True)
    cap_fen = models.BigIntegerField(_("at most (fen)"), null=True, blank=True)

    class Meta:
        ordering = ["county_id", "year", "kind", "min_months"]
        verbose_name = _("subsidy rule")
        verbose_name_plural = _("subsidy rules")
        constraints = [models.UniqueConstraint(fields=["county", "year", "kind", "min_months"], name="labour_rule_once")]

    def __str__(self):
        return f"{self.county} {self.year} {self.get_kind_display()} ≥{self.min_months}"

    def audit_region_code(self):
        return self.county.code


class SubsidyPayment(Audited):
    """A subsidy paid: at most one per worker, subsidy and year (the unique constraint is the
    last word, also under concurrent requests). The money moves as the ledger's spending
    from the labour project's account; `posting` is that ledger posting."""

    scope_paths = ("placement__county__code", "placement__place__code")
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="subsidies")
    placement = models.ForeignKey(Placement, verbose_name=_("placement"), on_delete=models.PROTECT, related_name="subsidies")
    rule = models.ForeignKey(SubsidyRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("subsidy"), max_length=12, choices=SubsidyKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    paid_on = models.DateField(_("paid on"))
    project = models.ForeignKey("projects.Project", verbose_name=_("labour project paying"), on_delete=models.PROTECT,
                                related_name="+")
    posting = models.ForeignKey("ledger.Posting", verbose_name=_("ledger posting"), null=True, blank=True,
                                on_delete=models.PROTECT, db_constraint=False, related_name="+")

    class Meta:
        ordering = ["-paid_on", "id"]
        verbose_name = _("subsidy payment")
        verbose_name_plural = _("subsidy payments")
        constraints = [models.UniqueConstraint(fields=["worker", "kind", "year"], name="labour_subsidy_once")]

    def audit_region_code(self):
        return self.placement.county.code


from .totals import LabourTotal  # noqa: E402,F401  (the summary table: a model of this app)
from .duecounts import DueCount  # noqa: E402,F401  (the next check days per county and month)
