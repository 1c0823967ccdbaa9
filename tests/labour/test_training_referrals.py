"""Order-based training: enrolment with attendance and certificate; referral outcomes."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from xiezuo.labour import actions

pytestmark = pytest.mark.django_db


def test_enrolment_attendance_and_certificate(users, worker, employer, english):
    t = actions.save_training(users["county_office"], county=worker.county, course="电子装配订单班", employer=employer,
                              committed_hires=10, starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 3, 20))
    e = actions.enrol(users["county_office"], t, worker, days_attended=18, certificate_no="ZS-2026-001")
    assert (e.days_attended, e.certificate_no) == (18, "ZS-2026-001")
    with pytest.raises(ValidationError):
        actions.enrol(users["county_office"], t, worker, days_attended=30)
    with pytest.raises(PermissionDenied):
        actions.enrol(users["east_office"], t, worker, days_attended=1)


def test_referral_outcome_page(client_as, users, worker, employer, yinzhou):
    job = actions.save_job(users["east_office"], employer=employer, title="装配工", place=yinzhou, positions=1,
                           wage_min_fen=1, wage_max_fen=2, skills=["普工"])
    r = actions.refer(users["county_office"], worker, job, reason="技能：普工")
    client_as("county_office").post(reverse("labour-referral-outcome", args=[r.pk]), {"outcome": "hired"})
    r.refresh_from_db()
    assert r.outcome == "hired" and r.outcome_on is not None
    client_as("east_office").post(reverse("labour-referral-outcome", args=[r.pk]), {"outcome": "rejected"})
    r.refresh_from_db()
    assert r.outcome == "hired"  # the eastern office cannot change the western county's referral
    with pytest.raises(ValidationError):
        actions.refer(users["county_office"], worker, job)  # referred once
