"""Projects (协作项目) and what they report: milestones, budget, weekly progress, outputs, assets.

A project runs in one western county, usually under one pairing; the eastern side sees it
through the pairing, the western side through its county.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiezuo.core.audit import Audited
from xiezuo.core.scoping import ScopedQuerySet
from xiezuo.regions.models import Region

from .choices import AssetClass, Category, Enclave, FundSource, LinkMechanism, OwnerTier, PartnerRole, Status

PROJECT_SCOPE = ("county__code", "pairing__east_region__code")


class Project(Audited):
    scope_paths = PROJECT_SCOPE
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()
    # The project's copy of its latest report (and 100 on completion, with the status change
    # that is logged). Each report is logged itself, with its week and percent before and
    # after, so logging the copy too would write every report twice (a batch of 10,000
    # reports: 10,000 more rows, each a full snapshot of its project). Only reports and
    # completion move these two, never a form.
    audit_exclude = ("percent_done", "last_report_week")

    code = models.CharField(_("project code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, db_index=True)
    enclave = models.CharField(_("enclave"), max_length=8, choices=Enclave.choices, blank=True, default="")
    county = models.ForeignKey(Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="projects")
    pairing = models.ForeignKey(
        "pairings.Pairing", verbose_name=_("pairing"), null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    percent_done = models.PositiveSmallIntegerField(_("percent done"), default=0, editable=False)
    last_report_week = models.DateField(_("last report week"), null=True, blank=True, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-planned_start", "code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [models.Index(fields=["county", "status"])]

    def __str__(self):
        return f"{self.code} {self.name}"

    def audit_region_code(self):
        return self.county.code

    def audit_other_region_code(self):
        return self.pairing.east_region.code if self.pairing_id else ""

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("project-detail", args=[self.pk])


class _ProjectChild(Audited):
    scope_paths = tuple(f"project__{p}" for p in PROJECT_SCOPE)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def audit_region_code(self):
        return self.project.county.code

    def audit_other_region_code(self):
        return self.project.audit_other_region_code()


class ProjectPartner(_ProjectChild):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey("orgs.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="project_roles")
    role = models.CharField(_("role"), max_length=12, choices=PartnerRole.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "organisation", "role"], name="uniq_project_partner_role")]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"


class Milestone(_ProjectChild):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    seq = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=200)
    planned_date = models.DateField(_("planned date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)

    class Meta:
        ordering = ["project_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="uniq_milestone_seq")]
        # late milestones as of a day: the open ones by planned date (migration 0008) OR those reached
        # after that day (a past week's sheet), each arm its own index
        indexes = [models.Index(fields=["planned_date", "actual_date"]),
                   models.Index(fields=["actual_date"], name="projects_milestone_reached", condition=models.Q(actual_date__isnull=False))]

    def __str__(self):
        return f"{self.project.code} #{self.seq} {self.name}"


class BudgetLine(_ProjectChild):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget")
    source = models.CharField(_("source"), max_length=12, choices=FundSource.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="uniq_budget_source"),
            models.CheckConstraint(condition=models.Q(amount_fen__gte=0), name="budget_nonneg"),
        ]

    def __str__(self):
        return f"{self.project.code} {self.get_source_display()}"


class ProgressReport(_ProjectChild):
    """One weekly report (周报). `week` is the Monday of the ISO week reported on."""

    # indexed by uniq_report_week (project, week), whose prefix serves the key; the two references are
    # checked once per INSERT statement, not by per-row foreign keys (`core.refchecks`, migration 0010)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports", db_index=False, db_constraint=False)
    week = models.DateField(_("week"))
    percent = models.PositiveSmallIntegerField(_("percent done"))
    done = models.TextField(_("what was done"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    db_constraint=False)
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    client_id = models.CharField(_("client id"), max_length=64, null=True, blank=True)
    # whose client id it is: the id of the organisation the reporter acted for (0: none); ids are unique per organisation
    client_ns = models.BigIntegerField(_("client id namespace"), default=0, db_default=0, editable=False)

    class Meta:
        ordering = ["-week"]
        # unique through Meta rather than unique=True: on PostgreSQL that adds a second `_like`
        # index to a CharField, which nobody queries with LIKE and every bulk insert pays for
        constraints = [models.UniqueConstraint(fields=["project", "week"], name="uniq_report_week"),
                       models.UniqueConstraint(fields=["client_id", "client_ns"], name="projects_report_client_id_per_org")]

    def __str__(self):
        return f"{self.project.code} {self.week:%G-W%V}"


class ReportAttachment(_ProjectChild):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)

    def __str__(self):
        return self.name


class ProjectOutput(_ProjectChild):
    """Outputs reported as of a date: jobs, households linked by mechanism, procurement."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outputs")
    as_of = models.DateField(_("as of"))
    jobs_created = models.PositiveIntegerField(_("jobs created"), default=0)
    local_procurement_fen = models.BigIntegerField(_("local procurement (fen)"), default=0)
    total_procurement_fen = models.BigIntegerField(_("total procurement (fen)"), default=0)
    tech_income_fen = models.BigIntegerField(_("technology transfer income (fen)"), default=0)
    tech_investment_fen = models.BigIntegerField(_("technology transfer investment (fen)"), default=0)
    # when the report reached the platform (empty for rows loaded before it was kept): a report
    # recorded after its quarter closed does not change that quarter's scorecard by itself
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True, default=timezone.now, editable=False)

    class Meta:
        ordering = ["-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["project", "as_of"], name="uniq_output_date"),
            models.CheckConstraint(condition=models.Q(local_procurement_fen__lte=models.F("total_procurement_fen")), name="local_le_total"),
        ]

    def __str__(self):
        return f"{self.project.code} {self.as_of}"


class HouseholdLink(_ProjectChild):
    """Households linked to a project (联农带农) by one mechanism, as of an output date."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    output = models.ForeignKey(ProjectOutput, on_delete=models.CASCADE, related_name="links")
    mechanism = models.CharField(_("mechanism"), max_length=12, choices=LinkMechanism.choices)
    households = models.PositiveIntegerField(_("households"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["output", "mechanism"], name="uniq_link_mechanism")]


class Asset(_ProjectChild):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="assets")
    name = models.CharField(_("name"), max_length=200)
    asset_class = models.CharField(_("class"), max_length=16, choices=AssetClass.choices)
    value_fen = models.BigIntegerField(_("value (fen)"))
    owner_tier = models.CharField(_("owner tier"), max_length=12, choices=OwnerTier.choices)
    registered_on = models.DateField(_("registered on"))

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(value_fen__gte=0), name="asset_value_nonneg")]

    def __str__(self):
        return self.name

from .totals import ProjectTotal  # noqa: E402,F401  the dashboard's summary table (projects/totals.py)
