"""Weekly progress reports in bulk: {"type": "report", "client_id", "project": code,
"week": "YYYY-MM-DD" (any day of the week), "percent": 0–100, "done", "problems"}.

The same rules as `projects.actions.submit_report`: the caller may edit the project, the
project is not cancelled, percent is a whole number 0–100, a second report for a week
amends the first, and the project's latest week and percent move forward only. Text is at
most 5,000 characters (as the API's single-report endpoint) and never holds NUL.

Set-based: one query for the receipts, one that reads and locks the projects (in id order,
as `submit_report` locks its one project, so a concurrent single report cannot interleave),
one for the reports already given for those weeks; then COPY of the new reports, one
UPDATE … FROM unnest() for amended reports and one for the projects, COPY of the audit rows
(one per report created or amended, with before and after as the signal handlers would
record them; the projects' latest week and percent are not logged, see
`Project.audit_exclude`) and of the receipts; one dashboard event.
"""
import datetime
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.scoping import can_edit_project
from xiezuo.projects.actions import publish_reports, validate_report, week_start
from xiezuo.projects.models import ProgressReport, Project

from .common import (AuditWriter, any_of, filter_any, insert_rows, is_postgres, mark_duplicates, parse_date, reserve_ids, select,
                     snapshot_fields, update_rows, write_receipts)

MAX_TEXT = 5000  # as ReportIn of the API
REPORT_COLUMNS = ("id", "project_id", "week", "percent", "done", "problems", "reported_by_id", "reported_at", "client_id")


def text_errors(body, names, limit, errors):
    """Optional text fields: a string, at most `limit` characters, no NUL."""
    for name in names:
        value = body.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[name] = [_("must be text")]
        elif len(value) > limit:
            errors[name] = [_("at most %(n)d characters") % {"n": limit}]
        elif "\x00" in value:
            errors[name] = [_("must not contain NUL characters")]


class ProjectRow:
    """A project as the batch needs it, read with one SQL query rather than as model instances
    (building 10,000 projects with their regions costs more than all the writes)."""

    __slots__ = ("pk", "code", "name", "status", "county_code", "east_code", "pairing_id", "last_report_week", "percent_done")

    def __init__(self, pk, code, name, status, pairing_id, last_report_week, percent_done, county_code, east_code):
        self.pk, self.code, self.name, self.status, self.pairing_id = pk, code, name, status, pairing_id
        self.last_report_week, self.percent_done = last_report_week, percent_done
        self.county_code, self.east_code = county_code, east_code

    def __str__(self):
        return f"{self.code} {self.name}"

    # what `publish_reports` reads: project.county.code, project.pairing.east_region.code
    @property
    def county(self):
        return _Code(self.county_code)

    @property
    def pairing(self):
        return _Pairing(self.east_code)


class _Code:
    def __init__(self, code):
        self.code = code


class _Pairing:
    def __init__(self, east_code):
        self.east_region = _Code(east_code)


def load_projects(codes) -> dict:
    """{code: ProjectRow} for these codes, rows locked (FOR NO KEY UPDATE, in id order) on PostgreSQL."""
    where, params = any_of("p.code", codes)
    lock = " FOR NO KEY UPDATE OF p" if is_postgres() else ""
    rows = select(
        f"SELECT p.id, p.code, p.name, p.status, p.pairing_id, p.last_report_week, p.percent_done, c.code, e.code "
        f"FROM projects_project p JOIN regions_region c ON c.id = p.county_id LEFT JOIN pairings_pairing pp ON pp.id = p.pairing_id "
        f"LEFT JOIN regions_region e ON e.id = pp.east_region_id WHERE {where} ORDER BY p.id{lock}", params)
    found = {}
    for row in rows:
        if isinstance(row[5], str):  # SQLite hands dates back as text
            row = (*row[:5], datetime.date.fromisoformat(row[5]), *row[6:])
        found[row[1]] = ProjectRow(*row)
    return found


class ReportHandler:
    def __init__(self, receipts: bool = True):
        """`receipts=False` for a caller without client ids (the Excel import, whose rows are
        checked for repeats by their own keys): no idempotency check, no receipt rows."""
        self.receipts = receipts

    def check(self, user, items, refusals):
        if self.receipts:
            mark_duplicates(items, refusals)
        projects = load_projects({str(it.body.get("project", "")) for it in items})
        allowed = {}
        for it in items:
            code = str(it.body.get("project", ""))
            project = projects.get(code)
            if project is None:
                refusals.add(it, "project", _("no project has the code “%(code)s”") % {"code": code})
                continue
            if code not in allowed:
                allowed[code] = can_edit_project(user, project.county_code, project.east_code)
            if not allowed[code]:
                refusals.add(it, "project", _("you may not report on project %(code)s") % {"code": code})
                continue
            try:
                week = parse_date(it.body.get("week"))
            except ValueError as exc:
                refusals.add(it, "week", exc)
                continue
            errors = validate_report(project, week, it.body.get("percent"))
            text_errors(it.body, ("done", "problems"), MAX_TEXT, errors)
            if errors:
                refusals.add_errors(it, errors)
                continue
            it.target = (project, week_start(week))

    def apply(self, user, items):
        project_ids = sorted({it.target[0].pk for it in items})
        weeks = sorted({it.target[1] for it in items})
        fields = snapshot_fields(ProgressReport)
        stored = {}
        qs = filter_any(filter_any(ProgressReport.objects.all(), "project_id", project_ids), "week", weeks)
        for row in qs.values(*fields):
            stored[(row["project_id"], row["week"])] = row
        reporter = user.pk if getattr(user, "pk", None) else None
        now = timezone.now()
        # Replay the items in order over {(project, week): column values}: each item's state
        # before and after, the final state of every report, and the projects moved forward.
        state, changes, project_before = dict(stored), [], {}
        for it in items:
            project, week = it.target
            key = (project.pk, week)
            before = state.get(key)
            base = before or {"id": None, "project_id": project.pk, "week": week, "reported_at": now, "client_id": None}
            after = dict(base, percent=it.body["percent"], done=it.body.get("done") or "",
                         problems=it.body.get("problems") or "", reported_by_id=reporter)
            state[key] = after
            changes.append((key, before, after))
            if project.last_report_week is None or week >= project.last_report_week:
                project_before.setdefault(project.pk, (project, project.last_report_week, project.percent_done))
                project.last_report_week, project.percent_done = week, after["percent"]
        new_keys = [key for key in dict.fromkeys(k for k, _b, _a in changes) if key not in stored]
        ids = {key: row["id"] for key, row in stored.items()}
        ids.update(zip(new_keys, reserve_ids(ProgressReport, len(new_keys))))
        insert_rows(ProgressReport, REPORT_COLUMNS, ((ids[key], *(state[key][c] for c in REPORT_COLUMNS[1:])) for key in new_keys))
        amended = [key for key in dict.fromkeys(k for k, _b, _a in changes) if key in stored]
        update_rows(ProgressReport, [("percent", "integer"), ("done", "text"), ("problems", "text"), ("reported_by_id", "bigint")],
                    [(ids[key], state[key]["percent"], state[key]["done"], state[key]["problems"], state[key]["reported_by_id"])
                     for key in amended])
        # audit: one row per item in order — a creation, or an amendment with what it replaced
        audit = AuditWriter()
        regions = {}
        for it, (key, before, after) in zip(items, changes):
            project = it.target[0]
            where = regions.get(project.pk)
            if where is None:
                where = regions[project.pk] = (project.county_code, project.east_code or "")
            rid = ids[key]
            audit.add(ProgressReport, rid, f"{project.code} {key[1]:%G-W%V}", where[0], where[1],
                      None if before is None else dict(before, id=rid), dict(after, id=rid), names=fields)
        # the projects' latest week and percent, forward only (not logged: `Project.audit_exclude`)
        moved = [(project.pk, project.last_report_week, project.percent_done) for project, week0, pct0 in project_before.values()
                 if (week0, pct0) != (project.last_report_week, project.percent_done)]
        update_rows(Project, [("last_report_week", "date"), ("percent_done", "integer")], moved)
        audit.write()
        if self.receipts:
            write_receipts(items, [ids[key] for key, _b, _a in changes])
        publish_reports(_ShownList(items, changes))


class _Shown:
    """What `publish_reports` reads of a report, without building model instances."""

    def __init__(self, project, row):
        self.project, self.percent, self.week = project, row["percent"], row["week"]


class _ShownList(Sequence):
    """The batch's reports as `publish_reports` reads them (the count and the last few),
    each made when read: 10,000 of them for the 20 it shows cost more than the event."""

    def __init__(self, items, changes):
        self.items, self.changes = items, changes

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return _Shown(self.items[index].target[0], self.changes[index][2])
