"""Pages of a sane size at national scale (issue 13): the national dashboard once sent 750 KB
of HTML (its Sankey by western county, every county's point); it and the other main pages
must stay under a size a slow link loads at once. Measured on a small generated nation,
which has every real pairing (the home map's lines) and a project in most western counties
(the dashboard's points), the parts whose size does not shrink with the scale."""
import datetime

import pytest

from tests.support import shared_world
from xiezuo.datagen import national

TODAY = datetime.date(2026, 11, 30)
KB = 1024
PAGES = ("/funds/", "/funds/postings/", "/projects/", "/people/", "/pairings/", "/orgs/", "/scorecards/", "/weekly/")


@pytest.fixture(scope="module")
def nation(django_db_setup, django_db_blocker):
    with shared_world(django_db_blocker):
        national.generate(scale=0.002, seed=5, today=TODAY, log=lambda *_a: None)
        yield


def _size(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(response.content)


@pytest.mark.parametrize("role", ["national", "west_office", "county_office"])
def test_the_dashboard_is_under_200_kb(nation, client_as, role):
    assert _size(client_as(role), "/dashboard/") < 200 * KB


@pytest.mark.parametrize("role", ["national", "west_office"])
def test_the_main_pages_are_under_300_kb(nation, client_as, role):
    client = client_as(role)
    sizes = {path: _size(client, path) for path in PAGES}
    assert all(size < 300 * KB for size in sizes.values()), sizes


@pytest.mark.xfail(strict=True, reason="the home map embeds every city and county pairing line and point (about 370 KB "
                                       "nationally); to be fetched when the map is zoomed")
def test_the_national_home_page_is_under_300_kb(nation, client_as):
    assert _size(client_as("national"), "/") < 300 * KB
