"""Bulk-written ledger flows (the national dataset) are chained exactly as the actions chain
them and keep the actions' rules: verify accepts them, nothing is overdrawn or booked in
the future, and ordinary postings append after them."""
import datetime
import random

import pytest
from django.db.models import F
from django.utils import timezone

from xiezuo.ledger import actions as ledger
from xiezuo.ledger.balances import balances, totals
from xiezuo.ledger.chain import verify
from xiezuo.ledger.choices import Kind
from xiezuo.ledger.generate import generate_flows
from xiezuo.ledger.models import Account, Entry, Posting
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.projects.models import Project

pytestmark = pytest.mark.django_db


def test_generated_flows_verify_and_keep_the_rules(users):
    today = timezone.localdate()
    rng = random.Random(7)
    pairs = list(Pairing.objects.filter(kind="county").select_related("east_region", "west_region"))
    offices = {o.region_id: o for o in Organisation.objects.filter(kind="office", region__in=[r for p in pairs for r in (p.east_region, p.west_region)])}
    aid = {(a.pairing_id, a.year): a.fiscal_aid_fen for a in Agreement.objects.filter(pairing__in=pairs)}
    meta = []
    for i, p in enumerate(pairs * 3):
        year = 2024 + i % 3
        start = datetime.date(year, 2, 1) + datetime.timedelta(days=17 * i)
        end = start + datetime.timedelta(days=200)
        project = Project.objects.create(code=f"GEN-{i}", name=f"生成项目{i}", category="industry", county=p.west_region, pairing=p,
                                         status="in_progress", planned_start=start, planned_end=end)
        meta.append((project.id, start, end, "in_progress", False, p))

    written = generate_flows(meta=meta, aid=aid, offices=offices, pairs=pairs, rng=rng, today=today)
    assert written == Entry.objects.count() > 100
    verdict = verify(chunk_size=97)
    assert verdict.ok, verdict.problem
    debits, credits = totals()
    assert debits == credits
    assert all(v >= 0 for v in balances(Account.objects.all()).values())
    assert not Posting.objects.filter(booked_on__gt=today).exists()
    assert not Posting.objects.filter(kind=Kind.ARRIVAL, arrived_on__lt=F("allocation__booked_on")).exists()
    assert Posting.objects.filter(kind=Kind.SPENDING).exists() and Posting.objects.filter(kind=Kind.DISBURSEMENT).exists()

    # the actions carry on the same chain
    agreement = Agreement.objects.get(pairing__kind="county", pairing__east_region__code="330212",
                                  pairing__west_region__code="513436", year=today.year)
    ledger.allocate(users["east_office"], agreement=agreement, amount_fen=100, idempotency_key="after-bulk")
    assert verify().ok
