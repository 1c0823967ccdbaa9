"""Posts (岗位) and their duties, monthly consultations (月会商) and multi-year plans.

An item — a rectification order, a warning, a consultation decision — belongs to a post,
not to a person, so that it survives staff changes; the people currently holding a post
see its items on their "my items" page. A post sits in one office; the office's parent
office (one level up the region tree) is where overdue items escalate.

The weekly dispatch sheet (周调度) is not stored: it is compiled from the facts whenever it
is asked for (see `sheets.py`). A consultation's agenda is stored, because the minutes and
decisions of a meeting refer to the agenda as it stood when the meeting was prepared.
"""
import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiezuo.core.audit import Audited
from xiezuo.core.scoping import ScopedQuerySet


class Post(Audited):
    office = models.ForeignKey("orgs.Organisation", verbose_name=_("office"), on_delete=models.PROTECT, related_name="posts")
    name = models.CharField(_("post"), max_length=100)
    duties = models.TextField(_("duties"), blank=True)
    holders = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("holders"), blank=True, related_name="posts")
    is_lead = models.BooleanField(_("leading post"), default=False,
                                  help_text=_("receives the office's escalated and unassigned items"))
    # 项目专管岗: the projects this post answers for. Orders and tickets about one of them
    # land here instead of on the leading post (see assessment/offices.py for the rule).
    projects = models.ManyToManyField("projects.Project", verbose_name=_("projects in charge"), blank=True, related_name="officer_posts",
                                      help_text=_("orders and tickets about these projects come to this post"))

    scope_paths = ("office__region__code",)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ("office_id", "-is_lead", "name")
        constraints = [models.UniqueConstraint(fields=("office", "name"), name="rhythm_post_unique_name_per_office")]

    def __str__(self):
        return f"{self.office.name} · {self.name}"

    def audit_region_code(self):
        return self.office.region.code

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("post-edit", args=[self.pk])


class ConsultationStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")


class Consultation(Audited):
    """One office's monthly consultation (月会商): its agenda, minutes and decisions."""

    office = models.ForeignKey("orgs.Organisation", verbose_name=_("office"), on_delete=models.PROTECT, related_name="consultations")
    month = models.DateField(_("month"), help_text=_("the first day of the month the meeting is for"))
    meeting_date = models.DateField(_("meeting date"))
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=ConsultationStatus.choices, default=ConsultationStatus.PLANNED)
    minutes = models.TextField(_("minutes"), blank=True)
    agenda_compiled_at = models.DateTimeField(_("agenda compiled at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    scope_paths = ("office__region__code",)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ("-month", "office_id")
        constraints = [models.UniqueConstraint(fields=("office", "month"), name="rhythm_one_consultation_per_office_month")]

    def __str__(self):
        return self.title

    def audit_region_code(self):
        return self.office.region.code

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("consultation-detail", args=[self.pk])


class AgendaItem(models.Model):
    """One point of a compiled agenda, copied from the weekly sheet or the items list.

    A copy, not a reference: the agenda must read the same after the late milestone it
    lists has been reached."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="agenda")
    seq = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    detail = models.TextField(_("detail"), blank=True)
    count = models.PositiveIntegerField(_("count"), default=1)
    url = models.CharField(_("link"), max_length=300, blank=True)

    scope_paths = ("consultation__office__region__code",)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ("consultation_id", "seq")

    def __str__(self):
        return self.title


class ActionItem(Audited):
    """A decision of a consultation: what is to be done, by which post, by when.

    Its state is open or done; an open item past its deadline shows as overdue, and
    `escalate_overdue` hands it one level up (the parent office's leading post) once."""

    consultation = models.ForeignKey(Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="actions")
    decision = models.CharField(_("decision"), max_length=300)
    owner_post = models.ForeignKey(Post, verbose_name=_("owner post"), on_delete=models.PROTECT, related_name="action_items")
    deadline = models.DateField(_("deadline"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.TextField(_("evidence of completion"), blank=True)
    escalated_to = models.ForeignKey(Post, verbose_name=_("escalated to"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="escalated_action_items")
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)

    # Seen by the deciding office's part of the tree, and by the offices of the owner post
    # and of the post it was escalated to, which must act on it.
    scope_paths = ("consultation__office__region__code", "owner_post__office__region__code", "escalated_to__office__region__code")
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ("deadline", "id")
        indexes = [models.Index(fields=["done_on", "deadline"])]

    def __str__(self):
        return self.decision

    def audit_region_code(self):
        return self.owner_post.office.region.code

    def audit_other_region_code(self):
        return self.consultation.office.region.code

    def state(self, today: datetime.date | None = None) -> str:
        """"done", "overdue" or "open"."""
        if self.done_on is not None:
            return "done"
        if self.deadline < (today or timezone.localdate()):
            return "overdue"
        return "open"

    def get_state_display(self):
        return {"done": _("done"), "overdue": _("overdue"), "open": _("open")}[self.state()]

    def get_absolute_url(self):
        return self.consultation.get_absolute_url() + f"#action-{self.pk}"


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("in progress")
    ADJUSTED = "adjusted", _("adjusted at mid-term")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("not accepted")


class Plan(Audited):
    """A multi-year cooperation plan of a pairing (e.g. the 14th five-year plan of a pair):
    evaluated every year (年度评估), adjusted once at mid-term (中期调整), accepted at the
    end (终期验收)."""

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("pairing"), on_delete=models.PROTECT, related_name="plans")
    title = models.CharField(_("title"), max_length=200)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    goals = models.TextField(_("goals"))
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    is_demo = models.BooleanField(_("demo data"), default=False)

    scope_paths = ("pairing__east_region__code", "pairing__west_region__code")
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ("-start_year", "id")

    def __str__(self):
        return f"{self.title}（{self.start_year}–{self.end_year}）"

    def audit_region_code(self):
        return self.pairing.west_region.code

    def audit_other_region_code(self):
        return self.pairing.east_region.code

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("plan-detail", args=[self.pk])

    @property
    def years(self):
        return range(self.start_year, self.end_year + 1)


class Rating(models.TextChoices):
    GOOD = "good", _("good")
    FAIRLY_GOOD = "fairly_good", _("fairly good")
    AVERAGE = "average", _("average")
    POOR = "poor", _("poor")


class PlanEvaluation(Audited):
    """The annual evaluation (年度评估) of one year of a plan."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="evaluations")
    year = models.PositiveSmallIntegerField(_("year"))
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices)
    summary = models.TextField(_("summary"))
    evaluated_on = models.DateField(_("evaluated on"))

    scope_paths = tuple(f"plan__{p}" for p in Plan.scope_paths)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("annual evaluation")
        verbose_name_plural = _("annual evaluations")
        ordering = ("plan_id", "year")
        constraints = [models.UniqueConstraint(fields=("plan", "year"), name="rhythm_one_evaluation_per_plan_year")]

    def __str__(self):
        return f"{self.plan.title} {self.year}"

    def audit_region_code(self):
        return self.plan.audit_region_code()


class PlanAdjustment(Audited):
    """The mid-term adjustment (中期调整): what changed, why, with the plan as it was."""

    plan = models.OneToOneField(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="adjustment")
    adjusted_on = models.DateField(_("adjusted on"))
    reason = models.TextField(_("reason"))
    before = models.JSONField(_("before"))
    after = models.JSONField(_("after"))

    scope_paths = tuple(f"plan__{p}" for p in Plan.scope_paths)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mid-term adjustment")
        verbose_name_plural = _("mid-term adjustments")

    def __str__(self):
        return f"{self.plan.title} {self.adjusted_on}"

    def audit_region_code(self):
        return self.plan.audit_region_code()

    def changes(self):
        """[(field label, before, after)] for the fields the adjustment changed."""
        return [(Plan._meta.get_field(k).verbose_name, self.before.get(k), self.after.get(k))
                for k in self.after if self.before.get(k) != self.after.get(k)]


class AcceptanceResult(models.TextChoices):
    PASSED = "passed", _("passed")
    FAILED = "failed", _("failed")


class PlanAcceptance(Audited):
    """The final acceptance (终期验收) of a plan."""

    plan = models.OneToOneField(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="acceptance")
    accepted_on = models.DateField(_("date"))
    result = models.CharField(_("result"), max_length=8, choices=AcceptanceResult.choices)
    remarks = models.TextField(_("remarks"))

    scope_paths = tuple(f"plan__{p}" for p in Plan.scope_paths)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("final acceptance")
        verbose_name_plural = _("final acceptances")

    def __str__(self):
        return f"{self.plan.title} {self.get_result_display()}"

    def audit_region_code(self):
        return self.plan.audit_region_code()


# --- the working-day calendar ----------------------------------------------------------


class CalendarYear(Audited):
    """A year's official holiday arrangement (国务院办公厅关于节假日安排的通知), entered as data.

    The `chinese_calendar` package covers the years up to its last release; each November
    the State Council publishes the next year's arrangement, usually before a new release.
    Entering it here (admin or `manage.py workcalendar load`) makes working-day deadlines
    run into that year without waiting for a package upgrade. A year with a row here is
    taken as complete: its days not listed are ordinary (Monday–Friday work).
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200, help_text=_("the notice the days were taken from"))

    class Meta:
        verbose_name = _("holiday arrangement")
        verbose_name_plural = _("holiday arrangements")
        ordering = ("year",)

    def __str__(self):
        return str(self.year)


class CalendarDay(Audited):
    """A day that differs from Monday–Friday work: a holiday, or a weekend made a working day (调休)."""

    arrangement = models.ForeignKey(CalendarYear, verbose_name=_("holiday arrangement"), on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True, help_text=_("e.g. 春节, or 春节调休"))

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ("date",)

    def __str__(self):
        return f"{self.date} {self.name}"
