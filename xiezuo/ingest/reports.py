"""Weekly progress reports in bulk: {"type": "report", "client_id", "project": code,
"week": "YYYY-MM-DD" (any day of the week), "percent": 0–100, "done", "problems"}."""
from django.utils.translation import gettext as _

from xiezuo.core.audit import snapshot
from xiezuo.core.scoping import can_edit_project
from xiezuo.projects.actions import publish_reports, validate_report, week_start
from xiezuo.projects.models import ProgressReport, Project

from .common import audit_rows, mark_duplicates, parse_date, write_receipts


class ReportHandler:
    def check(self, user, items, refusals):
        mark_duplicates(items, refusals)
        codes = {str(it.body.get("project", "")) for it in items}
        projects = {}
        code_list = sorted(codes)
        for start in range(0, len(code_list), 2000):
            for p in Project.objects.filter(code__in=code_list[start:start + 2000]).select_related("county", "pairing__east_region"):
                projects[p.code] = p
        allowed = {}
        for it in items:
            code = str(it.body.get("project", ""))
            project = projects.get(code)
            if project is None:
                refusals.add(it, "project", _("no project has the code “%(code)s”") % {"code": code})
                continue
            if code not in allowed:
                east = project.pairing.east_region.code if project.pairing_id else None
                allowed[code] = can_edit_project(user, project.county.code, east)
            if not allowed[code]:
                refusals.add(it, "project", _("you may not report on project %(code)s") % {"code": code})
                continue
            try:
                week = parse_date(it.body.get("week"))
            except ValueError as exc:
                refusals.add(it, "week", exc)
                continue
            percent = it.body.get("percent")
            errors = validate_report(project, week, percent)
            for name in ("done", "problems"):
                if not isinstance(it.body.get(name, ""), str):
                    errors[name] = [_("must be text")]
            if errors:
                refusals.add_errors(it, errors)
                continue
            it.target = (project, week_start(week))

    def apply(self, user, items):
        project_ids = {it.target[0].pk for it in items}
        weeks = {it.target[1] for it in items}
        existing = {(r.project_id, r.week): r for r in ProgressReport.objects.filter(project_id__in=project_ids, week__in=weeks)}
        reporter = user if getattr(user, "pk", None) else None
        created, updated, befores, objects, latest = [], [], {}, [], {}
        for it in items:
            project, week = it.target
            key = (project.pk, week)
            report = existing.get(key)
            if report is None:
                report = ProgressReport(project=project, week=week)
                existing[key] = report
                created.append(report)
            elif report.pk and report.pk not in befores:
                befores[report.pk] = snapshot(report)
                updated.append(report)
            report.project = project
            report.percent = it.body["percent"]
            report.done, report.problems = it.body.get("done", ""), it.body.get("problems", "")
            report.reported_by = reporter
            objects.append(report)
            if project.last_report_week is None or week >= project.last_report_week:
                project.last_report_week, project.percent_done = week, report.percent
                latest[project.pk] = project
        ProgressReport.objects.bulk_create(created, batch_size=5000)
        ProgressReport.objects.bulk_update(updated, ["percent", "done", "problems", "reported_by"], batch_size=5000)
        Project.objects.bulk_update(list(latest.values()), ["last_report_week", "percent_done"], batch_size=5000)
        audit_rows([(r, None) for r in created] + [(r, befores[r.pk]) for r in updated])
        write_receipts(items, objects)
        publish_reports(objects)
