"""Excel imports of projects (协作项目), their milestones (里程碑) and weekly progress reports (周报).

Every write goes through xiezuo.projects.actions (create_project, transition, add_partner,
set_milestones, complete_milestone) or, for weekly reports, `submit_reports` (the rules
of one report, for the whole file at once), so an import checks
exactly what a page or the API checks: the county must be a western county on the western
side of the pairing, only either side of the project's pairing may touch it, readers never.

Round trip. Each importer also gives `export_headers()` and `export_row(obj)`: a list of the
kind exported with exactly these headers and values re-imports as “unchanged”. The Excel
exports on the list pages may use them so that an export is a ready-filled template.

Projects. A row names its project by 项目编号; without a code, by its name in its county
among the projects the user can see; otherwise a new project is created (with the code in
the file, or a generated one). A recorded project is changed only where the row differs:
its record and budget through `update_project`, its status through `transition` (allowed
transitions only), a lead organisation through `add_partner`. A blank cell keeps the
recorded value. The county is never changed (update_project keeps it: moving a project
moves who answers for it), so a row naming another county is refused with the reason.

Milestones. A row is one milestone of one project (项目编号 + 序号). The rows of a project
overlay its recorded plan by order number; if the resulting plan differs from the recorded
one it replaces the plan through `set_milestones` (which refuses once a milestone has been
reached), then the actual dates are recorded in order through `complete_milestone`.

Progress reports. A row is a project's report for a week (any day of the week names it);
a second report for the same week amends the first, as `submit_report` does.
"""
import datetime
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from xiezuo.core.errors import BatchRefused, ValidationError, field_error, messages_of
from xiezuo.core.importing import (
    CREATED, UNCHANGED, UPDATED, Column, Importer, _decimal, _number_text, choice, parse_code, parse_count, parse_date, parse_fen,
    text,
)
from xiezuo.core.money import fen_to_yuan_decimal
from xiezuo.core.scoping import visible
from xiezuo.regions.choices import Level

from .actions import (
    add_partner, complete_milestone, create_project, set_milestones, submit_reports, transition, update_project, week_start,
)
from .choices import Category, Enclave, FundSource, PartnerRole, Status
from .models import Milestone, ProgressReport, Project
from .reports import ReportIn

# The words used in the file (Chinese in every interface language: the file is the format).
CATEGORY_NAMES = {
    "产业协作": Category.INDUSTRY.value,
    "劳务协作": Category.LABOUR.value,
    "消费帮扶": Category.CONSUMPTION.value,
    "人才交流": Category.TALENT.value,
    "社会帮扶": Category.SOCIAL.value,
    "生态协作": Category.ECOLOGICAL.value,
    "创新协作": Category.INNOVATION.value,
    "园区共建": Category.PARK.value,
}
ENCLAVE_NAMES = {"非飞地": Enclave.NONE.value, "正向飞地": Enclave.FORWARD.value, "反向飞地": Enclave.REVERSE.value}
STATUS_NAMES = {
    "计划": Status.PLANNED.value,
    "实施中": Status.IN_PROGRESS.value,
    "暂停": Status.SUSPENDED.value,
    "已完工": Status.COMPLETED.value,
    "已取消": Status.CANCELLED.value,
}
BUDGET_COLUMNS = (
    ("东部财政援助资金（元）", FundSource.EAST_FISCAL.value),
    ("社会帮扶资金（元）", FundSource.SOCIAL.value),
    ("企业投资（元）", FundSource.ENTERPRISE.value),
    ("地方配套资金（元）", FundSource.LOCAL_MATCH.value),
)
MONEY_HELP = _l("Yuan (元), at most two decimal places — 1234.56 is 1234 yuan 5 jiao 6 fen; kept exactly as whole fen. "
                "Negative amounts, fractions of a fen and text that is not a number are refused.")
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def _name_of(names: dict, value) -> str:
    """The file's word for a stored choice value (the inverse of the dictionaries above)."""
    for name, v in names.items():
        if v == value:
            return name
    return value


def _date_cell(d):
    return d.isoformat() if d else ""


def _yuan_cell(fen):
    return fen_to_yuan_decimal(fen) if fen is not None else ""


# --- parsers and look-ups shared by the imports of this app, the ledger and the people ---


def parse_project_code(value) -> str:
    s = _number_text(value)
    if not CODE_RE.match(s):
        raise ValueError(_("“%(code)s” is not a project code: up to 32 letters, digits, “-” and “_”") % {"code": s})
    return s


def parse_id(value) -> int:
    """A record number as shown on the platform (e.g. a pairing's 编号)."""
    n = parse_count(value)
    if n < 1:
        raise ValueError(_("“%(value)s” is not a record number") % {"value": _number_text(value)})
    return n


def parse_whole_percent(value) -> int:
    """A whole percentage 0–100: “45”, “45%”, or a cell formatted as a percentage."""
    if isinstance(value, str):
        value = value.strip().rstrip("%％").strip()
    d = _decimal(value)
    if d != d.to_integral_value():
        raise ValueError(_("give a whole percentage, without decimals"))
    if d < 0 or d > 100:
        raise ValueError(_("a percentage between 0 and 100"))
    return int(d)


def parse_week(value) -> datetime.date:
    """Any date in the week (an Excel date or YYYY-MM-DD), or the ISO week written 2026-W05."""
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Ww]\s*(\d{1,2})\s*", value)
        if m:
            try:
                return datetime.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
            except ValueError:
                raise ValueError(_("“%(value)s” is not a week of that year") % {"value": value.strip()}) from None
    return week_start(parse_date(value))


def not_in_future(day, field, what):
    """Facts (a date reached, an arrival, the end of a posting) cannot lie ahead of today."""
    if day is not None and day > timezone.localdate():
        raise field_error(field, _("%(what)s %(day)s is in the future") % {"what": what, "day": day.isoformat()})


_OUTSIDE = object()  # cached for a project that exists but lies outside the user's area


def find_project(ctx, code, field="project") -> Project:
    """A project by code. A project the user may not see is answered like one that does not
    exist: a refusal never tells what lies outside the user's area."""
    key = ("project", code)
    if key not in ctx.cache:
        preload_projects(ctx, [code])
    project = ctx.cache[key]
    if project is None or project is _OUTSIDE:
        raise field_error(field, _("no project has the code “%(code)s”") % {"code": code})
    return project


def preload_projects(ctx, codes) -> None:
    """The projects of these codes, and which of them the user may see, in two queries."""
    from xiezuo.core.arrays import filter_any

    codes = sorted({c for c in codes if ("project", c) not in ctx.cache})
    if not codes:
        return
    found = {p.code: p for p in filter_any(
        Project.objects.select_related("county", "pairing__east_region", "pairing__west_region"), "code", codes)}
    seen = set(visible(ctx.user, filter_any(Project.objects.all(), "code", codes)).values_list("code", flat=True))
    for code in codes:
        project = found.get(code)
        ctx.cache[("project", code)] = project if project is None or code in seen else _OUTSIDE


def preload_project_column(ctx, rows, field="project") -> None:
    """`preload` for an importer whose rows name a project by code in `field`."""
    codes = []
    for _number, raw in rows:
        if raw.get(field) is None:
            continue
        try:
            codes.append(parse_project_code(raw[field]))
        except (TypeError, ValueError):
            continue  # parse_rows reports it
    preload_projects(ctx, codes)


def find_region(ctx, code, field, level=None):
    from xiezuo.regions.actions import get_region

    return ctx.cached(("region", code, level), lambda: get_region(code, field=field, level=level))


def find_pairing(ctx, pk, field="pairing"):
    from xiezuo.pairings.models import Pairing

    key = ("pairing", pk)
    if key not in ctx.cache:
        # a pairing the user may not see is answered like one that does not exist
        pairing = visible(ctx.user, Pairing.objects.select_related("east_region", "west_region")).filter(pk=pk).first()
        if pairing is None:
            raise field_error(field, _("no pairing has the number %(id)s") % {"id": pk})
        ctx.cache[key] = pairing
    return ctx.cache[key]


def find_organisation(ctx, value, field):
    from xiezuo.pairings.importers import find_org

    key = ("org", value)
    if key not in ctx.cache:
        ctx.cache[key] = find_org(ctx, value, field)
    return ctx.cache[key]


def org_cell(org) -> str:
    """How an organisation is written in a file: its credit code, else its name."""
    if org is None:
        return ""
    return org.credit_code or org.name


def collect(errors: dict, fn, *args, **kwargs):
    """Run a look-up, moving its ValidationError into `errors`; None on failure."""
    try:
        return fn(*args, **kwargs)
    except ValidationError as exc:
        for name, msgs in messages_of(exc).items():
            errors.setdefault(name, []).extend(msgs)
        return None


# --- projects ---------------------------------------------------------------------------


class ProjectImporter(Importer):
    slug = "projects"
    title = _l("Projects")
    description = _l("Cooperation projects: category, county, pairing, planned dates, status, budget by source, lead organisation.")
    permission_field = "county"
    field_headers = {"budget": "budget_east_fiscal", "__all__": ""}
    columns = [
        Column("项目编号", "code", parse_project_code, example="P2026513436-001", width=20,
               help=_l("Up to 32 letters, digits, “-” and “_”. A recorded code updates that project; a new code creates a project "
                       "with it; blank: the project with the same name in the same county, or a new project with a generated code.")),
        Column("项目名称", "name", text(200), required=True, example="美姑县高山马铃薯种薯基地", width=30),
        Column("项目类别", "category", choice(CATEGORY_NAMES, Category), required=True, choices=tuple(CATEGORY_NAMES), example="产业协作"),
        Column("飞地类型", "enclave", choice(ENCLAVE_NAMES, Enclave), choices=tuple(ENCLAVE_NAMES),
               help=_l("Co-built parks only: 正向飞地 (the east builds a park in the west) or 反向飞地 (the west runs a base in the east). "
                       "Blank or 非飞地 otherwise.")),
        Column("县级代码", "county", parse_code, required=True, example="513436",
               help=_l("Six-digit GB/T 2260 code of the western county where the project runs.")),
        Column("县名称", "county_name", text(64), example="美姑县",
               help=_l("Optional check: if filled, it must be the name of the county with that code.")),
        Column("结对编号", "pairing", parse_id, kind="number", example=12,
               help=_l("The number of the pairing the project belongs to, as shown in the pairing list; the county must be on its "
                       "western side. Optional.")),
        Column("计划开始日期", "planned_start", parse_date, required=True, kind="date", example="2026-03-01"),
        Column("计划完成日期", "planned_end", parse_date, required=True, kind="date", example="2027-06-30"),
        Column("状态", "status", choice(STATUS_NAMES, Status), choices=tuple(STATUS_NAMES), example="实施中",
               help=_l("Blank: a new project is 计划. Only the allowed changes: 计划 → 实施中, 暂停 or 已取消; 实施中 → 已完工, 暂停 or 已取消; "
                       "暂停 → 实施中 or 已取消.")),
        *[Column(header, f"budget_{source}", parse_fen, kind="number", example="1000000.00" if i == 0 else "", width=20, help=MONEY_HELP)
          for i, (header, source) in enumerate(BUDGET_COLUMNS)],
        Column("牵头单位", "lead", text(200), width=30, example="91330212MA2H3K4L5H",
               help=_l("Optional: the lead organisation's unified social credit code, or its full name as recorded on the platform.")),
        Column("项目简介", "description", text(2000), width=40),
    ]
    instructions = [
        _l("A row whose 项目编号 is recorded updates that project; a row without a code updates the project with the same name in the "
           "same county, if you can see one; other rows create new projects. A blank cell leaves the recorded value as it is."),
        _l("A recorded project takes the row's name, category, enclave, pairing, planned dates, budget, description and lead "
           "organisation; its status changes only as allowed. Its county cannot be changed: a row naming another county is refused."),
        _l("You may import projects only in your own area: the county's side or the eastern side of the project's pairing."),
        MONEY_HELP,
    ]

    def prepare(self, ctx, values):
        errors = {}
        county = collect(errors, find_region, ctx, values["county"], "county", level=Level.COUNTY)
        if county is not None and values.get("county_name") and values["county_name"] not in (county.name, county.full_name):
            errors["county_name"] = [_("%(code)s is %(name)s, not “%(given)s”") % {
                "code": county.code, "name": county.name, "given": values["county_name"]}]
        pairing = collect(errors, find_pairing, ctx, values["pairing"]) if values.get("pairing") else None
        lead = collect(errors, find_organisation, ctx, values["lead"], "lead") if values.get("lead") else None
        if errors:
            raise ValidationError(errors)
        budget = {source: values[f"budget_{source}"] for _h, source in BUDGET_COLUMNS if f"budget_{source}" in values}
        existing = None
        code = values.get("code")
        if code:
            existing = Project.objects.select_related("county", "pairing").filter(code=code).first()
            if existing is not None and not visible(ctx.user, Project.objects.filter(pk=existing.pk)).exists():
                raise field_error("code", _("the project code %(code)s is already in use") % {"code": code})
        else:
            matches = list(visible(ctx.user, Project.objects.select_related("county", "pairing")).filter(
                county=county, name=values["name"])[:2])
            if len(matches) > 1:
                raise field_error("code", _("several projects in %(county)s are named “%(name)s”; give the project code") % {
                    "county": county, "name": values["name"]})
            existing = matches[0] if matches else None
        fields = {"name": values["name"], "category": values["category"], "enclave": values.get("enclave", ""),
                  "county": county, "planned_start": values["planned_start"], "planned_end": values["planned_end"]}
        if "enclave" not in values:
            fields.pop("enclave")
        if pairing is not None:
            fields["pairing"] = pairing
        if "description" in values:
            fields["description"] = values["description"]
        prepared = {"existing": existing, "code": code, "fields": fields, "budget": budget, "status": values.get("status"),
                    "lead": lead}
        if existing is not None and existing.county_id != county.pk:
            raise field_error("county", _("project %(code)s runs in %(county)s (%(ccode)s); a project's county cannot be changed") % {
                "code": existing.code, "county": existing.county.name, "ccode": existing.county.code})
        return prepared

    @staticmethod
    def _changes(project, prepared) -> dict | None:
        """The update_project arguments if the row changes the record or budget, else None.
        Blank cells (absent fields) keep the recorded value, as update_project needs them all."""
        fields = prepared["fields"]
        record = {name: fields.get(name, getattr(project, name))
                  for name in ("name", "category", "enclave", "pairing", "planned_start", "planned_end", "description")}
        lines = {b.source: b.amount_fen for b in project.budget.all()}
        budget = {source: fen for source, fen in prepared["budget"].items() if lines.get(source, 0) != fen}
        if all(getattr(project, k) == v for k, v in record.items()) and not budget:
            return None
        return dict(record, budget=budget)

    def keys(self, prepared):
        if prepared["code"]:
            return [("code", prepared["code"], _("project code"))]
        f = prepared["fields"]  # without a code, the name in the county is what names the project
        return [("name", (f["county"].code, f["name"]), _("name in the same county"))]

    def apply(self, ctx, prepared):
        existing, status, lead = prepared["existing"], prepared["status"], prepared["lead"]
        if existing is None:
            project = create_project(ctx.user, code=prepared["code"] or None, budget=prepared["budget"],
                                     partners=[(lead, PartnerRole.LEAD.value)] if lead else None, **prepared["fields"])
            if status and status != Status.PLANNED:
                transition(ctx.user, project, status)
            return CREATED
        changed = False
        changes = self._changes(existing, prepared)
        if changes is not None:
            update_project(ctx.user, existing, **changes)
            changed = True
        if status and status != existing.status:
            transition(ctx.user, existing, status)
            changed = True
        if lead is not None and not existing.partners.filter(organisation=lead, role=PartnerRole.LEAD).exists():
            add_partner(ctx.user, existing, lead, PartnerRole.LEAD.value)
            changed = True
        return UPDATED if changed else UNCHANGED

    # round trip
    def export_headers(self):
        return [c.header for c in self.columns]

    def export_row(self, project: Project) -> list:
        budget = {b.source: b.amount_fen for b in project.budget.all()}
        lead = next((p.organisation for p in project.partners.all() if p.role == PartnerRole.LEAD), None)
        return [
            project.code, project.name, _name_of(CATEGORY_NAMES, project.category), _name_of(ENCLAVE_NAMES, project.enclave),
            project.county.code, project.county.name, project.pairing_id or "", _date_cell(project.planned_start),
            _date_cell(project.planned_end), _name_of(STATUS_NAMES, project.status),
            *[_yuan_cell(budget.get(source, 0)) for _h, source in BUDGET_COLUMNS],
            org_cell(lead), project.description,
        ]


# --- milestones -------------------------------------------------------------------------


class MilestoneImporter(Importer):
    slug = "milestones"
    title = _l("Project milestones")
    description = _l("The milestones of projects with their planned dates, and the dates they were reached.")
    permission_field = "project"
    field_headers = {"milestones": "seq", "__all__": "seq"}
    columns = [
        Column("项目编号", "project", parse_project_code, required=True, example="P2026513436-001", width=20),
        Column("序号", "seq", parse_id, required=True, kind="number", example=1,
               help=_l("The milestone's order in the project: 1, 2, 3 … without gaps.")),
        Column("里程碑名称", "name", text(200), required=True, example="完成土地流转", width=30),
        Column("计划日期", "planned_date", parse_date, required=True, kind="date", example="2026-04-30",
               help=_l("Planned dates never go back: each milestone is planned on or after the one before.")),
        Column("实际完成日期", "actual_date", parse_date, kind="date", example="2026-04-28",
               help=_l("When it was reached; blank while it is not. Milestones are reached in order, on dates that do not go back.")),
    ]
    instructions = [
        _l("One row per milestone. The rows of a project are laid over its recorded milestones by 序号: a changed name or planned "
           "date, or a new 序号 after the last one, re-plans the project (possible only while none of its milestones has been reached); "
           "other recorded milestones stay as they are."),
        _l("A filled 实际完成日期 records that the milestone was reached; a recorded date cannot be changed by import."),
    ]

    def preload(self, ctx, rows):
        preload_project_column(ctx, rows)

    def prepare(self, ctx, values):
        project = find_project(ctx, values["project"])
        not_in_future(values.get("actual_date"), "actual_date", _("the date reached"))
        prepared = {"project": project, "seq": values["seq"], "name": values["name"].strip(),
                    "planned_date": values["planned_date"], "actual_date": values.get("actual_date")}
        # The first row with a number wins; a repeat is refused by keys().
        ctx.cache.setdefault(("milestone-rows", project.pk), {}).setdefault(values["seq"], prepared)
        return prepared

    def keys(self, prepared):
        return [("seq", (prepared["project"].pk, prepared["seq"]), _("project and milestone number"))]

    def apply(self, ctx, prepared):
        project = prepared["project"]
        key = ("milestone-outcome", project.pk)
        if key not in ctx.cache:
            ctx.cache[key] = self._apply_project(ctx, project, ctx.cache[("milestone-rows", project.pk)])
        outcome = ctx.cache[key]
        errors = outcome["errors"].get(prepared["seq"])
        if errors:
            raise ValidationError(errors)
        if outcome["errors"]:  # another row of the project failed: this one is not counted
            return UNCHANGED
        return outcome["status"][prepared["seq"]]

    def _apply_project(self, ctx, project, rows):
        """Apply every row of one project at once (the plan is replaced as a whole); the
        errors and the created/updated/unchanged status are kept per milestone number."""
        first = min(rows)
        recorded = {m.seq: m for m in project.milestones.all()}
        plan = {seq: (m.name, m.planned_date) for seq, m in recorded.items()}
        for seq, row in rows.items():
            plan[seq] = (row["name"], row["planned_date"])
        outcome = {"errors": {}, "status": {}}
        n = len(plan)
        gaps = [seq for seq in rows if seq > n]
        if gaps:
            for seq in gaps:
                outcome["errors"][seq] = {"seq": [_("the milestones of %(code)s would be numbered with a gap: %(seq)d comes after %(last)d") % {
                    "code": project.code, "seq": seq, "last": max([s for s in plan if s < seq], default=0)}]}
            return outcome
        replanned = any(seq not in recorded or (recorded[seq].name, recorded[seq].planned_date) != plan[seq] for seq in plan)
        for seq in rows:
            if seq not in recorded:
                outcome["status"][seq] = CREATED
            elif (recorded[seq].name, recorded[seq].planned_date) != plan[seq]:
                outcome["status"][seq] = UPDATED
            else:
                outcome["status"][seq] = UNCHANGED
        if replanned:
            try:
                set_milestones(ctx.user, project, [plan[seq] for seq in range(1, n + 1)])
            except ValidationError as exc:
                for name, msgs in messages_of(exc).items():
                    m = re.match(r"milestones\[(\d+)\]\.(\w+)", name)
                    seq = int(m.group(1)) if m else first
                    field = m.group(2) if m else "seq"
                    target = seq if seq in rows else first
                    outcome["errors"].setdefault(target, {}).setdefault(field, []).extend(msgs)
                return outcome
            recorded = {m.seq: m for m in project.milestones.all()}
        for seq in sorted(rows):
            actual = rows[seq]["actual_date"]
            milestone = recorded[seq]
            if actual is None or milestone.actual_date == actual:
                continue
            if milestone.actual_date is not None:
                outcome["errors"][seq] = {"actual_date": [_("milestone %(seq)d was reached on %(day)s; that cannot be changed by import") % {
                    "seq": seq, "day": milestone.actual_date.isoformat()}]}
                continue
            try:
                complete_milestone(ctx.user, milestone, actual)
            except ValidationError as exc:
                outcome["errors"][seq] = messages_of(exc)
                continue
            outcome["status"][seq] = CREATED if outcome["status"][seq] == CREATED else UPDATED
        return outcome

    def export_headers(self):
        return [c.header for c in self.columns]

    def export_row(self, milestone: Milestone) -> list:
        return [milestone.project.code, milestone.seq, milestone.name, _date_cell(milestone.planned_date),
                _date_cell(milestone.actual_date)]


# --- weekly progress reports -------------------------------------------------------------


class ProgressReportImporter(Importer):
    slug = "progress-reports"
    title = _l("Weekly progress reports")
    description = _l("Each project's weekly report: percent done, what was done, problems.")
    permission_field = "project"
    columns = [
        Column("项目编号", "project", parse_project_code, required=True, example="P2026513436-001", width=20),
        Column("周次", "week", parse_week, required=True, kind="date", example="2026-03-02",
               help=_l("Any date in the week reported on (an Excel date or YYYY-MM-DD), or the ISO week written 2026-W10. "
                       "The report is filed under that week's Monday.")),
        Column("完成进度（%）", "percent", parse_whole_percent, required=True, kind="percent", example=35,
               help=_l("Percent of the project done, a whole number from 0 to 100.")),
        Column("本周完成情况", "done", text(2000), width=40, example="完成种薯基地土地平整 120 亩"),
        Column("存在问题", "problems", text(2000), width=40),
    ]
    instructions = [
        _l("One row per project and week. A week already reported is amended with the row; a blank text cell keeps the recorded text."),
        _l("Reports are refused for cancelled projects and for weeks that have not begun."),
    ]

    def preload(self, ctx, rows):
        preload_project_column(ctx, rows)

    def prepare(self, ctx, values):
        project = find_project(ctx, values["project"])
        monday = values["week"]
        if monday > timezone.localdate():
            raise field_error("week", _("the week of %(day)s has not begun") % {"day": monday.isoformat()})
        return {"project": project, "week": monday, "percent": values["percent"], "done": values.get("done"),
                "problems": values.get("problems")}

    def keys(self, prepared):
        return [("week", (prepared["project"].pk, prepared["week"]), _("project and week"))]

    bulk = True

    def apply_all(self, ctx, rows, result):
        """Every row at once through `submit_reports`, the same rules as one report from a
        page (may edit the project, not cancelled, percent, week) for the whole file in a few
        queries, written with COPY and audited per report: about 100 rows a second one action
        at a time, thousands at once (bench/imports.py)."""
        from xiezuo.core.arrays import filter_any

        existing = {}
        project_ids = sorted({prepared["project"].pk for _n, prepared in rows})
        weeks = sorted({prepared["week"] for _n, prepared in rows})
        for report in filter_any(filter_any(ProgressReport.objects.all(), "project_id", project_ids), "week", weeks).only(
                "project_id", "week", "percent", "done", "problems"):
            existing[(report.project_id, report.week)] = report
        reports, outcome = [], []  # the reports to record; (row number, CREATED | UPDATED) for each
        for number, prepared in rows:
            project, week = prepared["project"], prepared["week"]
            before = existing.get((project.pk, week))
            done, problems = self._texts(prepared, before)
            if before is not None and (before.percent, before.done, before.problems) == (prepared["percent"], done, problems):
                result.counts[UNCHANGED] += 1
                continue
            reports.append(ReportIn(project.code, week, prepared["percent"], done, problems))
            outcome.append((number, CREATED if before is None else UPDATED))
        if not reports:
            return
        try:
            submit_reports(ctx.user, reports)
        except BatchRefused as exc:
            for i, errors in sorted(exc.refused.items()):
                for name, messages in errors.items():
                    for message in messages:
                        result.add(outcome[i][0], self.header_for(name), message)
            return
        for _number, status in outcome:
            result.counts[status] += 1

    @staticmethod
    def _texts(prepared, before):
        """A blank text cell keeps the recorded text."""
        done = prepared["done"] if prepared["done"] is not None else (before.done if before else "")
        problems = prepared["problems"] if prepared["problems"] is not None else (before.problems if before else "")
        return done, problems

    def export_headers(self):
        return [c.header for c in self.columns]

    def export_row(self, report: ProgressReport) -> list:
        return [report.project.code, _date_cell(report.week), report.percent, report.done, report.problems]
