"""The checks that keep a project's dates from contradicting each other, written once for
every path that writes them: the page forms, the API and the Excel import call the actions
(`transition`, `complete_milestone`, `set_milestones`, `update_project`), which call these;
the weekly-report batch (`reports.check_reports`) calls `report_after_end`.

What was decided (issue 11, "figures that contradict each other"):

- A project is completed when its work is: completing it is refused while a milestone is
  not reached (the acceptance milestone last of all), and its actual end may not precede
  the date any milestone was reached, nor its actual start, nor lie in the future.
- A milestone is reached on a day that is neither in the future nor before the project
  started.
- No milestone is planned after the planned end, so the plan does not put the acceptance
  after the end; moving the planned end before a planned milestone is refused.
- A completed project takes no weekly report for a week that begins after its actual end.

Each rule answers {field: [reason]} (empty when the write may go ahead), the fields named
as the action takes them; the callers raise it, or list it for a batch's item.
"""
import datetime

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import Status


def _d(day) -> str:
    return day.isoformat()


def completion_errors(project, on: datetime.date, milestones, today=None) -> dict:
    """Completing `project` on `on`: `milestones` are its milestones (with planned and actual
    dates). Answers the reasons under "actual_end"."""
    today = today or timezone.localdate()
    reasons = []
    if on > today:
        reasons.append(_("the actual end %(d)s is in the future") % {"d": _d(on)})
    if project.actual_start and on < project.actual_start:
        reasons.append(_("the actual end %(d)s is before the actual start %(s)s") % {"d": _d(on), "s": _d(project.actual_start)})
    open_ = [m for m in milestones if m.actual_date is None]
    if open_:
        reasons.append(_("milestones not reached yet: %(list)s; record them first (the acceptance milestone last)") % {
            "list": "、".join(_("%(n)d %(name)s (planned %(d)s)") % {"n": m.seq, "name": m.name, "d": _d(m.planned_date)}
                             for m in open_)})
    later = [m for m in milestones if m.actual_date is not None and m.actual_date > on]
    if later:
        last = max(later, key=lambda m: m.actual_date)
        reasons.append(_("the actual end %(d)s is before milestone %(n)d (%(name)s), reached on %(r)s") % {
            "d": _d(on), "n": last.seq, "name": last.name, "r": _d(last.actual_date)})
    return {"actual_end": reasons} if reasons else {}


def start_errors(project, on: datetime.date, milestones=(), today=None) -> dict:
    """Starting `project` on `on` (its actual start, when none is recorded yet)."""
    today = today or timezone.localdate()
    if project.actual_start is not None:
        return {}
    if on > today:
        return {"actual_start": [_("the actual start %(d)s is in the future") % {"d": _d(on)}]}
    reached = [m for m in milestones if m.actual_date is not None and m.actual_date < on]
    if reached:
        first = min(reached, key=lambda m: m.actual_date)
        return {"actual_start": [_("the actual start %(d)s is after milestone %(n)d (%(name)s), reached on %(r)s") % {
            "d": _d(on), "n": first.seq, "name": first.name, "r": _d(first.actual_date)}]}
    return {}


def milestone_errors(project, on: datetime.date, today=None) -> dict:
    """Reaching a milestone of `project` on `on`. Answers the reasons under "actual_date"."""
    today = today or timezone.localdate()
    if on > today:
        return {"actual_date": [_("the date %(d)s is in the future") % {"d": _d(on)}]}
    if project.actual_start and on < project.actual_start:
        return {"actual_date": [_("the date %(d)s is before the project started (%(s)s)") % {
            "d": _d(on), "s": _d(project.actual_start)}]}
    if project.actual_end and on > project.actual_end:
        return {"actual_date": [_("the date %(d)s is after the project ended (%(e)s)") % {"d": _d(on), "e": _d(project.actual_end)}]}
    return {}


def plan_errors(planned_end, milestones) -> dict:
    """A milestone plan [(name, planned date)] against the project's planned end (preparation
    milestones may come before the planned start; none may come after the end): reasons
    under "milestones[i].planned_date" (i from 1), as `set_milestones` names them."""
    errors = {}
    for i, (_name, planned) in enumerate(milestones, start=1):
        if isinstance(planned, datetime.date) and planned_end and planned > planned_end:
            errors[f"milestones[{i}].planned_date"] = [_("milestone %(n)d is planned on %(d)s, after the planned end %(e)s") % {
                "n": i, "d": _d(planned), "e": _d(planned_end)}]
    return errors


def planned_end_errors(planned_end, milestones) -> dict:
    """Moving a project's planned end: it may not fall before a planned milestone."""
    later = [m for m in milestones if m.planned_date > planned_end]
    if not later:
        return {}
    last = max(later, key=lambda m: m.planned_date)
    return {"planned_end": [_("the planned end %(e)s is before milestone %(n)d (%(name)s), planned on %(d)s") % {
        "e": _d(planned_end), "n": last.seq, "name": last.name, "d": _d(last.planned_date)}]}


def report_after_end(status, actual_end, monday: datetime.date) -> dict:
    """A weekly report for a completed project's week that begins after its actual end."""
    if status == Status.COMPLETED and actual_end is not None and monday > actual_end:
        return {"week": [_("the project was completed on %(e)s; the week of %(w)s is after its end") % {
            "e": _d(actual_end), "w": _d(monday)}]}
    return {}


def pairing_errors(pairing) -> dict:
    """A project is carried by a pairing in force: a pairing still awaiting approval (an
    override requested by an office) or rejected carries none."""
    if pairing is None or getattr(pairing, "is_approved", True):
        return {}
    return {"pairing": [_("%(pairing)s is not in force: it is %(status)s") % {
        "pairing": pairing, "status": pairing.get_status_display()}]}


def contradictions(projects):
    """The projects of a queryset whose recorded dates contradict each other (for checks of
    the demo data and the generator, and the tests): completed with a milestone not reached,
    ending before a milestone was reached or before it started, or a milestone reached
    before the start."""
    return projects.filter(
        Q(status=Status.COMPLETED, milestones__isnull=False, milestones__actual_date__isnull=True)
        | Q(actual_end__isnull=False, milestones__actual_date__gt=F("actual_end"))
        | Q(actual_start__isnull=False, milestones__actual_date__lt=F("actual_start"))
        | Q(actual_end__isnull=False, actual_start__isnull=False, actual_end__lt=F("actual_start"))
    ).distinct()
