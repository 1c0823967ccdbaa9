"""The identification and exit workflow: consent before an application counts, each step's
deadline from the clue, the notice of at least 5 days, escalation when a deadline is missed,
the county's decision, help, and the exit with the same steps; every step with its post."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiezuo.core.models import AuditEntry
from xiezuo.households import actions, deadlines
from xiezuo.households.choices import CaseKind, Status, Step
from xiezuo.households.models import Case, CaseStep

from .helpers import D, household

POST = "驻村第一书记"


def run_to_county(u, case, start):
    actions.advance(u, case, step=Step.VISIT, done_on=start + datetime.timedelta(days=2), post=POST)
    actions.advance(u, case, step=Step.REVIEW, done_on=start + datetime.timedelta(days=3), post="村委会")
    actions.advance(u, case, step=Step.NOTICE, done_on=start + datetime.timedelta(days=9), post="村委会",
                    notice_from=start + datetime.timedelta(days=4), notice_to=start + datetime.timedelta(days=9))
    actions.advance(u, case, step=Step.TOWNSHIP, done_on=start + datetime.timedelta(days=11), post="乡镇")


@pytest.mark.django_db
def test_an_application_counts_once_consent_is_recorded(users):
    u = users["county_office"]
    h = household(u)
    case = actions.open_case(u, h, channel="application", clue_on=D(2026, 11, 2), post=POST)
    assert not case.counts and case.step_due is None and case.decision_due is None
    h.refresh_from_db()
    assert h.status == Status.NORMAL
    with pytest.raises(ValidationError):
        actions.advance(u, case, step=Step.VISIT, done_on=D(2026, 11, 3), post=POST)
    with pytest.raises(ValidationError):
        actions.record_consent(u, case, on=D(2026, 11, 1), by="户主", post=POST)  # before the application
    actions.record_consent(u, case, on=D(2026, 11, 4), by="户主 阿依拉且", post=POST)
    case.refresh_from_db()
    h.refresh_from_db()
    assert case.counts and h.status == Status.IDENTIFYING
    # the clock runs from the consent
    assert case.step_due == D(2026, 11, 7) and case.decision_due == D(2026, 11, 19)


@pytest.mark.django_db
def test_deadlines_and_the_full_identification(users):
    u = users["county_office"]
    h = household(u)
    start = D(2026, 11, 2)
    case = actions.open_case(u, h, channel="cadre", clue_on=start, post=POST, proposed_category="marginal")
    assert case.step == Step.VISIT and case.step_due == D(2026, 11, 5) and case.decision_due == D(2026, 11, 17)
    with pytest.raises(ValidationError):  # the steps in order
        actions.advance(u, case, step=Step.REVIEW, done_on=D(2026, 11, 3), post=POST)
    with pytest.raises(ValidationError):  # a post is required
        actions.advance(u, case, step=Step.VISIT, done_on=D(2026, 11, 3), post="")
    run_to_county(u, case, start)
    case.refresh_from_db()
    assert case.step == Step.COUNTY and case.step_due == D(2026, 11, 17)
    actions.decide(u, case, decision="approved", on=D(2026, 11, 16), post="县乡村振兴局")
    h.refresh_from_db()
    assert (h.status, h.category, h.identified_on) == (Status.MONITORED, "marginal", D(2026, 11, 16))
    steps = list(CaseStep.objects.filter(case=case).values_list("step", "post", "late"))
    assert [s for s, _p, _l in steps] == ["clue", "visit", "review", "notice", "township", "county"]
    assert all(p for _s, p, _l in steps) and not any(l for _s, _p, l in steps)
    # every step audited with its post
    assert AuditEntry.objects.filter(object_type="households.casestep").count() == 6
    assert "县乡村振兴局" in str(AuditEntry.objects.filter(object_type="households.casestep").order_by("-id").first().after)
    # help, then the exit with the same steps
    actions.add_help(u, h, kind="employment", description="劳务协作转移就业", started_on=D(2026, 11, 18), post=POST)
    exit_case = actions.open_case(u, h, kind=CaseKind.EXIT, channel="cadre", clue_on=D(2026, 12, 1), post=POST)
    h.refresh_from_db()
    assert h.status == Status.EXITING
    run_to_county(u, exit_case, D(2026, 12, 1))
    actions.decide(u, exit_case, decision="approved", on=D(2026, 12, 14), post="县乡村振兴局")
    h.refresh_from_db()
    assert (h.status, h.exited_on) == (Status.EXITED, D(2026, 12, 14))


@pytest.mark.django_db
def test_the_notice_runs_at_least_five_days(users):
    u = users["county_office"]
    h = household(u)
    start = D(2026, 11, 2)
    case = actions.open_case(u, h, channel="cadre", clue_on=start, post=POST)
    actions.advance(u, case, step=Step.VISIT, done_on=D(2026, 11, 3), post=POST)
    actions.advance(u, case, step=Step.REVIEW, done_on=D(2026, 11, 4), post=POST)
    with pytest.raises(ValidationError) as exc:
        actions.advance(u, case, step=Step.NOTICE, done_on=D(2026, 11, 8), post=POST,
                        notice_from=D(2026, 11, 5), notice_to=D(2026, 11, 8))  # 4 days
    assert "notice_to" in exc.value.error_dict
    actions.advance(u, case, step=Step.NOTICE, done_on=D(2026, 11, 9), post=POST,
                    notice_from=D(2026, 11, 5), notice_to=D(2026, 11, 9))


@pytest.mark.django_db
def test_a_missed_deadline_is_marked_late_and_escalates(users):
    u = users["county_office"]
    late_one = actions.open_case(u, household(u), channel="cadre", clue_on=D(2026, 11, 2), post=POST)  # visit due 11-05
    on_time = actions.open_case(u, household(u), channel="cadre", clue_on=D(2026, 11, 5), post=POST)
    waiting = actions.open_case(u, household(u), channel="application", clue_on=D(2026, 10, 1), post=POST)  # no consent
    assert actions.escalate_overdue(D(2026, 11, 6)) == 1
    late_one.refresh_from_db(); on_time.refresh_from_db(); waiting.refresh_from_db()
    assert (late_one.escalation, on_time.escalation, waiting.escalation) == (1, 0, 0)
    assert actions.escalate_overdue(D(2026, 11, 7)) == 0  # raised once per level
    assert actions.escalate_overdue(D(2026, 11, 18)) == 2  # past the 15 days: the county; the other past its visit
    late_one.refresh_from_db()
    assert late_one.escalation == 2
    step = actions.advance(u, late_one, step=Step.VISIT, done_on=D(2026, 11, 18), post=POST)
    assert step.late and step.due_on == D(2026, 11, 5)
    late_one.refresh_from_db()
    assert late_one.escalation == 0
    assert "raised" in " ".join(late_one.household.events.values_list("text", flat=True)) or \
        late_one.household.events.filter(text__contains="县").exists()


@pytest.mark.django_db
def test_a_plugged_in_calendar_counts_the_days(users):
    u = users["county_office"]

    def weekdays(start, n):
        day = start
        while n:
            day += datetime.timedelta(days=1)
            if day.weekday() < 5:
                n -= 1
        return day

    deadlines.register_calendar(weekdays)
    try:
        case = actions.open_case(u, household(u), channel="cadre", clue_on=D(2026, 11, 6), post=POST)  # a Friday
        assert case.step_due == D(2026, 11, 11)  # 3 working days: Mon, Tue, Wed
    finally:
        deadlines.reset_calendar()


@pytest.mark.django_db
def test_only_the_county_side_writes(users):
    h = household(users["county_office"])
    for role in ("east_office", "viewer", "auditor"):
        with pytest.raises(PermissionDenied):
            actions.open_case(users[role], h, channel="cadre", clue_on=D(2026, 11, 2), post=POST)
    actions.open_case(users["west_office"], h, channel="cadre", clue_on=D(2026, 11, 2), post="省协作办")
    with pytest.raises(ValidationError):  # one open case at a time
        actions.open_case(users["county_office"], h, channel="cadre", clue_on=D(2026, 11, 2), post=POST)


@pytest.mark.django_db
def test_a_step_not_passed_closes_the_case(users):
    u = users["county_office"]
    h = household(u)
    case = actions.open_case(u, h, channel="department", clue_on=D(2026, 11, 2), post=POST, source="医保局筛查名单")
    actions.advance(u, case, step=Step.VISIT, done_on=D(2026, 11, 3), post=POST, passed=False, finding="收入达标")
    case.refresh_from_db(); h.refresh_from_db()
    assert case.step == Step.CLOSED and case.decision == "rejected" and h.status == Status.NORMAL


@pytest.mark.django_db
def test_monitoring_lines_are_set_by_the_province_office_or_nationally(client_as):
    from xiezuo.households.models import MonitoringLine

    data = {"region": "510000", "year": 2026, "line_yuan": 7500, "near_percent": 150, "fall_percent": 30, "rigid_percent": 50}
    assert client_as("county_office").post("/households/lines/", data).status_code == 403
    assert client_as("east_office").post("/households/lines/", data).status_code == 403
    assert client_as("west_office").post("/households/lines/", data).status_code == 302
    assert client_as("national").post("/households/lines/", dict(data, region="513436", line_yuan=8050)).status_code == 302
    assert dict(MonitoringLine.objects.values_list("region__code", "line_fen")) == {"510000": 750_000, "513436": 805_000}
    assert "7,500" in client_as("county_office").get("/households/lines/").content.decode()
