"""Two web nodes writing at once (PostgreSQL, committed transactions): the summary tables add
up both writers' changes — each update is `SET n = n + excluded.n` in the database, never a
value read, changed in Python and written back — and agree with the facts afterwards."""
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from tests.ledger.test_concurrency import ensure_seeded, in_parallel, reload_session_data  # noqa: F401 - reloads what the test empties
from tests.support import office
from xiezuo.ledger import totals as money_totals
from xiezuo.people import totals as people_totals
from xiezuo.people.actions import save_dispatches
from xiezuo.people.dispatches import DispatchRow
from xiezuo.projects import totals as project_totals
from xiezuo.projects.actions import create_project, transition
from xiezuo.regions.models import Region
from xiezuo.pairings.models import Pairing

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(connection.vendor != "postgresql", reason="two writers at once need PostgreSQL")]


def test_two_writers_at_once_add_up_in_every_summary():
    ensure_seeded()
    national = get_user_model().objects.get(username="national")
    today = timezone.localdate()
    east, west = office("330212"), office("513436")
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    county = Region.objects.get(code="513436")
    people_before = people_totals.on_post(national, today).get("education", 0)
    projects_before, _top = project_totals.counts_and_points(_scope(national))

    def work(i):
        rows = []
        for j in range(50):  # the same organisations, kind and days in both batches: the same summary rows
            d = DispatchRow(f"老师{i}-{j}", "education", "e2w", client_id=f"conc-{i}-{j}")
            d.from_org, d.to_org = east, west
            d.planned_start, d.planned_end = today - datetime.timedelta(days=10), today + datetime.timedelta(days=300)
            d.actual_start = today - datetime.timedelta(days=10)
            rows.append(d)
        save_dispatches(national, rows)
        p = create_project(national, name=f"并发项目{i}", category="industry", county=county, pairing=pair, code=f"CONC-{i}",
                           planned_start=today - datetime.timedelta(days=30), planned_end=today + datetime.timedelta(days=300))
        transition(national, p, "in_progress", on=today - datetime.timedelta(days=1))
        return p.pk  # (codes given: two `next_project_code` at once in one county choose the same code — a race of its own)

    results, errors = in_parallel(2, work)
    assert errors == [None, None], errors
    assert people_totals.on_post(national, today)["education"] == people_before + 100
    projects_after, _top = project_totals.counts_and_points(_scope(national))
    assert projects_after["in_progress"] == projects_before.get("in_progress", 0) + 2
    assert people_totals.check() == [] and project_totals.check() == [] and money_totals.check() == []


def _scope(user):
    from xiezuo.core.scoping import scope_for

    return scope_for(get_user_model().objects.get(pk=user.pk))
