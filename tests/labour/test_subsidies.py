"""Subsidies as data per county and year (the issue's real rules), paid through the ledger,
never twice for the same worker, subsidy and year — also under two requests at once."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from xiezuo.labour import actions
from xiezuo.labour.models import SubsidyPayment
from xiezuo.ledger.choices import Kind
from xiezuo.ledger.models import Posting

pytestmark = pytest.mark.django_db


def _checks(users, placement, months=(3,), wage_months=3, employed=True):
    today = timezone.localdate()
    for m in months:
        actions.record_check(users["county_office"], placement=placement, milestone=m, checked_on=today, employed=employed,
                             wage_months=min(wage_months, m))


def test_transport_and_labour_subsidy_for_out_of_province_work(users, placement, rules, labour_project):
    assert placement.place_kind == "out_of_province" and placement.in_paired_province
    _checks(users, placement)
    t = actions.pay_subsidy(users["county_office"], placement=placement, kind="transport", project=labour_project)
    assert t.amount_fen == 1000_00
    lab = actions.pay_subsidy(users["county_office"], placement=placement, kind="labour", project=labour_project)
    assert lab.amount_fen == 6000_00 * 3 // 10  # 10 % of three months of 6,000元
    posting = Posting.objects.get(pk=lab.posting_id)
    assert posting.kind == Kind.SPENDING and posting.amount_fen == lab.amount_fen and posting.project_id == labour_project.pk


def test_transport_claim_below_the_cap(users, placement, rules, labour_project):
    _checks(users, placement)
    t = actions.pay_subsidy(users["county_office"], placement=placement, kind="transport", project=labour_project, claimed_fen=420_00)
    assert t.amount_fen == 420_00


def test_no_wage_evidence_no_subsidy(users, placement, rules, labour_project, english):
    _checks(users, placement, wage_months=2)
    with pytest.raises(ValidationError) as exc:
        actions.pay_subsidy(users["county_office"], placement=placement, kind="labour", project=labour_project)
    assert "3 months of wage transfers, 2 are recorded" in str(exc.value)


def test_within_province_gets_no_transport_grant(users, worker, local_employer, rules, labour_project, english):
    p = actions.record_placement(users["county_office"], worker=worker, employer=local_employer, place=worker.county,
                                 start_date=timezone.localdate() - datetime.timedelta(days=120), monthly_wage_fen=3000_00)
    assert p.place_kind == "in_county" and not p.in_paired_province
    _checks(users, p)
    with pytest.raises(ValidationError) as exc:
        actions.pay_subsidy(users["county_office"], placement=p, kind="transport", project=labour_project)
    assert "outside the province" in str(exc.value)


@pytest.mark.parametrize("months, amount", [((3,), 300_00), ((3, 6), 700_00), ((3, 6, 12), 1500_00)])
def test_employer_tiers(users, placement, rules, labour_project, months, amount):
    placement.start_date = timezone.localdate() - datetime.timedelta(days=400)
    placement.save()
    _checks(users, placement, months=months)
    pay = actions.pay_subsidy(users["county_office"], placement=placement, kind="employer", project=labour_project)
    assert pay.amount_fen == amount


def test_paid_once_per_worker_subsidy_and_year(users, placement, rules, labour_project, english):
    _checks(users, placement)
    first = actions.pay_subsidy(users["county_office"], placement=placement, kind="transport", project=labour_project)
    with pytest.raises(ValidationError) as exc:
        actions.pay_subsidy(users["county_office"], placement=placement, kind="transport", project=labour_project)
    assert f"payment #{first.pk}" in str(exc.value)
    assert SubsidyPayment.objects.filter(worker=placement.worker, kind="transport").count() == 1


def test_eastern_office_cannot_pay(users, placement, rules, labour_project):
    _checks(users, placement)
    with pytest.raises(Exception):
        actions.pay_subsidy(users["east_office"], placement=placement, kind="transport", project=labour_project)
    assert not SubsidyPayment.objects.exists()


def test_unique_constraint_is_the_last_word(users, placement, rules, labour_project):
    from django.db import IntegrityError, transaction

    _checks(users, placement)
    pay = actions.pay_subsidy(users["county_office"], placement=placement, kind="transport", project=labour_project)
    with pytest.raises(IntegrityError), transaction.atomic():
        SubsidyPayment.objects.create(worker=pay.worker, placement=pay.placement, rule=pay.rule, kind="transport", year=pay.year,
                                      amount_fen=1, paid_on=pay.paid_on, project=labour_project)
    assert connection.vendor in ("sqlite", "postgresql")
