"""Client ids and idempotency keys are each organisation's own: the Zhejiang office and the
Sichuan office may both call an item “r-1”. A retry by the same organisation is still
recognised (a duplicate, or the posting it made); the same id from another organisation is a
new item, and no refusal ever tells one office what another sent. Before, ids were one
namespace for the whole platform: the second office was refused (“used before with a
different body”, “already used for allocation #12”) or answered 409."""
import datetime

import pytest
from django.utils import timezone

from tests.support import agreement_of, county_pair
from xiezuo.ingest.batch import ingest
from xiezuo.ledger import actions as ledger
from xiezuo.ledger.choices import Kind
from xiezuo.ledger.models import Posting
from xiezuo.orgs.models import Organisation
from xiezuo.people.models import Dispatch
from xiezuo.projects.models import ProgressReport, Project
from xiezuo.regions.models import Region
from xiezuo.users.scopes import organisation_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
WAN = 10_000_00


@pytest.fixture
def pair():
    return county_pair()


@pytest.fixture
def project(pair):
    today = timezone.localdate()
    return Project.objects.create(code="NS-1", name="命名空间测试项目", category="industry", county=Region.objects.get(code="513436"),
                                  pairing=pair, status="in_progress", planned_start=today - datetime.timedelta(days=120),
                                  planned_end=today + datetime.timedelta(days=200))


def monday(weeks_ago):
    today = timezone.localdate()
    return (today - datetime.timedelta(days=today.weekday(), weeks=weeks_ago)).isoformat()


def report(client_id, project, weeks_ago, percent=10):
    return {"type": "report", "client_id": client_id, "project": project.code, "week": monday(weeks_ago), "percent": percent}


def dispatch(client_id, name="钱老师"):
    east = Organisation.objects.get(kind="office", region__code="330212")
    west = Organisation.objects.get(kind="office", region__code="513436")
    return {"type": "dispatch", "client_id": client_id, "person_name": name, "kind": "education", "direction": "e2w",
            "from_org": east.id, "to_org": west.id, "planned_start": "2026-03-01", "planned_end": "2027-02-28"}


def reasons(outcome):
    return " ".join(r["reason"] for r in outcome.refused)


def test_two_offices_may_use_the_same_report_id(users, project):
    east, west = users["east_office"], users["west_office"]
    assert organisation_of(east) != organisation_of(west)
    first = ingest(east, [report("r-1", project, 2)])
    assert (first.applied, first.refused) == (1, [])
    other = ingest(west, [report("r-1", project, 1, percent=20)])
    assert (other.applied, other.duplicates, other.refused) == (1, 0, [])  # a new item, nothing refused or named
    assert ProgressReport.objects.filter(project=project).count() == 2
    # each office's retry is still recognised as its own
    assert (ingest(east, [report("r-1", project, 2)]).duplicates, ingest(west, [report("r-1", project, 1, percent=20)]).duplicates) == (1, 1)
    changed = ingest(east, [report("r-1", project, 2, percent=30)])
    assert changed.applied == 0 and "used before" in reasons(changed)


def test_two_offices_may_use_the_same_dispatch_id(users):
    first = ingest(users["east_office"], [dispatch("d-1")])
    assert (first.applied, first.refused) == (1, [])
    other = ingest(users["west_office"], [dispatch("d-1", name="孙老师")])
    assert (other.applied, other.refused) == (1, [])
    assert Dispatch.objects.filter(client_id="d-1").count() == 2
    assert ingest(users["east_office"], [dispatch("d-1")]).duplicates == 1


def test_two_offices_may_use_the_same_posting_key(users, pair, project):
    agreement = agreement_of(pair)
    east, west = users["east_office"], users["west_office"]
    made = ingest(east, [{"type": "posting", "client_id": "k-1", "stage": "allocate", "agreement": agreement.pk, "amount_fen": 5 * WAN}])
    assert (made.applied, made.refused) == (1, [])
    allocation = Posting.objects.get(kind=Kind.ALLOCATION, idempotency_key="k-1")
    # the western office confirms the arrival under its own key “k-1”, naming the allocation by id
    today = timezone.localdate().isoformat()
    arrival = ingest(west, [{"type": "posting", "client_id": "k-1", "stage": "confirm_arrival", "allocation": allocation.pk,
                             "arrived_on": today}])
    assert (arrival.applied, arrival.refused) == (1, [])
    assert Posting.objects.filter(idempotency_key="k-1").count() == 2
    # the eastern office's retry is its own duplicate, not the western office's posting
    again = ingest(east, [{"type": "posting", "client_id": "k-1", "stage": "allocate", "agreement": agreement.pk, "amount_fen": 5 * WAN}])
    assert (again.applied, again.duplicates) == (0, 1)
    # a report id of the eastern office does not clash with the western office's posting key
    assert ingest(east, [report("k-1", project, 3)]).refused and not ingest(users["county_office"], [report("k-1", project, 3)]).refused


def test_single_postings_keep_keys_per_office(users, pair):
    agreement = agreement_of(pair)
    east, west = users["east_office"], users["west_office"]
    allocation = ledger.allocate(east, agreement=agreement, amount_fen=5 * WAN, idempotency_key="same")
    assert ledger.allocate(east, agreement=agreement, amount_fen=5 * WAN, idempotency_key="same") == allocation  # a retry
    arrival = ledger.confirm_arrival(west, allocation=allocation, arrived_on=timezone.localdate(), idempotency_key="same")
    assert arrival.pk != allocation.pk and arrival.kind == Kind.ARRIVAL
    assert ledger.confirm_arrival(west, allocation=allocation, arrived_on=timezone.localdate(), idempotency_key="same") == arrival


def test_the_api_report_client_id_is_per_office(client_as, project):
    body = {"week": monday(2), "percent": 10, "client_id": "api-1"}
    east, west = client_as("east_office"), client_as("west_office")
    assert east.post(f"/api/v1/projects/{project.code}/reports", body, content_type="application/json").status_code == 201
    other = west.post(f"/api/v1/projects/{project.code}/reports", dict(body, week=monday(1)), content_type="application/json")
    assert other.status_code == 201, other.content
    # within one office the id names one report: another week under it is refused with the field named
    clash = east.post(f"/api/v1/projects/{project.code}/reports", dict(body, week=monday(3)), content_type="application/json")
    assert clash.status_code == 422 and "client_id" in clash.json()["error"]["fields"]
