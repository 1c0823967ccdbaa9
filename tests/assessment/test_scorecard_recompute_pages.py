"""Scorecard pages before a quarter is computed, and computing one from the page: equal
composites of the demo alone share a rank, the national coordinator recomputes a period
(or hands it to a worker when a broker is configured), a period not computed says so.

Apart from tests/assessment/test_scorecard_pages.py, whose tests share one world computed for 2025Q2.
"""
import re

import pytest
from django.urls import reverse

from xiezuo.assessment.compute import recompute
from xiezuo.assessment.models import Score

from tests.assessment.test_assessment import AS_OF, Q2, build
from tests.assessment.test_scorecard_pages import card_url, en, row_of, text

pytestmark = pytest.mark.django_db


def test_composites_on_too_little_data_are_shown_incomplete_and_unranked(users, client_as):
    recompute(Q2, as_of=AS_OF)  # the demo alone: the three paired key counties have only their agreements' rigidity
    html = text(client_as("national").get(reverse("scorecard-list") + "?period=2025Q2&peer_group=key"))
    for key in ("region:513429", "region:513431", "region:513436"):
        row = row_of(html, key)
        assert re.search(r'data-testid="rank">—<', row) and 'data-grade="incomplete"' in row, key


# --- recompute -----------------------------------------------------------------------------


def test_the_national_coordinator_recomputes_a_period(world_users, client_as):
    assert not Score.objects.filter(period_label="2025Q3").exists()
    response = client_as("national").post(reverse("scorecard-recompute"), {"period": "2025Q3"})
    assert response.status_code == 302 and "period=2025Q3" in response["Location"]
    assert Score.objects.filter(period_label="2025Q3", system__number=1).exists()
    assert 'data-testid="recompute"' in text(client_as("national").get(reverse("scorecard-list")))
    for name in ("west_office", "auditor", "county_office"):
        assert client_as(name).post(reverse("scorecard-recompute"), {"period": "2025Q4"}).status_code == 403
        assert 'data-testid="recompute"' not in text(client_as(name).get(reverse("scorecard-list")))
    assert not Score.objects.filter(period_label="2025Q4").exists()


def test_with_a_broker_the_recompute_button_hands_the_period_to_a_worker(world_users, client_as, monkeypatch):
    from xiezuo.assessment import tasks
    from xiezuo.celery import app

    sent = []
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(tasks.recompute_period, "delay", lambda *args: sent.append(args))
    response = en(client_as("national")).post(reverse("scorecard-recompute"), {"period": "2025Q3"}, follow=True)
    assert sent == [("2025Q3",)]
    assert "2025Q3 is being recomputed in the background." in text(response)
    assert not Score.objects.filter(period_label="2025Q3").exists()


@pytest.fixture
def world_users(users):
    build(users)
    return users


def test_a_period_not_computed_says_so(world_users, client_as):
    html = text(client_as("national").get(reverse("scorecard-list") + "?period=2024Q1"))
    assert 'data-testid="not-computed"' in html
    assert client_as("county_office").get(card_url("region", "513436", period="2024Q1")).status_code == 200
