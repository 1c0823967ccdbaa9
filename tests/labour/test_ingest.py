"""Placements and retention checks through POST /api/v1/ingest: the labour app's rules, all or
nothing, retries recognised by client id."""
import datetime

import pytest
from django.utils import timezone

from xiezuo.core.models import AuditEntry
from xiezuo.ingest.batch import ingest
from xiezuo.labour.models import Placement, RetentionCheck

pytestmark = pytest.mark.django_db


def test_placements_then_checks(users, worker, employer, english):
    start = (timezone.localdate() - datetime.timedelta(days=100)).isoformat()
    items = [{"type": "placement", "client_id": "p-1", "worker": worker.pk, "employer": employer.pk, "place": "330212",
              "start_date": start, "occupation_code": "6-25-04-01", "monthly_wage_fen": 580000}]
    out = ingest(users["county_office"], items)
    assert out.ok and out.applied == 1
    p = Placement.objects.get(client_id="p-1")
    assert p.place_kind == "out_of_province" and p.in_paired_province and p.county.code == "513436"
    assert AuditEntry.objects.filter(object_type="labour.placement", object_id=str(p.pk)).exists()
    again = ingest(users["county_office"], items)
    assert again.ok and again.duplicates == 1 and Placement.objects.count() == 1
    check = [{"type": "retention_check", "client_id": "c-1", "placement": p.pk, "milestone": 3,
              "checked_on": timezone.localdate().isoformat(), "employed": True, "wage_months": 3}]
    out = ingest(users["east_office"], check)  # the office where the worker works
    assert out.ok and RetentionCheck.objects.get(placement=p).employed


def test_refused_items_write_nothing(users, worker, employer, english):
    start = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    items = [
        {"type": "placement", "client_id": "a", "worker": worker.pk, "employer": employer.pk, "place": "330212", "start_date": start},
        {"type": "placement", "client_id": "b", "worker": worker.pk, "employer": employer.pk, "place": "330212", "start_date": start},
        {"type": "placement", "client_id": "c", "worker": 999999, "employer": employer.pk, "place": "99", "start_date": "2026-13-01"},
        {"type": "retention_check", "client_id": "d", "placement": 999999, "milestone": 5, "checked_on": start, "employed": "yes"},
    ]
    out = ingest(users["county_office"], items)
    fields = {(r["index"], r["field"]) for r in out.refused}
    assert (1, "worker") in fields  # the same placement twice in the batch
    assert {(2, "worker"), (2, "place"), (2, "start_date"), (3, "placement"), (3, "employed")} <= fields
    assert not Placement.objects.exists()


def test_eastern_office_cannot_place_western_workers(users, worker, employer, english):
    out = ingest(users["east_office"], [{"type": "placement", "client_id": "x", "worker": worker.pk, "employer": employer.pk,
                                         "place": "330212", "start_date": "2026-01-05"}])
    assert not out.ok and out.refused[0]["field"] == "worker"
