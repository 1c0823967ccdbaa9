"""A project's dates cannot contradict each other, whichever way they are written: the page
form, the API, the Excel import and the weekly-report batch all refuse, naming the field and
the reason (projects/rules.py). Decided: completing a project needs every milestone reached
(the acceptance last); its actual end may not precede a reached milestone; milestones are not
reached in the future or before the start; none is planned after the planned end."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.api.test_api import Api
from tests.support import english_client_as, gd_office, pair, project, run  # noqa: F401 (fixtures and helpers, defined once)
from xiezuo.core.errors import BatchRefused, ValidationError, messages_of
from xiezuo.projects.actions import (complete_milestone, set_milestones, submit_reports, transition, update_project,
                                     ReportIn)
from xiezuo.projects.importers import ProjectImporter
from xiezuo.projects.models import Project
from xiezuo.projects.rules import contradictions
from xiezuo.users.models import ApiToken

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def started(users, project):
    """MG-001 started 100 days ago with three milestones, the acceptance (竣工验收) last."""
    u = users["county_office"]
    set_milestones(u, project, [("开工", TODAY - 90 * DAY), ("主体完工", TODAY - 40 * DAY), ("竣工验收", TODAY - 10 * DAY)])
    transition(u, project, "in_progress", on=TODAY - 100 * DAY)
    return Project.objects.get(pk=project.pk)


def reach_all(user, project, days=(80, 30, 5)):
    for milestone, d in zip(project.milestones.all(), days):
        complete_milestone(user, milestone, TODAY - d * DAY)


def errors_of(call):
    with pytest.raises(ValidationError) as exc:
        call()
    return messages_of(exc.value)


def test_completing_with_a_milestone_not_reached_is_refused(users, started, english):
    errors = errors_of(lambda: transition(users["county_office"], started, "completed", on=TODAY))
    assert "milestones not reached yet" in errors["actual_end"][0] and "竣工验收" in errors["actual_end"][0]
    assert Project.objects.get(pk=started.pk).status == "in_progress"


def test_the_actual_end_may_not_precede_the_acceptance(users, started, english):
    u = users["county_office"]
    reach_all(u, started)
    errors = errors_of(lambda: transition(u, started, "completed", on=TODAY - 8 * DAY))
    assert "before milestone 3 (竣工验收), reached on" in errors["actual_end"][0]
    done = transition(u, started, "completed", on=TODAY - 5 * DAY)
    assert done.actual_end == TODAY - 5 * DAY and not contradictions(Project.objects.filter(pk=done.pk)).exists()


def test_the_actual_end_may_not_lie_ahead(users, started, english):
    u = users["county_office"]
    reach_all(u, started)
    assert "in the future" in errors_of(lambda: transition(u, started, "completed", on=TODAY + DAY))["actual_end"][0]


def test_a_milestone_is_not_reached_in_the_future_or_before_the_start(users, started, english):
    u = users["county_office"]
    first = started.milestones.get(seq=1)
    assert "in the future" in errors_of(lambda: complete_milestone(u, first, TODAY + DAY))["actual_date"][0]
    assert "before the project started" in errors_of(lambda: complete_milestone(u, first, TODAY - 200 * DAY))["actual_date"][0]


def test_no_milestone_is_planned_after_the_planned_end(users, project, english):
    u = users["county_office"]
    errors = errors_of(lambda: set_milestones(u, project, [("开工", project.planned_end - DAY), ("验收", project.planned_end + DAY)]))
    assert "after the planned end" in errors["milestones[2].planned_date"][0]
    set_milestones(u, project, [("开工", project.planned_end - 30 * DAY), ("验收", project.planned_end)])
    errors = errors_of(lambda: update_project(u, project, name=project.name, category=project.category,
                                              planned_start=project.planned_start, planned_end=project.planned_end - DAY))
    assert "before milestone 2 (验收)" in errors["planned_end"][0]


def test_the_status_form_names_the_date_and_the_reason(client_as, users, started):
    response = client_as("county_office").post(reverse("project-transition", args=[started.pk]),
                                               {"to": "completed", "on": TODAY.isoformat()})
    assert response.status_code == 200
    assert "milestones not reached yet" in " ".join(response.context["form"].errors["on"])


def test_the_api_names_the_field_and_the_reason(users, started):
    api = Api(ApiToken.issue(users["county_office"]))
    response = api.post(f"/projects/{started.code}/transition", {"to": "completed", "on": TODAY.isoformat()})
    assert response.status_code == 422
    assert "actual_end" in response.json()["error"]["fields"]
    response = api.post(f"/projects/{started.code}/milestones/1/complete", {"on": (TODAY + DAY).isoformat()})
    assert response.status_code == 422 and "on" in response.json()["error"]["fields"]


def test_the_import_refuses_completing_with_open_milestones(users, pair, started, english):
    headers = ["项目编号", "项目名称", "项目类别", "县级代码", "结对编号", "计划开始日期", "计划完成日期", "状态"]
    row = [started.code, started.name, "产业协作", "513436", pair.pk, started.planned_start, started.planned_end, "已完工"]
    result = run(ProjectImporter(), users["county_office"], headers, [row])
    assert not result.ok
    assert "milestones not reached yet" in " ".join(e.reason for e in result.errors)
    assert Project.objects.get(pk=started.pk).status == "in_progress"


def test_the_report_batch_refuses_a_week_after_a_completed_projects_end(users, started, english):
    u = users["county_office"]
    reach_all(u, started)
    transition(u, started, "completed", on=TODAY - 5 * DAY)
    with pytest.raises(BatchRefused) as exc:
        submit_reports(u, [ReportIn(started.code, TODAY - 30 * DAY, 90), ReportIn(started.code, TODAY + 7 * DAY, 100)])
    refused = exc.value.refused
    assert list(refused) == [1] and "after its end" in refused[1]["week"][0]


def test_a_project_is_not_carried_by_a_pairing_awaiting_approval(users, pair):
    """An override pairing an office requested is not in force: no project hangs on it (and the
    project form does not offer it) until the office above approves it."""
    from xiezuo.pairings.choices import Status as PairingStatus
    from xiezuo.projects.actions import create_project
    from xiezuo.projects.filtersets import visible_pairings
    from xiezuo.regions.models import Region

    Pairing = type(pair)
    Pairing.objects.filter(pk=pair.pk).update(status=PairingStatus.REQUESTED)
    pair.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        create_project(users["county_office"], code="MG-REQ", name="美姑县申请中的项目", category="industry",
                       county=Region.objects.get(code="513436"), pairing=pair, planned_start=datetime.date(2026, 1, 5),
                       planned_end=datetime.date(2026, 12, 31))
    assert "pairing" in messages_of(refused.value)
    assert pair not in visible_pairings(users["county_office"])
    assert not Project.objects.filter(code="MG-REQ").exists()
