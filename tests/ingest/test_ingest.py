"""Bulk ingestion: all-or-nothing, idempotent by client id, every refusal explained."""
import datetime

import pytest

from xiezuo.core.models import AuditEntry
from xiezuo.ingest.batch import MAX_ITEMS, ingest
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Pairing
from xiezuo.people.models import Dispatch
from xiezuo.projects.actions import create_project, submit_report, transition
from xiezuo.projects.models import ProgressReport
from xiezuo.regions.models import Region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = datetime.date


@pytest.fixture
def projects(users):
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    county = Region.objects.get(code="513436")
    return [create_project(users["county_office"], name=f"项目{i}", category="industry", county=county, pairing=pair,
                           planned_start=D(2026, 1, 1), planned_end=D(2026, 12, 31)) for i in range(3)]


def report(i, project, week="2026-11-18", percent=50):
    return {"type": "report", "client_id": f"r-{i}", "project": project.code, "week": week, "percent": percent, "done": "进展"}


def test_a_good_batch_applies_and_is_audited(users, projects):
    items = [report(i, p) for i, p in enumerate(projects)]
    outcome = ingest(users["county_office"], items)
    assert (outcome.applied, outcome.duplicates, outcome.refused) == (3, 0, [])
    assert ProgressReport.objects.filter(project__in=projects).count() == 3
    projects[0].refresh_from_db()
    assert projects[0].percent_done == 50 and projects[0].last_report_week == D(2026, 11, 16)
    entries = AuditEntry.objects.filter(object_type="projects.progressreport", username="county_office")
    assert entries.count() == 3


def test_retrying_the_same_batch_posts_once(users, projects):
    items = [report(i, p) for i, p in enumerate(projects)]
    ingest(users["county_office"], items)
    again = ingest(users["county_office"], items)
    assert (again.applied, again.duplicates) == (0, 3)
    assert ProgressReport.objects.filter(project__in=projects).count() == 3


def test_same_client_id_with_another_body_is_refused(users, projects):
    ingest(users["county_office"], [report(0, projects[0])])
    outcome = ingest(users["county_office"], [report(0, projects[0], percent=60)])
    assert outcome.refused[0]["field"] == "client_id"


def test_one_bad_item_refuses_the_whole_batch_and_names_every_problem(users, projects):
    transition(users["county_office"], projects[2], "cancelled")
    items = [report(0, projects[0]), report(1, projects[1], percent=140), report(2, projects[2]),
             {"type": "report", "client_id": "r-3", "project": "NOPE", "week": "2026-11-18", "percent": 1},
             {"type": "gossip", "client_id": "r-4"}, report(5, projects[0], week="18/11/2026")]
    outcome = ingest(users["county_office"], items)
    assert outcome.applied == 0
    got = {(r["index"], r["field"]) for r in outcome.refused}
    assert got == {(1, "percent"), (2, "project"), (3, "project"), (4, "type"), (5, "week")}
    assert "cancelled" in next(r["reason"] for r in outcome.refused if r["index"] == 2)
    assert not ProgressReport.objects.filter(project__in=projects).exists()


def test_out_of_scope_and_read_only_users_are_refused(users, projects):
    for name in ("viewer", "auditor"):
        outcome = ingest(users[name], [report(0, projects[0])])
        assert outcome.refused and outcome.applied == 0


def test_oversized_and_repeated_ids(users, projects):
    assert ingest(users["national"], [{}] * (MAX_ITEMS + 1)).refused[0]["field"] == "items"
    outcome = ingest(users["national"], [report(0, projects[0]), report(0, projects[1])])
    assert outcome.refused[0]["index"] == 1 and "repeated" in outcome.refused[0]["reason"]


def test_dispatch_records(users):
    east = Organisation.objects.get(kind="office", region__code="330212")
    west = Organisation.objects.get(kind="office", region__code="513436")
    good = {"type": "dispatch", "client_id": "d-1", "person_name": "赵老师", "kind": "education", "direction": "e2w",
            "from_org": east.id, "to_org": west.id, "planned_start": "2026-03-01", "planned_end": "2027-02-28", "actual_start": "2026-03-01"}
    bad = dict(good, client_id="d-2", direction="w2e")
    outcome = ingest(users["county_office"], [good, bad])
    assert outcome.applied == 0 and outcome.refused[0]["index"] == 1
    outcome = ingest(users["county_office"], [good])
    assert outcome.applied == 1
    assert Dispatch.objects.filter(person_name="赵老师").count() == 1


def test_report_text_is_capped_like_the_api(users, projects):
    items = [report(0, projects[0]) | {"done": "做" * 5000, "problems": "难" * 5000},
             report(1, projects[1]) | {"done": "做" * 5001},
             report(2, projects[2]) | {"problems": "x" * 5001},
             report(3, projects[0], week="2026-11-25") | {"done": "a\x00b"},
             report(4, projects[1], week="2026-11-25") | {"problems": 7}]
    outcome = ingest(users["county_office"], items)
    assert {(r["index"], r["field"]) for r in outcome.refused} == {(1, "done"), (2, "problems"), (3, "done"), (4, "problems")}
    assert "5000" in next(r["reason"] for r in outcome.refused if r["index"] == 1)
    assert ingest(users["county_office"], items[:1]).applied == 1
    assert ProgressReport.objects.get(project=projects[0]).done == "做" * 5000


def test_reports_are_audited_like_single_saves(users, projects):
    """One audit row per report created or amended (with what it replaced), with before and
    after as the signal handler writes; the project's copy of its latest report moves with
    no row of its own, as with a single report (`Project.audit_exclude`)."""
    county = users["county_office"]
    ingest(county, [report(0, projects[0], week="2026-11-18", percent=30)])
    outcome = ingest(county, [report(1, projects[0], week="2026-11-18", percent=40),  # amends the same week
                              report(2, projects[0], week="2026-11-11", percent=10)])  # an older week: project unchanged
    assert outcome.applied == 2
    rows = AuditEntry.objects.filter(object_type="projects.progressreport").order_by("id")
    assert [r.action for r in rows] == ["create", "update", "create"]
    amended = rows[1]
    assert amended.before["percent"] == 30 and amended.after["percent"] == 40
    assert amended.region_code == "513436" and amended.other_region_code == "330212" and amended.username == "county_office"
    assert amended.request_id and amended.via
    assert not AuditEntry.objects.filter(object_type="projects.project", object_id=str(projects[0].pk), action="update").exists()
    projects[0].refresh_from_db()
    assert (projects[0].last_report_week, projects[0].percent_done) == (D(2026, 11, 16), 40)
    submit_report(county, projects[0], week=D(2026, 11, 25), percent=55)  # one at a time: the same log
    assert not AuditEntry.objects.filter(object_type="projects.project", object_id=str(projects[0].pk), action="update").exists()
    assert AuditEntry.objects.filter(object_type="projects.progressreport").latest("id").after["percent"] == 55


@pytest.fixture
def offices():
    return (Organisation.objects.get(kind="office", region__code="330212"),
            Organisation.objects.get(kind="office", region__code="513436"))


def dispatch(i, east, west, **fields):
    return {"type": "dispatch", "client_id": f"d-{i}", "person_name": f"老师{i}", "kind": "education", "direction": "e2w",
            "from_org": east.id, "to_org": west.id, "planned_start": "2026-03-01", "planned_end": "2027-02-28", **fields}


def test_dispatch_id_numbers_are_kept_checked_and_never_audited(users, offices):
    east, west = offices
    good = dispatch(1, east, west, id_number="51343619900101123x")
    bad = [dispatch(2, east, west, id_number="12345"), dispatch(3, east, west, id_number="5134361990010112AB"),
           dispatch(4, east, west, id_number=513436199001011234), dispatch(5, east, west, person_name="名" * 51)]
    outcome = ingest(users["county_office"], [good, *bad])
    assert {(r["index"], r["field"]) for r in outcome.refused} == {(1, "id_number"), (2, "id_number"), (3, "id_number"),
                                                                    (4, "person_name")}
    assert ingest(users["county_office"], [good]).applied == 1
    d = Dispatch.objects.get(client_id="d-1")
    assert d.id_number == "51343619900101123X"
    entry = AuditEntry.objects.get(object_type="people.dispatch", object_id=str(d.pk))
    assert "id_number" not in entry.after and "51343619900101123X" not in str(entry.after)
    assert entry.region_code == "513436" and entry.other_region_code == "330212"


def test_dispatch_pairing_must_exist_be_visible_and_link_the_sides(users, offices):
    east, west = offices
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    province_pair = Pairing.objects.get(kind="province", east_region__code="330000", west_region__code="510000")
    elsewhere = Pairing.objects.exclude(east_region__code__startswith="33").exclude(west_region__code__startswith="51").first()
    items = [dispatch(1, east, west, pairing=pair.id),  # the county pairing of the two offices
             dispatch(2, east, west, pairing=province_pair.id),  # the county office does not see its province's pairing
             dispatch(3, east, west, pairing=999999),  # no such pairing
             dispatch(4, east, west, pairing=elsewhere.id),  # another pair: not visible to the county office
             dispatch(5, east, west, pairing="x")]
    outcome = ingest(users["county_office"], items)
    assert {(r["index"], r["field"]) for r in outcome.refused} == {(1, "pairing"), (2, "pairing"), (3, "pairing"), (4, "pairing")}
    # the national coordinator sees every pairing, and still cannot file a record under one that does not link the sides
    outcome = ingest(users["national"], [dispatch(6, east, west, pairing=elsewhere.id)])
    assert [(r["index"], r["field"]) for r in outcome.refused] == [(0, "pairing")]
    assert "does not link" in outcome.refused[0]["reason"]
    assert ingest(users["county_office"], items[:1]).applied == 1
    # the province office sees its province pairing, which contains both offices' regions
    assert ingest(users["west_office"], [items[1]]).applied == 1
    assert set(Dispatch.objects.filter(client_id__in=["d-1", "d-2"]).values_list("pairing_id", flat=True)) == {pair.id, province_pair.id}


def test_dispatch_client_id_already_on_a_record_is_refused(users, offices):
    from xiezuo.people.actions import save_dispatch

    east, west = offices
    save_dispatch(users["county_office"], None, person_name="王医生", kind="medical", direction="e2w", from_org=east, to_org=west,
                  planned_start=D(2026, 1, 1), planned_end=D(2026, 12, 31), client_id="d-9")
    outcome = ingest(users["county_office"], [dispatch(9, east, west)])
    assert [(r["index"], r["field"]) for r in outcome.refused] == [(0, "client_id")]


def test_a_refused_batch_leaves_nothing_behind(users, projects, offices):
    east, west = offices
    before = AuditEntry.objects.count()
    outcome = ingest(users["county_office"], [report(0, projects[0]), dispatch(1, east, west), report(2, projects[1], percent=-1)])
    assert outcome.applied == 0 and len(outcome.refused) == 1
    assert AuditEntry.objects.count() == before
    assert not ProgressReport.objects.filter(project__in=projects).exists() and not Dispatch.objects.filter(client_id="d-1").exists()


@pytest.fixture
def facts():
    """What `facts_changed` was sent with: [(region codes, date)]."""
    from xiezuo.core.facts import facts_changed

    sent = []

    def receiver(sender, region_codes, date, **kwargs):
        sent.append((set(region_codes), date))

    facts_changed.connect(receiver, dispatch_uid="test_ingest_facts")
    yield sent
    facts_changed.disconnect(dispatch_uid="test_ingest_facts")


def test_a_single_report_marks_its_county_and_the_eastern_side_on_its_week(users, projects, facts):
    facts.clear()
    submit_report(users["county_office"], projects[0], week=D(2026, 11, 18), percent=20)
    assert facts == [({"513436", "330212"}, D(2026, 11, 16))]


def test_a_batch_of_reports_marks_the_union_of_regions_once_from_its_earliest_week(users, projects, facts):
    from xiezuo.projects.actions import submit_reports
    from xiezuo.projects.reports import ReportIn

    unpaired = create_project(users["county_office"], name="无结对项目", category="industry", county=Region.objects.get(code="513436"),
                              planned_start=D(2026, 1, 1), planned_end=D(2026, 12, 31))
    facts.clear()
    submit_reports(users["county_office"], [ReportIn(unpaired.code, D(2026, 11, 18), 10), ReportIn(projects[0].code, D(2026, 11, 4), 5)])
    assert facts == [({"513436", "330212"}, D(2026, 11, 2))]
    facts.clear()
    ingest(users["county_office"], [report(0, projects[1], week="2026-11-25"), report(1, projects[2], week="2026-11-11")])
    assert facts == [({"513436", "330212"}, D(2026, 11, 9))]


def test_a_refused_batch_of_reports_names_each_position_and_writes_nothing(users, projects, facts):
    from xiezuo.core.errors import BatchRefused
    from xiezuo.projects.actions import submit_reports
    from xiezuo.projects.reports import ReportIn

    facts.clear()
    with pytest.raises(BatchRefused) as refused:
        submit_reports(users["county_office"], [ReportIn(projects[0].code, D(2026, 11, 18), 10), ReportIn(projects[1].code, D(2026, 11, 18), 101),
                                                ReportIn("NOPE", D(2026, 11, 18), 1)])
    assert sorted(refused.value.refused) == [1, 2]
    assert set(refused.value.refused[1]) == {"percent"} and set(refused.value.refused[2]) == {"project"}
    assert not ProgressReport.objects.filter(project__in=projects).exists() and facts == []


def test_a_dispatch_marks_its_organisations_regions_on_its_start(users, offices, facts):
    from xiezuo.people.actions import save_dispatch

    east, west = offices
    facts.clear()
    save_dispatch(users["county_office"], None, person_name="王医生", kind="medical", direction="e2w", from_org=east, to_org=west,
                  planned_start=D(2026, 3, 1), planned_end=D(2026, 12, 31), actual_start=D(2026, 2, 20))
    assert facts == [({east.region.code, west.region.code}, D(2026, 2, 20))]
    facts.clear()
    ingest(users["county_office"], [dispatch(1, east, west), dispatch(2, east, west, planned_start="2026-01-05")])
    assert facts == [({east.region.code, west.region.code}, D(2026, 1, 5))]


def test_a_batch_of_dispatches_keeps_the_rules_of_one(users, offices):
    """`save_dispatches` refuses what `save_dispatch` refuses, by position, and writes nothing."""
    from xiezuo.core.errors import BatchRefused
    from xiezuo.people.actions import save_dispatches
    from xiezuo.people.dispatches import DispatchRow

    east, west = offices

    def row(name, direction="e2w"):
        d = DispatchRow(name, "education", direction)
        d.from_org, d.to_org, d.planned_start, d.planned_end = east, west, D(2026, 3, 1), D(2027, 2, 28)
        return d

    with pytest.raises(BatchRefused) as refused:
        save_dispatches(users["county_office"], [row("张老师"), row("李老师", direction="w2e"), row("")])
    assert sorted(refused.value.refused) == [1, 2]
    assert not Dispatch.objects.filter(person_name="张老师").exists()
    [pk] = save_dispatches(users["county_office"], [row("张老师")])
    assert AuditEntry.objects.filter(object_type="people.dispatch", object_id=str(pk)).exists()
