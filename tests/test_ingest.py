"""Bulk ingestion: all-or-nothing, idempotent by client id, every refusal explained."""
import datetime

import pytest

from xiezuo.core.models import AuditEntry
from xiezuo.ingest.batch import MAX_ITEMS, ingest
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Pairing
from xiezuo.people.models import Dispatch
from xiezuo.projects.actions import create_project, transition
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
