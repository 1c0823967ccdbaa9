"""Writes to projects: creation, status transitions, milestones, budget, weekly reports,
outputs and assets. Each checks permission with the scoping rule and validates fully
before writing, so a refused call changes nothing."""
import datetime

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.context import action
from xiezuo.core.periods import monday_of
from xiezuo.core.errors import BatchRefused, PermissionDenied, ValidationError, field_error
from xiezuo.core.dates import day_error
from xiezuo.core.money import MoneyError, check_fen
from xiezuo.core.scoping import can_edit_project
from xiezuo.regions.choices import Level

from .choices import TRANSITIONS, AssetClass, Category, Enclave, FundSource, LinkMechanism, OwnerTier, PartnerRole, Status
from .models import (Asset, BudgetLine, HouseholdLink, Milestone, ProgressReport, Project, ProjectOutput, ProjectPartner,
                     ReportAttachment)
from . import rules, totals
from .reports import ReportIn, check_reports, write_reports


week_start = monday_of


def _check_project_access(user, project: Project):
    east = project.pairing.east_region.code if project.pairing_id else None
    if not can_edit_project(user, project.county.code, east):
        raise PermissionDenied(_("you may not change project %(code)s") % {"code": project.code})


def _locked(project: Project) -> Project:
    return Project.objects.select_for_update(of=("self",), no_key=True).select_related("county", "pairing__east_region").get(pk=project.pk)


def _date(value, field, required=True):
    if value is None and not required:
        return None
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise field_error(field, _("a date is required"))
    if day_error(value):  # 2000-01-01 … 2099-12-31 (core.dates)
        raise field_error(field, day_error(value))
    return value


def _money(values: dict, field: str, errors: dict):
    try:
        check_fen(values.get(field, 0))
    except MoneyError as exc:
        errors[field] = [str(exc)]


def next_project_code(county_code: str, year: int) -> str:
    """The county's next code of the year. Two offices creating projects in one county at
    once would read the same last code: on PostgreSQL the choice is serialised per county and
    year by a transaction-level advisory lock (SQLite serialises writers anyway)."""
    prefix = f"P{year}{county_code}"
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ["project-code:" + prefix])
    last = Project.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    seq = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


@action
def create_project(user, *, name, category, county, planned_start, planned_end, pairing=None, enclave="",
                   description="", code=None, budget=None, milestones=None, partners=None, is_demo=False) -> Project:
    """budget: {source: fen}; milestones: [(name, planned_date)]; partners: [(org, role)]."""
    errors = {}
    if not (name or "").strip():
        errors["name"] = [_("a name is required")]
    if category not in Category.values:
        errors["category"] = [_("“%(v)s” is not a project category") % {"v": category}]
    if enclave not in Enclave.values:
        errors["enclave"] = [_("“%(v)s” is not an enclave type") % {"v": enclave}]
    elif enclave and category != Category.PARK:
        errors["enclave"] = [_("only co-built park projects are enclaves")]
    if county is None or county.level != Level.COUNTY or county.role != "west":
        errors["county"] = [_("a project runs in a western county")]
    try:
        _date(planned_start, "planned_start")
        _date(planned_end, "planned_end")
        if planned_end < planned_start:
            errors["planned_end"] = [_("the planned end is before the planned start")]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if pairing is not None and county is not None and pairing.west_region_id and not county.code.startswith(pairing.west_region.prefix):
        errors["pairing"] = [_("%(county)s is not on the western side of %(pairing)s") % {"county": county, "pairing": pairing}]
    errors.update(rules.pairing_errors(pairing))
    budget = budget or {}
    for source, fen in budget.items():
        if source not in FundSource.values:
            errors["budget"] = [_("“%(v)s” is not a fund source") % {"v": source}]
        else:
            _money(budget, source, errors)
    if errors:
        raise ValidationError(errors)
    east = pairing.east_region.code if pairing else None
    if not can_edit_project(user, county.code, east):
        raise PermissionDenied(_("you may not create projects in %(county)s") % {"county": county})
    code = code or next_project_code(county.code, planned_start.year)
    if Project.objects.filter(code=code).exists():
        raise field_error("code", _("the project code %(code)s is taken") % {"code": code})
    project = Project.objects.create(
        code=code, name=name.strip(), category=category, enclave=enclave, county=county, pairing=pairing,
        planned_start=planned_start, planned_end=planned_end, description=description, is_demo=is_demo,
    )
    totals.moved(project, None)  # the dashboard's project counts, in this transaction
    for source, fen in budget.items():
        BudgetLine.objects.create(project=project, source=source, amount_fen=fen)
    for org, role in partners or []:
        add_partner(user, project, org, role)
    if milestones:
        set_milestones(user, project, milestones)
    return project


@action
def add_partner(user, project, organisation, role) -> ProjectPartner:
    _check_project_access(user, project)
    if role not in PartnerRole.values:
        raise field_error("role", _("“%(v)s” is not a partner role") % {"v": role})
    partner, _created = ProjectPartner.objects.get_or_create(project=project, organisation=organisation, role=role)
    return partner


@action
def transition(user, project: Project, to: str, *, on: datetime.date | None = None) -> Project:
    project = _locked(project)
    _check_project_access(user, project)
    if to not in Status.values:
        raise field_error("status", _("“%(v)s” is not a status") % {"v": to})
    if to not in TRANSITIONS[Status(project.status)]:
        raise field_error("status", _("a project that is %(from)s cannot become %(to)s") % {
            "from": Status(project.status).label, "to": Status(to).label})
    on = _date(on or timezone.localdate(), "on")
    milestones = list(project.milestones.all())
    errors = rules.start_errors(project, on, milestones) if to == Status.IN_PROGRESS else {}
    if to == Status.COMPLETED:
        errors = rules.completion_errors(project, on, milestones)
    if errors:
        raise ValidationError(errors)
    if to == Status.IN_PROGRESS and project.actual_start is None:
        project.actual_start = on
    if to == Status.COMPLETED:
        project.actual_end = on
        project.percent_done = 100
    before = project.status
    state = totals.state_of(project)
    project.status = to
    project.save()
    totals.moved(project, state)  # the dashboard's project counts, in this transaction
    _publish_status(project, before)
    return project


def _publish_status(project: Project, before: str):
    """Tell open dashboards (after commit) that a project changed status, with its regions so
    each dashboard keeps it only for users who may see the project."""
    from xiezuo.core.events import publish

    east = project.pairing.east_region.code if project.pairing_id else ""
    publish("project", {"project": project.code, "name": project.name, "old": before, "status": project.status,
                        "county": project.county.code, "east": east})


@action
def set_milestones(user, project: Project, milestones) -> list[Milestone]:
    """Replace the plan: milestones [(name, planned_date)] must be in date order."""
    project = _locked(project)
    _check_project_access(user, project)
    errors = {}
    previous = None
    for i, (name, planned) in enumerate(milestones, start=1):
        if not (name or "").strip():
            errors[f"milestones[{i}].name"] = [_("a name is required")]
        if not isinstance(planned, datetime.date):
            errors[f"milestones[{i}].planned_date"] = [_("a date is required")]
            continue
        if day_error(planned):
            errors[f"milestones[{i}].planned_date"] = [day_error(planned)]
            continue
        if previous and planned < previous:
            errors[f"milestones[{i}].planned_date"] = [_("milestone %(n)d is planned before milestone %(m)d") % {"n": i, "m": i - 1}]
        previous = planned
    if errors:
        raise ValidationError(errors)
    if project.milestones.filter(actual_date__isnull=False).exists():
        raise field_error("milestones", _("milestones already reached cannot be re-planned; add new ones instead"))
    errors = rules.plan_errors(project.planned_end, milestones)
    if errors:
        raise ValidationError(errors)
    project.milestones.all().delete()
    return [Milestone.objects.create(project=project, seq=i, name=name.strip(), planned_date=planned)
            for i, (name, planned) in enumerate(milestones, start=1)]


@action
def complete_milestone(user, milestone: Milestone, on: datetime.date) -> Milestone:
    project = _locked(milestone.project)
    _check_project_access(user, project)
    _date(on, "actual_date")
    if project.status in (Status.CANCELLED, Status.COMPLETED):
        raise field_error("actual_date", _("the project is %(status)s") % {"status": project.get_status_display()})
    earlier = project.milestones.filter(seq__lt=milestone.seq, actual_date__isnull=True).order_by("seq").first()
    if earlier:
        raise field_error("actual_date", _("milestone %(n)d (%(name)s) is not reached yet") % {"n": earlier.seq, "name": earlier.name})
    before = project.milestones.filter(seq__lt=milestone.seq, actual_date__gt=on).first()
    if before:
        raise field_error("actual_date", _("milestone %(n)d was reached later, on %(d)s") % {"n": before.seq, "d": before.actual_date})
    errors = rules.milestone_errors(project, on)
    if errors:
        raise ValidationError(errors)
    milestone.actual_date = on
    milestone.save()
    return milestone


@action
def submit_reports(user, reports: list[ReportIn]) -> list[int]:
    """Record weekly reports, all or none (a second report for the same week amends it);
    the report id of each. Refused: BatchRefused listing each refused report's position."""
    checked = check_reports(user, reports)
    if checked:
        raise BatchRefused(checked.errors)
    return write_reports(user, reports)


@action
def submit_report(user, project: Project, *, week: datetime.date, percent: int, done="", problems="", client_id=None) -> ProgressReport:
    """Record the weekly report, as a batch of one."""
    report = ReportIn(project.code, week, percent, done, problems, client_id)
    checked = check_reports(user, [report])
    if checked.denied:
        raise PermissionDenied(_("you may not change project %(code)s") % {"code": project.code})
    if checked:
        raise ValidationError(checked.errors[0])
    [pk] = write_reports(user, [report])
    return ProgressReport.objects.select_related("project").get(pk=pk)


@action
def record_output(user, project: Project, *, as_of, jobs_created=0, local_procurement_fen=0, total_procurement_fen=0,
                  tech_income_fen=0, tech_investment_fen=0, households=None) -> ProjectOutput:
    """households: {mechanism: count}."""
    project = _locked(project)
    _check_project_access(user, project)
    values = dict(local_procurement_fen=local_procurement_fen, total_procurement_fen=total_procurement_fen,
                  tech_income_fen=tech_income_fen, tech_investment_fen=tech_investment_fen)
    errors = {}
    for field in values:
        _money(values, field, errors)
    if not errors and local_procurement_fen > total_procurement_fen:
        errors["local_procurement_fen"] = [_("local procurement cannot exceed total procurement")]
    if isinstance(jobs_created, bool) or not isinstance(jobs_created, int) or jobs_created < 0:
        errors["jobs_created"] = [_("must be a whole number, zero or more")]
    for mech, n in (households or {}).items():
        if mech not in LinkMechanism.values:
            errors["households"] = [_("“%(v)s” is not a link mechanism") % {"v": mech}]
        elif isinstance(n, bool) or not isinstance(n, int) or n < 0:
            errors["households"] = [_("household counts are whole numbers, zero or more")]
    _date(as_of, "as_of")
    if errors:
        raise ValidationError(errors)
    output, _created = ProjectOutput.objects.update_or_create(project=project, as_of=as_of, defaults=dict(jobs_created=jobs_created, **values))
    for mech, n in (households or {}).items():
        HouseholdLink.objects.update_or_create(output=output, mechanism=mech, defaults={"households": n, "project": project})
    return output


@action
def register_asset(user, project: Project, *, name, asset_class, value_fen, owner_tier, registered_on) -> Asset:
    _check_project_access(user, project)
    errors = {}
    if not (name or "").strip():
        errors["name"] = [_("a name is required")]
    if asset_class not in AssetClass.values:
        errors["asset_class"] = [_("“%(v)s” is not an asset class") % {"v": asset_class}]
    if owner_tier not in OwnerTier.values:
        errors["owner_tier"] = [_("“%(v)s” is not an owner tier") % {"v": owner_tier}]
    _money({"value_fen": value_fen}, "value_fen", errors)
    if errors:
        raise ValidationError(errors)
    return Asset.objects.create(project=project, name=name.strip(), asset_class=asset_class, value_fen=value_fen,
                                owner_tier=owner_tier, registered_on=_date(registered_on, "registered_on"))


@action
def update_project(user, project: Project, *, name, category, planned_start, planned_end, pairing=None, enclave="",
                   description="", budget=None) -> Project:
    """Change a project's record (the county stays: moving a project moves who answers for it).
    budget: {source: fen}; a source left out keeps its line, a source set to 0 keeps a 0 line."""
    project = _locked(project)
    _check_project_access(user, project)
    errors = {}
    if not (name or "").strip():
        errors["name"] = [_("a name is required")]
    if category not in Category.values:
        errors["category"] = [_("“%(v)s” is not a project category") % {"v": category}]
    if enclave not in Enclave.values:
        errors["enclave"] = [_("“%(v)s” is not an enclave type") % {"v": enclave}]
    elif enclave and category != Category.PARK:
        errors["enclave"] = [_("only co-built park projects are enclaves")]
    try:
        _date(planned_start, "planned_start")
        _date(planned_end, "planned_end")
        if planned_end < planned_start:
            errors["planned_end"] = [_("the planned end is before the planned start")]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "planned_end" not in errors and isinstance(planned_end, datetime.date):
        errors.update(rules.planned_end_errors(planned_end, project.milestones.all()))
    if pairing is not None and pairing.west_region_id and not project.county.code.startswith(pairing.west_region.prefix):
        errors["pairing"] = [_("%(county)s is not on the western side of %(pairing)s") % {"county": project.county, "pairing": pairing}]
    if pairing is not None and pairing.pk != project.pairing_id:
        errors.update(rules.pairing_errors(pairing))
    budget = budget or {}
    for source in budget:
        if source not in FundSource.values:
            errors["budget"] = [_("“%(v)s” is not a fund source") % {"v": source}]
        else:
            _money(budget, source, errors)
    if errors:
        raise ValidationError(errors)
    if pairing is not None and pairing.pk != project.pairing_id:
        east = pairing.east_region.code
        if not can_edit_project(user, project.county.code, east):
            raise PermissionDenied(_("you may not move project %(code)s to %(pairing)s") % {"code": project.code, "pairing": pairing})
    before_pairing, before_category = project.pairing_id, project.category
    project.name, project.category, project.enclave = name.strip(), category, enclave
    project.planned_start, project.planned_end, project.pairing = planned_start, planned_end, pairing
    project.description = description or ""
    state = (project.county_id, before_pairing or 0, str(project.status), before_category)  # totals.state_of before
    project.save()
    totals.moved(project, state)  # the dashboard's project counts and money by pairing and category
    for source, fen in budget.items():
        BudgetLine.objects.update_or_create(project=project, source=source, defaults={"amount_fen": fen})
    return project


REPORT_ATTACHMENT_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".ofd", ".zip", ".txt")


@action
def attach_to_report(user, report: ProgressReport, upload, *, name="") -> ReportAttachment:
    """Keep a file (photos, minutes, acceptance sheets) with a weekly report. Files are
    served only through a view that applies the scoping rule."""
    import os

    from django.conf import settings

    project = _locked(report.project)
    _check_project_access(user, project)
    limit = getattr(settings, "XIEZUO_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
    filename = os.path.basename(getattr(upload, "name", "") or "")
    if not filename:
        raise field_error("attachment", _("a file is required"))
    if not filename.lower().endswith(REPORT_ATTACHMENT_EXTENSIONS):
        raise field_error("attachment", _("“%(name)s”: only these kinds of file are kept: %(kinds)s") % {
            "name": filename, "kinds": " ".join(REPORT_ATTACHMENT_EXTENSIONS)})
    if upload.size > limit:
        raise field_error("attachment", _("“%(name)s” is larger than %(mb)d MB") % {"name": filename, "mb": limit // (1024 * 1024)})
    return ReportAttachment.objects.create(report=report, project=project, file=upload, name=(name or filename)[:200])
