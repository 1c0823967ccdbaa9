"""The anti-return-to-poverty monitoring registry (防返贫动态监测).

Households live in a village of a western county; their members are the registry's people,
the one place the labour channel, project links, payouts and insurance point to for a person
(`Member`). Personal fields (ID number, phone, health detail, bank account) are encrypted at
rest (`core.personal.crypto`), found through a keyed hash (`id_index`), shown masked unless
the reader may reveal them, and kept out of the audit log: the log records that a personal
field changed (`personal_revision`, `personal_changed`), never its value.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiezuo.core.audit import Audited
from xiezuo.core.personal.crypto import EncryptedTextField, blind_index
from xiezuo.core.personal.idnumbers import normalise
from xiezuo.core.personal.masking import mask_name
from xiezuo.core.scoping import ScopedQuerySet
from xiezuo.regions.models import Region

from .choices import (CaseKind, Category, Channel, Decision, Education, Employment, Health, HelpKind, RecordType,
                      Relation, RetentionAction, Rule, Status, Step)


def name_key(name: str) -> str:
    """The keyed hash of a name with its spaces removed ("" for none): equal names, equal keys."""
    name = "".join((name or "").split())
    return blind_index("name", name) if name else ""


class PersonalFields(models.Model):
    """Mixin for a model with encrypted personal fields: the audit log keeps their change, not
    their value. `PERSONAL` names the encrypted fields (left out of every audit snapshot);
    `save()` bumps `personal_revision` and lists which of them changed in `personal_changed`,
    two plain fields the snapshot does keep."""

    PERSONAL: tuple = ()

    personal_revision = models.PositiveIntegerField(_("personal data revision"), default=0, editable=False)
    personal_changed = models.CharField(_("personal fields changed"), max_length=200, blank=True, editable=False)

    class Meta:
        abstract = True

    def note_personal_changes(self):
        """Compare the personal fields with the stored row (decrypted); call before saving."""
        if self.pk is None:
            changed = [f for f in self.PERSONAL if getattr(self, f)]
        else:
            old = type(self)._base_manager.filter(pk=self.pk).values(*self.PERSONAL).first() or {}
            changed = [f for f in self.PERSONAL if (old.get(f) or "") != (getattr(self, f) or "")]
        if changed:
            self.personal_revision = (self.personal_revision or 0) + 1
            self.personal_changed = ",".join(changed)

    def save(self, *args, **kwargs):
        self.note_personal_changes()
        super().save(*args, **kwargs)


class Village(Audited):
    """An administrative village (行政村) by its 12-digit statistical code (统计用区划代码):
    the county's 6 digits, the township's 3, the village's 3. The region tree stops at the
    county; townships and villages are kept here, as the registry needs them."""

    scope_paths = ("county__code",)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    code = models.CharField(_("village code"), max_length=12, unique=True)
    name = models.CharField(_("administrative village"), max_length=64)
    township_code = models.CharField(_("township code"), max_length=9, db_index=True)
    township_name = models.CharField(_("township"), max_length=64)
    county = models.ForeignKey(Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="villages")
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative village")
        verbose_name_plural = _("villages")

    def __str__(self):
        return f"{self.township_name}{self.name}"

    def audit_region_code(self):
        return self.county.code


class HouseholdQuerySet(ScopedQuerySet):
    def monitored(self):
        return self.filter(status__in=(Status.MONITORED, Status.EXITING))


class Household(PersonalFields, Audited):
    """A rural household of a western county, monitored or not."""

    PERSONAL = ("address", "bank_account")
    scope_paths = ("county__code",)
    scope_include_partners = False
    objects = HouseholdQuerySet.as_manager()
    audit_exclude = ("address", "bank_account", "client_ns", "size")

    number = models.CharField(_("household number"), max_length=32, blank=True, db_index=True)
    county = models.ForeignKey(Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, verbose_name=_("administrative village"), on_delete=models.PROTECT, related_name="households")
    village_code = models.CharField(_("village code"), max_length=12, db_index=True)  # copy of the village's, for figures by prefix
    address = EncryptedTextField(_("address"), blank=True)
    bank_account = EncryptedTextField(_("bank account"), blank=True)
    size = models.PositiveSmallIntegerField(_("members"), default=0, editable=False)  # kept by the actions
    formerly_poor = models.BooleanField(_("formerly registered poor (脱贫户)"), default=False)
    housing_safe = models.BooleanField(_("housing safe"), default=True)
    water_safe = models.BooleanField(_("drinking water safe"), default=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NORMAL)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices, blank=True, default="")
    identified_on = models.DateField(_("identified on"), null=True, blank=True)
    exited_on = models.DateField(_("risk eliminated on"), null=True, blank=True)
    erased_on = models.DateField(_("personal data erased on"), null=True, blank=True)
    client_id = models.CharField(_("client id"), max_length=64, null=True, blank=True)
    client_ns = models.BigIntegerField(_("client id namespace"), default=0, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["village_code", "number", "id"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [models.UniqueConstraint(fields=["client_id", "client_ns"], name="households_household_client_id_per_org")]
        indexes = [models.Index(fields=["county", "status", "category"], name="households_hh_county_status"),
                   models.Index(fields=["status"], name="households_hh_status"),
                   # the figures of a month: identified and exited in it (a few thousand rows nationally)
                   models.Index(fields=["identified_on"], name="households_hh_identified",
                                condition=models.Q(identified_on__isnull=False)),
                   models.Index(fields=["exited_on"], name="households_hh_exited", condition=models.Q(exited_on__isnull=False))]

    def __str__(self):
        return _("household %(number)s") % {"number": self.number or f"#{self.pk}"}

    def audit_region_code(self):
        return self.village_code[:6]

    def personal_region_code(self):
        return self.village_code[:6]

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("households-detail", args=[self.pk])


class Member(PersonalFields, Audited):
    """A person of the registry. One ID number appears once nationally (`id_index`, the keyed
    hash of the normalised number, is unique); a second household claiming it is a conflict
    to resolve, never a second row."""

    PERSONAL = ("name", "id_number", "phone", "health_note")
    scope_paths = ("household__county__code",)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()
    audit_exclude = ("name", "id_number", "phone", "health_note", "id_index", "phone_index", "name_index", "birth_date")

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="members")
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices)
    name = EncryptedTextField(_("name"))
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_index = models.CharField(_("ID number index"), max_length=64, null=True, blank=True, editable=False)
    # the keyed hash of the name (`name_key`): finding a household by its head's name, as a payout's
    # beneficiary is chosen, without decrypting the county's names
    name_index = models.CharField(_("name index"), max_length=64, blank=True, default="", editable=False)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_index = models.CharField(_("phone index"), max_length=64, blank=True, default="", editable=False)
    sex = models.CharField(_("sex"), max_length=1, blank=True, choices=[("M", _("male")), ("F", _("female"))])
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    health = models.CharField(_("health"), max_length=10, choices=Health.choices, default=Health.HEALTHY)
    health_note = EncryptedTextField(_("health detail"), blank=True)
    education = models.CharField(_("education"), max_length=10, choices=Education.choices, blank=True)
    employment = models.CharField(_("employment"), max_length=12, choices=Employment.choices, blank=True)
    out_of_school = models.BooleanField(_("out of compulsory schooling"), default=False)
    medical_insured = models.BooleanField(_("basic medical insurance"), default=True)
    active = models.BooleanField(_("still in the household"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["household_id", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [models.UniqueConstraint(fields=["id_index"], name="households_member_id_once",
                                               condition=models.Q(id_index__isnull=False))]
        indexes = [models.Index(fields=["phone_index"], name="households_member_phone"),
                   models.Index(fields=["name_index"], name="households_member_name"),
                   # the screening's schooling and insurance rules read only these few members, not the
                   # whole table (its rows are wide with the encrypted fields)
                   models.Index(fields=["household", "out_of_school", "medical_insured"], name="households_member_risk",
                                condition=models.Q(active=True) & (models.Q(out_of_school=True) | models.Q(medical_insured=False)))]

    def __str__(self):
        # what the audit log's object_repr keeps: never the full name or a number
        return f"{mask_name(self.name)}（{self.get_relation_display()}）"

    def prepare(self):
        """Derived fields from the personal ones (also for bulk_create, which skips save)."""
        number = normalise(self.id_number)
        self.id_number = number
        self.id_index = blind_index("id", number) if number else None
        self.phone = (self.phone or "").strip()
        self.phone_index = blind_index("phone", self.phone) if self.phone else ""
        self.name_index = name_key(self.name)
        if number and len(number) == 18 and not self.birth_date:
            from xiezuo.core.personal.idnumbers import birth_date

            try:
                self.birth_date = birth_date(number)
            except ValueError:
                pass
            self.sex = self.sex or ("M" if int(number[16]) % 2 else "F")
        return self

    def save(self, *args, **kwargs):
        self.prepare()
        super().save(*args, **kwargs)

    def audit_region_code(self):
        return self.household.village_code[:6]

    def personal_region_code(self):
        return self.household.village_code[:6]


class IncomeRecord(Audited):
    """Income by source and eligible out-of-pocket (rigid) costs over the 12 months ending
    with `month` (the first day of that month). A monthly update writes a new record; the
    screening of month M reads the latest record before M and the one a year earlier."""

    scope_paths = ("household__county__code",)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="incomes")
    month = models.DateField(_("12 months ending with"))
    persons = models.PositiveSmallIntegerField(_("persons"))
    wages_fen = models.BigIntegerField(_("wages (fen)"), default=0)
    production_fen = models.BigIntegerField(_("production and business (fen)"), default=0)
    property_fen = models.BigIntegerField(_("property income (fen)"), default=0)
    transfer_fen = models.BigIntegerField(_("transfers (fen)"), default=0)
    medical_cost_fen = models.BigIntegerField(_("out-of-pocket medical costs (fen)"), default=0)
    education_cost_fen = models.BigIntegerField(_("education costs (fen)"), default=0)
    other_cost_fen = models.BigIntegerField(_("other rigid costs (fen)"), default=0)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("income record")
        verbose_name_plural = _("income records")
        constraints = [models.UniqueConstraint(fields=["household", "month"], name="households_income_once_a_month")]

    def __str__(self):
        return f"{self.household_id} {self.month:%Y-%m}"

    @property
    def income_fen(self):
        return self.wages_fen + self.production_fen + self.property_fen + self.transfer_fen

    @property
    def costs_fen(self):
        return self.medical_cost_fen + self.education_cost_fen + self.other_cost_fen

    @property
    def per_capita_fen(self):
        """Income per person over the 12 months (the figure compared with the line)."""
        return self.income_fen // max(self.persons, 1)

    def audit_region_code(self):
        return self.household.village_code[:6]


class MonitoringLine(Audited):
    """The monitoring income line (防返贫监测范围) of a province, or a county that sets its own,
    for a year, with the screening's thresholds. Configuration, edited by the province office
    and the national coordinator; no figure is fixed in code."""

    scope_paths = ("region__code",)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    region = models.ForeignKey(Region, verbose_name=_("province or county"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    line_fen = models.BigIntegerField(_("monitoring line per person and year (fen)"))
    near_percent = models.PositiveSmallIntegerField(_("near the line: up to this percent of the line"), default=150)
    fall_percent = models.PositiveSmallIntegerField(_("sharp fall: income this percent below a year before"), default=30)
    rigid_percent = models.PositiveSmallIntegerField(_("rigid spending above this percent of income"), default=50)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-year", "region__code"]
        verbose_name = _("monitoring line")
        verbose_name_plural = _("monitoring lines")
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="households_line_once_a_year")]

    def __str__(self):
        return f"{self.region} {self.year}: {self.line_fen // 100}"

    def audit_region_code(self):
        return self.region.code


class ScreeningRun(models.Model):
    """One monthly risk screening over every household of the registry (or a subtree)."""

    month = models.DateField(_("month"))
    prefix = models.CharField(_("region"), max_length=6, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    seconds = models.FloatField(_("seconds"), default=0)
    households = models.PositiveIntegerField(_("households screened"), default=0)
    flagged = models.PositiveIntegerField(_("households flagged"), default=0)
    flags = models.PositiveIntegerField(_("flags"), default=0)

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("risk screening")
        verbose_name_plural = _("risk screenings")


class RiskFlag(models.Model):
    """A rule that a household met in a screening, with the figures that raised it: the
    income and its line (fen per person and year), the earlier income, the costs."""

    scope_paths = ("county_code",)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    # no database constraint: a screening writes a flag for up to half the households at once, and
    # checking both keys of every row at commit cost as much as writing them; the screening takes
    # its ids from the tables it reads, and a deletion cascades through the ORM as before
    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="flags",
                                  db_constraint=False, db_index=False)  # (household, month) serves it
    county_code = models.CharField(_("county"), max_length=6)
    month = models.DateField(_("month"))
    rule = models.CharField(_("rule"), max_length=14, choices=Rule.choices)
    per_capita_fen = models.BigIntegerField(_("income per person (fen)"), null=True)
    line_fen = models.BigIntegerField(_("line (fen)"), null=True)
    previous_fen = models.BigIntegerField(_("income per person a year before (fen)"), null=True)
    income_fen = models.BigIntegerField(_("household income (fen)"), null=True)
    costs_fen = models.BigIntegerField(_("rigid costs (fen)"), null=True)
    threshold = models.IntegerField(_("threshold (percent)"), null=True)

    class Meta:
        ordering = ["household_id", "rule"]
        verbose_name = _("risk flag")
        verbose_name_plural = _("risk flags")
        indexes = [models.Index(fields=["month", "county_code"], name="households_flag_month"),
                   models.Index(fields=["household", "month"], name="households_flag_household")]

    def __str__(self):
        return f"{self.get_rule_display()} {self.month:%Y-%m}"

    def explain(self) -> str:
        from .rules import explain

        return explain(self)


class Case(Audited):
    """One identification (识别纳入) or exit (风险消除) of a household: from the clue, through
    the home visit, village review, public notice and township review, to the county's
    decision, each step with its deadline."""

    scope_paths = ("household__county__code",)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="cases")
    kind = models.CharField(_("kind"), max_length=10, choices=CaseKind.choices, default=CaseKind.IDENTIFY)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    source = models.CharField(_("source"), max_length=200, blank=True)  # the department list, the cadre's note
    clue_on = models.DateField(_("clue received on"))
    consent_on = models.DateField(_("consent recorded on"), null=True, blank=True)
    consent_by = models.CharField(_("consent given by"), max_length=50, blank=True)
    proposed_category = models.CharField(_("proposed category"), max_length=10, choices=Category.choices, blank=True)
    step = models.CharField(_("step"), max_length=10, choices=Step.choices, default=Step.CLUE)
    step_due = models.DateField(_("step due"), null=True, blank=True)
    decision_due = models.DateField(_("decision due"), null=True, blank=True)
    notice_from = models.DateField(_("notice from"), null=True, blank=True)
    notice_to = models.DateField(_("notice until"), null=True, blank=True)
    escalation = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-clue_on", "-id"]
        verbose_name = _("monitoring case")
        verbose_name_plural = _("monitoring cases")
        indexes = [models.Index(fields=["step", "step_due"], name="households_case_due"),
                   # the figures: cases decided in a month, open steps past their deadline
                   models.Index(fields=["decided_on"], name="households_case_decided", condition=models.Q(decided_on__isnull=False)),
                   models.Index(fields=["step_due"], name="households_case_open_due", condition=models.Q(step_due__isnull=False))]

    def __str__(self):
        return _("%(kind)s of household %(number)s") % {"kind": self.get_kind_display(),
                                                        "number": self.household.number or f"#{self.household_id}"}

    @property
    def counts(self) -> bool:
        """An application counts as a clue only once the household's consent is recorded."""
        return self.channel != Channel.APPLICATION or self.consent_on is not None

    @property
    def is_open(self) -> bool:
        return self.step != Step.CLOSED

    def audit_region_code(self):
        return self.household.village_code[:6]

    def get_absolute_url(self):
        return self.household.get_absolute_url() + f"#case-{self.pk}"


class CaseStep(Audited):
    """A step done: by whom, in which post (岗位), when, with what finding."""

    scope_paths = ("case__household__county__code",)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    done_on = models.DateField(_("done on"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    late = models.BooleanField(_("late"), default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    post = models.CharField(_("post"), max_length=100)
    finding = models.TextField(_("finding"), blank=True)
    passed = models.BooleanField(_("passed"), default=True)

    class Meta:
        ordering = ["case_id", "done_on", "id"]
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")

    def __str__(self):
        return f"{self.get_step_display()} {self.done_on}"

    def audit_region_code(self):
        return self.case.household.village_code[:6]


class HelpMeasure(Audited):
    """A help measure (帮扶措施) for a monitored household."""

    scope_paths = ("household__county__code",)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="help")
    member = models.ForeignKey(Member, verbose_name=_("member"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=HelpKind.choices)
    project = models.ForeignKey("projects.Project", verbose_name=_("project"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=300)
    amount_fen = models.BigIntegerField(_("amount (fen)"), default=0)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    post = models.CharField(_("post"), max_length=100)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("help measure")
        verbose_name_plural = _("help measures")
        indexes = [models.Index(fields=["household", "kind"], name="households_help_kind"),
                   # help starting after a day: the few households the summary's `until` cannot tell (figures)
                   models.Index(fields=["started_on"], name="households_help_started")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_on}"

    def audit_region_code(self):
        return self.household.village_code[:6]


class HouseholdEvent(models.Model):
    """The household's history as an official reads it: what happened, when, by whom — in
    words without personal values (the audit log keeps the field-level record)."""

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="events")
    time = models.DateTimeField(_("time"), default=timezone.now)
    day = models.DateField(_("day"))
    text = models.CharField(_("what happened"), max_length=300)
    username = models.CharField(_("by"), max_length=150, blank=True)
    post = models.CharField(_("post"), max_length=100, blank=True)

    class Meta:
        ordering = ["-day", "-time", "-id"]
        verbose_name = _("household event")
        verbose_name_plural = _("household history")


class RetentionRule(Audited):
    """How long a record type is kept after the household's risk was eliminated (or after the
    record's own date for income and flags), and what happens then. Set nationally."""

    record_type = models.CharField(_("record type"), max_length=10, choices=RecordType.choices, unique=True)
    keep_years = models.PositiveSmallIntegerField(_("kept for (years)"))
    action = models.CharField(_("then"), max_length=8, choices=RetentionAction.choices)
    basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["record_type"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self):
        return f"{self.get_record_type_display()}: {self.keep_years}"


class HouseholdFigure(models.Model):
    """The registry's figures per village, kept by the writers (`totals.py`): households by
    status, category and whether they had help (kind ""), or households that had help of a
    kind, by the last day it runs (`until`, ISO text; "9999-12-31" while one runs open)."""

    village_code = models.CharField(max_length=12)
    county_id = models.BigIntegerField()
    status = models.CharField(max_length=12, blank=True)
    category = models.CharField(max_length=10, blank=True)
    helped = models.SmallIntegerField(default=0)
    kind = models.CharField(max_length=12, blank=True)
    until = models.CharField(max_length=10)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["village_code", "county_id", "status", "category", "helped", "kind", "until"],
                                               name="households_figure_key")]
        indexes = [models.Index(fields=["county_id", "village_code"], name="households_figure_county"),
                   # "without help in force on a day": the rows of help of any kind with `until` before it
                   models.Index(fields=["kind", "status", "until"], name="households_figure_until")]
