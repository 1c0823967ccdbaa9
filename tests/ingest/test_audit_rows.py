"""The audit rows a batch writes are the ones single saves would write: same snapshot of
every record as `core.audit.snapshot` takes it from the stored row, same text and regions."""
import pytest

from xiezuo.core.audit import snapshot
from xiezuo.core.models import AuditEntry
from xiezuo.ingest.batch import ingest
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Pairing
from xiezuo.people.models import Dispatch
from xiezuo.projects.models import ProgressReport

from .test_ingest import dispatch, projects, report  # noqa: F401  (projects is a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_dispatch_audit_rows_match_the_stored_records(users):
    east = Organisation.objects.get(kind="office", region__code="330212")
    west = Organisation.objects.get(kind="office", region__code="513436")
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    items = [dispatch(1, east, west), dispatch(2, west, east, direction="w2e", pairing=pair.pk, actual_start="2026-03-02"),
             dispatch(3, east, west, pairing=pair.pk, actual_start="2026-03-01", actual_end="2026-12-01")]
    assert ingest(users["county_office"], items).applied == 3
    for i in (1, 2, 3):
        d = Dispatch.objects.get(client_id=f"d-{i}")
        entry = AuditEntry.objects.get(object_type="people.dispatch", object_id=str(d.pk))
        assert entry.action == "create" and entry.before is None
        assert entry.after == snapshot(d)
        assert entry.object_repr == str(d)
        assert (entry.region_code, entry.other_region_code) == (d.audit_region_code(), d.audit_other_region_code())


def test_report_audit_rows_match_the_stored_reports(users, projects):  # noqa: F811
    user = users["county_office"]
    assert ingest(user, [report(1, projects[0]), report(2, projects[1], percent=70)]).applied == 2
    assert ingest(user, [report(3, projects[0], percent=60)]).applied == 1  # amends the first
    for r in ProgressReport.objects.all():
        latest = AuditEntry.objects.filter(object_type="projects.progressreport", object_id=str(r.pk)).latest("id")
        assert latest.after == snapshot(r)
