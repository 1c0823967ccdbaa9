"""Two offices creating projects in one county at the same moment get two codes, not a
duplicate-key error for one of them (PostgreSQL, committed transactions)."""
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from tests.ledger.test_concurrency import ensure_seeded, in_parallel, reload_session_data  # noqa: F401 - reloads what the test empties
from xiezuo.projects.actions import create_project
from xiezuo.regions.models import Region

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(connection.vendor != "postgresql", reason="two writers at once need PostgreSQL")]


def test_two_projects_created_at_once_in_one_county_get_two_codes():
    ensure_seeded()
    national = get_user_model().objects.get(username="national")
    county = Region.objects.get(code="513436")
    today = timezone.localdate()

    def work(i):
        p = create_project(national, name=f"同时立项{i}", category="industry", county=county,
                           planned_start=today, planned_end=today + datetime.timedelta(days=300))
        return p.code

    results, errors = in_parallel(4, work)
    assert errors == [None] * 4, errors
    assert len(set(results)) == 4
