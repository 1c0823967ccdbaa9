"""Weekly progress reports in bulk: {"type": "report", "client_id", "project": code,
"week": "YYYY-MM-DD" (any day of the week), "percent": 0–100, "done", "problems"}.

The envelope only: each item read into a `projects.reports.ReportIn` (the week parsed),
idempotency by client id, receipts. The rules and the writing are the projects app's
(`check_reports` and `write_reports`, the two halves of `submit_reports`), so a batch checks
exactly what a single report checks.
"""
from xiezuo.projects.reports import ReportIn, check_reports, write_reports

from .common import mark_duplicates, parse_date, write_receipts


def read_item(body) -> ReportIn:
    """The item as a report to record; a week that is not a date is kept as `invalid`."""
    invalid = week = None
    try:
        week = parse_date(body.get("week"))
    except ValueError as exc:
        invalid = {"week": str(exc)}
    return ReportIn(str(body.get("project", "")), week, body.get("percent"), body.get("done", ""), body.get("problems", ""),
                    invalid=invalid)


class ReportHandler:
    def check(self, user, items, refusals):
        mark_duplicates(user, items, refusals)
        reports = [read_item(it.body) for it in items]
        checked = check_reports(user, reports)
        for i, errors in checked.errors.items():
            refusals.add_errors(items[i], errors)
        for it, report in zip(items, reports):
            it.target = report

    def apply(self, user, items):
        ids = write_reports(user, [it.target for it in items])
        write_receipts(user, items, ids)
