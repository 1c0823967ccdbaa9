"""Projects: creation, allowed status changes, milestones in order, weekly reports, outputs."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.support import county_pair
from xiezuo.core.errors import messages_of
from xiezuo.core.scoping import visible
from xiezuo.people.actions import on_post, save_dispatch, stability
from xiezuo.people.models import Dispatch
from xiezuo.orgs.models import Organisation
from xiezuo.projects.actions import (
    complete_milestone,
    create_project,
    record_output,
    register_asset,
    set_milestones,
    submit_report,
    transition,
)
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = datetime.date


@pytest.fixture
def pair():
    return county_pair()


@pytest.fixture
def project(users, pair):
    return create_project(
        users["county_office"], name="美姑县高山蔬菜基地", category="industry", county=Region.objects.get(code="513436"),
        pairing=pair, planned_start=D(2026, 3, 1), planned_end=D(2026, 12, 31),
        budget={"east_fiscal": 500_000_00, "local_match": 50_000_00},
        milestones=[("选址", D(2026, 3, 15)), ("大棚建成", D(2026, 6, 30)), ("首批上市", D(2026, 9, 30))],
    )


def test_project_gets_a_code_budget_and_milestones(project):
    assert project.code == "P2026513436" + "0001"
    assert sorted(project.budget.values_list("source", "amount_fen")) == [("east_fiscal", 50000000), ("local_match", 5000000)]
    assert [m.seq for m in project.milestones.all()] == [1, 2, 3]


def test_both_sides_see_the_project_others_do_not(users, project):
    for name in ("county_office", "west_office", "east_office", "national", "auditor"):
        assert visible(users[name], Project.objects.filter(pk=project.pk)).exists(), name
    stranger_office = Organisation.objects.get(kind="office", region__code="440000")
    from xiezuo.users.models import Profile

    Profile.objects.filter(user=users["viewer"]).update(organisation=stranger_office)
    user = type(users["viewer"]).objects.get(pk=users["viewer"].pk)  # a fresh object: scope is cached per object
    assert not visible(user, Project.objects.filter(pk=project.pk)).exists()


def test_only_allowed_status_transitions(users, project):
    u = users["county_office"]
    with pytest.raises(ValidationError) as exc:
        transition(u, project, "completed")
    assert "cannot become" in messages_of(exc.value)["status"][0]
    transition(u, project, "in_progress", on=D(2026, 3, 2))
    transition(u, project, "suspended")
    transition(u, project, "in_progress")
    for milestone in project.milestones.all():
        complete_milestone(u, milestone, milestone.planned_date)
    p = transition(u, project, "completed", on=D(2026, 11, 1))
    assert p.percent_done == 100 and p.actual_start == D(2026, 3, 2)
    with pytest.raises(ValidationError):
        transition(u, p, "in_progress")


def test_milestones_out_of_order_are_refused(users, project):
    with pytest.raises(ValidationError) as exc:
        set_milestones(users["county_office"], project, [("a", D(2026, 5, 1)), ("b", D(2026, 4, 1))])
    assert "milestones[2].planned_date" in messages_of(exc.value)
    assert project.milestones.count() == 3  # nothing replaced


def test_milestones_are_reached_in_order(users, project):
    first, second, _ = project.milestones.all()
    with pytest.raises(ValidationError):
        complete_milestone(users["county_office"], second, D(2026, 6, 1))
    complete_milestone(users["county_office"], first, D(2026, 3, 20))
    complete_milestone(users["county_office"], second, D(2026, 7, 2))


def test_weekly_report_updates_the_project_and_amends_within_the_week(users, project):
    u = users["east_office"]  # the eastern side of the pair may report too
    submit_report(u, project, week=D(2026, 11, 18), percent=40, done="大棚封顶")
    r = submit_report(u, project, week=D(2026, 11, 20), percent=45, done="大棚封顶，滴灌安装")
    assert r.week == D(2026, 11, 16)  # Monday of that week
    assert project.reports.count() == 1
    project.refresh_from_db()
    assert (project.percent_done, project.last_report_week) == (45, D(2026, 11, 16))


def test_report_on_a_cancelled_project_is_refused(users, project):
    transition(users["county_office"], project, "cancelled")
    with pytest.raises(ValidationError) as exc:
        submit_report(users["county_office"], project, week=D(2026, 11, 18), percent=10)
    assert "cancelled" in messages_of(exc.value)["project"][0]


@pytest.mark.parametrize("percent", [-1, 101, 50.5, "60"])
def test_bad_percent_is_refused(users, project, percent):
    with pytest.raises(ValidationError):
        submit_report(users["county_office"], project, week=D(2026, 11, 18), percent=percent)


@pytest.mark.parametrize("name", ["viewer", "auditor"])
def test_readers_cannot_report(users, project, name):
    with pytest.raises(PermissionDenied):
        submit_report(users[name], project, week=D(2026, 11, 18), percent=10)


def test_outputs_and_assets(users, project):
    out = record_output(users["county_office"], project, as_of=D(2026, 9, 30), jobs_created=35,
                        local_procurement_fen=30_000_00, total_procurement_fen=50_000_00, households={"order": 120, "employment": 35})
    assert sorted(out.links.values_list("mechanism", "households")) == [("employment", 35), ("order", 120)]
    with pytest.raises(ValidationError) as exc:
        record_output(users["county_office"], project, as_of=D(2026, 10, 31), local_procurement_fen=2, total_procurement_fen=1)
    assert "local_procurement_fen" in messages_of(exc.value)
    asset = register_asset(users["county_office"], project, name="连栋大棚", asset_class="building", value_fen=300_000_00,
                           owner_tier="collective", registered_on=D(2026, 7, 1))
    assert asset.value_fen == 30000000
    with pytest.raises(ValidationError):
        register_asset(users["county_office"], project, name="x", asset_class="building", value_fen=-5, owner_tier="state", registered_on=D(2026, 7, 1))


def test_project_must_be_in_a_western_county_of_its_pairing(users, pair):
    with pytest.raises(ValidationError) as exc:
        create_project(users["national"], name="x", category="industry", county=Region.objects.get(code="513437"), pairing=pair,
                       planned_start=D(2026, 1, 1), planned_end=D(2026, 2, 1))
    assert "pairing" in messages_of(exc.value)


def test_dispatch_and_stability(users, pair):
    east = Organisation.objects.get(kind="office", region__code="330212")
    west = Organisation.objects.get(kind="office", region__code="513436")
    u = users["county_office"]
    common = dict(direction="e2w", from_org=east, to_org=west, pairing=pair, planned_start=D(2025, 3, 1), planned_end=D(2026, 2, 28), actual_start=D(2025, 3, 1))
    save_dispatch(u, person_name="张老师", kind="education", actual_end=D(2026, 2, 28), **common)
    save_dispatch(u, person_name="李医生", kind="medical", actual_end=D(2025, 9, 1), **common)
    save_dispatch(u, person_name="王干部", kind="cadre", actual_end=D(2025, 5, 1), **common)
    qs = Dispatch.objects.filter(pairing=pair)
    assert stability(qs, D(2026, 6, 1)) == (1, 2)
    assert on_post(qs, D(2025, 4, 1)).count() == 3
    with pytest.raises(ValidationError) as exc:
        save_dispatch(u, person_name="反向", kind="education", direction="w2e", from_org=east, to_org=west,
                      planned_start=D(2025, 1, 1), planned_end=D(2025, 6, 1))
    assert "from_org" in messages_of(exc.value)
    with pytest.raises(PermissionDenied):
        save_dispatch(users["viewer"], person_name="x", kind="education", **common)
