"""The dashboard's channel and market panel: loaded after the page, in the office's view,
with the figures the channels' own pages compute, and no person in it."""
import re

import pytest
from django.core.cache import cache

from xiezuo.consumption.demo import seed_demo as seed_consumption
from xiezuo.households.demo import seed_demo as seed_households
from xiezuo.households.models import Member
from xiezuo.labour.demo import seed_demo as seed_labour
from xiezuo.labour.figures import office_figures
from xiezuo.markets.demo import seed_demo as seed_markets
from xiezuo.social.demo import seed_demo as seed_social

ID_NUMBER = re.compile(r"\b\d{17}[\dX]\b")


@pytest.fixture
def channels_demo(users):
    seed_households()
    seed_labour()
    seed_consumption()
    seed_social()
    seed_markets()
    cache.clear()


def test_the_page_loads_the_panel_after_itself(client_as, channels_demo):
    page = client_as("county_office").get("/dashboard/")
    assert page.status_code == 200
    assert 'hx-get="/dashboard/?partial=channels"' in page.content.decode()


@pytest.mark.parametrize("username", ["national", "east_office", "west_office", "county_office", "viewer", "auditor"])
def test_every_office_sees_the_panel_without_any_person(client_as, channels_demo, username):
    panel = client_as(username).get("/dashboard/?partial=channels")
    assert panel.status_code == 200
    html = panel.content.decode()
    assert 'data-testid="channels"' in html
    assert not ID_NUMBER.search(html)
    for number in Member.objects.values_list("id_number", flat=True)[:50]:
        assert number not in html


def test_the_panel_shows_the_labour_figures_of_the_office(client_as, users, channels_demo):
    mine = office_figures(users["county_office"])
    html = client_as("county_office").get("/dashboard/?partial=channels").content.decode()
    assert mine["placed"] > 0
    assert re.search(rf">\s*{mine['placed']:,}\s*<span", html)


def test_the_panel_needs_a_signed_in_office(client_as, channels_demo):
    assert client_as(None).get("/dashboard/?partial=channels").status_code == 302
