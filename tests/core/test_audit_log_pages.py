"""The audit log's page and export: scoped, filtered, before and after."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.support import export_sheet, org_post
from tests.support import objs  # noqa: F401 (fixtures, defined once)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


# --- audit log -----------------------------------------------------------------------


def test_audit_log_is_scoped_and_shows_before_and_after(client_as, objs):
    client_as("county_office").post(reverse("org-edit", args=[objs["o_in"].pk]), {**org_post(objs, "o_in"), "contact": "张老师 0834-1234567"})
    west = client_as("west_office").get(reverse("audit-list"), {"object_type": "orgs.organisation", "username": "county_office"})
    assert west.status_code == 200
    page = west.content.decode()
    assert "张老师 0834-1234567" in page and 'class="diff-new"' in page
    entries = [e for e, _ in west.context["entries"]]
    assert entries and all(e.region_code.startswith("51") or e.other_region_code.startswith("51") for e in entries)
    east = client_as("east_office").get(reverse("audit-list")).context["page"]
    assert all(e.region_code.startswith("33") or e.other_region_code.startswith("33") for e in east)
    assert client_as("county_office").get(reverse("audit-list")).status_code == 403


def test_audit_log_filters(client_as):
    client = client_as("national")
    response = client.get(reverse("audit-list"), {"action": "create", "object_type": "pairings.pairing"})
    entries = list(response.context["page"])
    assert entries and {(e.action, e.object_type) for e in entries} == {("create", "pairings.pairing")}
    request_id = entries[0].request_id
    same = client.get(reverse("audit-list"), {"request_id": request_id}).context["page"]
    assert {e.request_id for e in same} == {request_id}
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    assert len(client.get(reverse("audit-list"), {"date_from": tomorrow}).context["page"]) == 0
    assert len(client.get(reverse("audit-list"), {"date_to": TODAY.isoformat()}).context["page"]) > 0


# --- exports -------------------------------------------------------------------------


def test_audit_export_is_scoped(client_as):
    _, rows, _ = export_sheet(client_as("east_office").get(reverse("audit-list"), {"format": "xlsx"}))
    assert rows and all(r[7].startswith("33") or r[8].startswith("33") for r in rows)
    assert client_as("viewer").get(reverse("audit-list"), {"format": "xlsx"}).status_code == 403
