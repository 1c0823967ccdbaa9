"""Weekly progress reports: their rules, and the set-based writer behind `submit_reports`.

One report from a page or the API is a batch of one; the bulk ingestion and the Excel
import hand over thousands. Both go through `check_reports` (the rules: the caller may edit
the project, the project is not cancelled, percent is a whole number 0–100, text is at most
5,000 characters and never holds NUL) and `write_reports` (a second report for a week
amends the first; the project's latest week and percent move forward only), so a rule
changed here changes the form, the API, the ingestion and the import alike.

Set-based because a batch of 10,000 built as model instances and saved one by one would not
reach thousands a second: one query reads and locks the projects (in id order, so
concurrent writers cannot interleave), one reads the reports already given for those weeks;
then COPY of the new reports, one UPDATE … FROM unnest() for amended reports and one for the
projects, COPY of the audit rows (one per report created or amended, as the signal handler
would record them; the projects' latest week and percent are not logged, see
`Project.audit_exclude`); one dashboard event; one `facts_changed`.
"""
import datetime
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.arrays import any_of, filter_any, is_postgres
from xiezuo.core.bulkaudit import AuditWriter, snapshot_fields
from xiezuo.core.bulkrows import insert_rows, reserve_ids, select, update_rows
from xiezuo.core.dates import day_error
from xiezuo.core.facts import changed
from xiezuo.core.periods import monday_of
from xiezuo.core.scoping import can_edit_project, scope_for
from xiezuo.users.scopes import client_namespace

from . import rules
from .choices import Status
from .models import ProgressReport, Project

MAX_TEXT = 5000
REPORT_COLUMNS = ("id", "project_id", "week", "percent", "done", "problems", "reported_by_id", "reported_at", "client_id", "client_ns")


class ReportIn:
    """One report to record. `week` is any day of the week; `percent`, `done` and `problems`
    are taken as given and checked by the rules. `invalid` holds what the caller found
    while reading the item ({field: message}, a week that is not a date): it is refused
    after the project's own checks, as the report's first fault. `client_id` is stored on
    the report (the API's single report), as an id of the reporter's organisation (a retry by
    the same organisation finds it, another organisation's id of the same text does not); the
    bulk ingestion keeps its ids in receipts."""

    __slots__ = ("project", "week", "percent", "done", "problems", "client_id", "invalid", "row", "monday")

    def __init__(self, project: str, week, percent, done="", problems="", client_id=None, invalid=None):
        self.project, self.week, self.percent, self.done, self.problems = project, week, percent, done, problems
        self.client_id, self.invalid = client_id, invalid
        self.row = self.monday = None  # set by check_reports


# --- the rules ------------------------------------------------------------------------------


def validate_report(project, week, percent) -> dict:
    errors = {}
    if project.status == Status.CANCELLED:
        errors["project"] = [_("project %(code)s is cancelled and takes no reports") % {"code": project.code}]
    if not isinstance(week, datetime.date):
        errors["week"] = [_("a date in the reported week is required")]
    elif day_error(week):
        errors["week"] = [day_error(week)]
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        errors["percent"] = [_("percent done is a whole number from 0 to 100")]
    return errors


def text_errors(values: dict, names, limit, errors):
    """Optional text fields: a string, at most `limit` characters, no NUL."""
    for name in names:
        value = values.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[name] = [_("must be text")]
        elif len(value) > limit:
            errors[name] = [_("at most %(n)d characters") % {"n": limit}]
        elif "\x00" in value:
            errors[name] = [_("must not contain NUL characters")]


def report_errors(project, report: ReportIn) -> dict:
    errors = validate_report(project, report.week, report.percent)
    text_errors({"done": report.done, "problems": report.problems}, ("done", "problems"), MAX_TEXT, errors)
    return errors


# --- the projects as a batch reads them -----------------------------------------------------


class ProjectRow:
    """A project as the batch needs it, read with one SQL query rather than as model instances
    (building 10,000 projects with their regions costs more than all the writes)."""

    __slots__ = ("pk", "code", "name", "status", "county_code", "east_code", "pairing_id", "last_report_week", "percent_done",
                 "actual_end")

    def __init__(self, pk, code, name, status, pairing_id, last_report_week, percent_done, county_code, east_code, actual_end=None):
        self.pk, self.code, self.name, self.status, self.pairing_id = pk, code, name, status, pairing_id
        self.last_report_week, self.percent_done = last_report_week, percent_done
        self.county_code, self.east_code, self.actual_end = county_code, east_code, actual_end

    def __str__(self):
        return f"{self.code} {self.name}"


def load_projects(codes) -> dict:
    """{code: ProjectRow} for these codes, rows locked (FOR NO KEY UPDATE, in id order) on PostgreSQL."""
    where, params = any_of("p.code", codes)
    lock = " FOR NO KEY UPDATE OF p" if is_postgres() else ""
    rows = select(
        f"SELECT p.id, p.code, p.name, p.status, p.pairing_id, p.last_report_week, p.percent_done, c.code, e.code, p.actual_end "
        f"FROM projects_project p JOIN regions_region c ON c.id = p.county_id LEFT JOIN pairings_pairing pp ON pp.id = p.pairing_id "
        f"LEFT JOIN regions_region e ON e.id = pp.east_region_id WHERE {where} ORDER BY p.id{lock}", params)
    found = {}
    for row in rows:
        if isinstance(row[5], str):  # SQLite hands dates back as text
            row = (*row[:5], datetime.date.fromisoformat(row[5]), *row[6:])
        if isinstance(row[9], str):
            row = (*row[:9], datetime.date.fromisoformat(row[9]))
        found[row[1]] = ProjectRow(*row)
    return found


# --- checking and writing -------------------------------------------------------------------


class Checked:
    """What `check_reports` found: {position: {field: [messages]}} for the refused reports,
    and the positions refused because the user may not edit the project."""

    def __init__(self):
        self.errors, self.denied = {}, set()

    def __bool__(self):
        return bool(self.errors)


def check_reports(user, reports: list[ReportIn]) -> Checked:
    """Apply the rules to every report, locking the projects; sets `row` and `monday` on each
    report that passes."""
    checked = Checked()
    projects = load_projects({r.project for r in reports})
    scope = scope_for(user)
    allowed = {}
    taken = taken_client_ids(user, reports)
    for i, report in enumerate(reports):
        code = report.project
        project = projects.get(code)
        # a project the user may not see is answered like one that does not exist
        if project is None or not (scope.in_own(project.county_code) or (project.east_code and scope.in_own(project.east_code))):
            checked.errors[i] = {"project": [_("no project has the code “%(code)s”") % {"code": code}]}
            continue
        if code not in allowed:
            allowed[code] = can_edit_project(user, project.county_code, project.east_code)
        if not allowed[code]:
            checked.errors[i] = {"project": [_("you may not report on project %(code)s") % {"code": code}]}
            checked.denied.add(i)
            continue
        if report.invalid:
            checked.errors[i] = {name: [message] for name, message in report.invalid.items()}
            continue
        errors = report_errors(project, report)
        if not errors and report.client_id and taken.get(report.client_id, (project.pk, monday_of(report.week))) != (project.pk, monday_of(report.week)):
            errors = {"client_id": [_("client id %(id)s is already used for another report") % {"id": report.client_id}]}
        if not errors:
            errors = rules.report_after_end(project.status, project.actual_end, monday_of(report.week))
        if errors:
            checked.errors[i] = errors
            continue
        report.row, report.monday = project, monday_of(report.week)
    return checked


def taken_client_ids(user, reports) -> dict:
    """{client id: (project id, week)} of the reports that already carry these ids in the
    user's organisation's namespace (one query, none when no report brings an id)."""
    ids = sorted({r.client_id for r in reports if r.client_id})
    if not ids:
        return {}
    qs = filter_any(ProgressReport.objects.filter(client_ns=client_namespace(user)), "client_id", ids)
    return {cid: (pid, week) for cid, pid, week in qs.values_list("client_id", "project_id", "week")}


def write_reports(user, reports: list[ReportIn]) -> list[int]:
    """Record reports that passed `check_reports`, in order; the report id of each."""
    project_ids = sorted({r.row.pk for r in reports})
    weeks = sorted({r.monday for r in reports})
    fields = snapshot_fields(ProgressReport)
    stored = {}
    qs = filter_any(filter_any(ProgressReport.objects.all(), "project_id", project_ids), "week", weeks)
    for row in qs.values(*fields):
        stored[(row["project_id"], row["week"])] = row
    reporter = user.pk if getattr(user, "pk", None) else None
    namespace = client_namespace(user)
    now = timezone.now()
    # Replay the reports in order over {(project, week): column values}: each one's state
    # before and after, the final state of every report, and the projects moved forward.
    state, changes, project_before = dict(stored), [], {}
    for r in reports:
        project, week = r.row, r.monday
        key = (project.pk, week)
        before = state.get(key)
        base = before or {"id": None, "project_id": project.pk, "week": week, "reported_at": now, "client_id": None, "client_ns": 0}
        after = dict(base, percent=r.percent, done=r.done or "", problems=r.problems or "", reported_by_id=reporter)
        if r.client_id and not after["client_id"]:
            after["client_id"], after["client_ns"] = r.client_id, namespace
        state[key] = after
        changes.append((key, before, after))
        if project.last_report_week is None or week >= project.last_report_week:
            project_before.setdefault(project.pk, (project, project.last_report_week, project.percent_done))
            project.last_report_week, project.percent_done = week, after["percent"]
    keys = list(dict.fromkeys(k for k, _b, _a in changes))
    new_keys = [key for key in keys if key not in stored]
    ids = {key: row["id"] for key, row in stored.items()}
    ids.update(zip(new_keys, reserve_ids(ProgressReport, len(new_keys))))
    insert_rows(ProgressReport, REPORT_COLUMNS, ((ids[key], *(state[key][c] for c in REPORT_COLUMNS[1:])) for key in new_keys))
    update_rows(ProgressReport, [("percent", "integer"), ("done", "text"), ("problems", "text"), ("reported_by_id", "bigint"),
                                 ("client_id", "text"), ("client_ns", "bigint")],
                [(ids[key], state[key]["percent"], state[key]["done"], state[key]["problems"], state[key]["reported_by_id"],
                  state[key]["client_id"], state[key]["client_ns"]) for key in keys if key in stored])
    # audit: one row per report in order — a creation, or an amendment with what it replaced
    audit = AuditWriter()
    week_labels = {}  # a batch spans a few weeks: each one's ISO label formatted once
    for r, (key, before, after) in zip(reports, changes):
        project, rid = r.row, ids[key]
        label = week_labels.get(key[1])
        if label is None:
            label = week_labels[key[1]] = f"{key[1]:%G-W%V}"
        audit.add(ProgressReport, rid, f"{project.code} {label}", project.county_code, project.east_code or "",
                  None if before is None else dict(before, id=rid), dict(after, id=rid), names=fields)
    # the projects' latest week and percent, forward only (not logged: `Project.audit_exclude`)
    moved = [(project.pk, project.last_report_week, project.percent_done) for project, week0, pct0 in project_before.values()
             if (week0, pct0) != (project.last_report_week, project.percent_done)]
    update_rows(Project, [("last_report_week", "date"), ("percent_done", "integer")], moved)
    audit.write()
    publish_reports(_Shown(reports, changes))
    codes = {c for project in {r.row.pk: r.row for r in reports}.values() for c in (project.county_code, project.east_code)}
    changed(codes, min(weeks), sender=ProgressReport)
    return [ids[key] for key, _b, _a in changes]


def publish_reports(shown):
    """Tell open dashboards about new reports (after commit), with the regions involved so
    each dashboard keeps only what its user may see. `shown` is a sequence of
    (project row, percent, week)."""
    from xiezuo.core.events import publish

    items = [{"project": p.code, "name": p.name, "county": p.county_code, "east": p.east_code or "",
              "percent": percent, "week": week.isoformat()} for p, percent, week in shown[-20:]]
    publish("reports", {"count": len(shown), "items": items})


class _Shown(Sequence):
    """The batch's reports as the event shows them (the count and the last few), each made
    when read: 10,000 of them for the 20 it shows cost more than the event."""

    def __init__(self, reports, changes):
        self.reports, self.changes = reports, changes

    def __len__(self):
        return len(self.reports)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        after = self.changes[index][2]
        return self.reports[index].row, after["percent"], after["week"]
