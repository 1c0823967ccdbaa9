"""The household page lists what the labour channel did for the household: the placements of
its members registered as workers (linked by ID number), for the roles that may see the
registry's rows, never for an eastern office or a viewer, and with no full ID number."""
import datetime

import pytest

from tests.households.helpers import household
from xiezuo.labour import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(users, meigu_county, employer, yinzhou):
    county = users["county_office"]
    h = household(county, members=2)
    member = h.members.order_by("pk").first()
    worker = actions.register_worker(county, county=meigu_county, name=member.name, id_number=member.id_number,
                                     phone="13912345678", household_status="alleviated", skills=["普工"],
                                     preferred_provinces=["33"], expected_wage_fen=4500_00)
    assert worker.member_id == member.pk
    p = actions.record_placement(county, worker=worker, employer=employer, place=yinzhou, start_date=datetime.date(2026, 3, 2))
    return h, member, p


def test_the_county_sees_the_members_placement_on_the_household_page(client_as, placed):
    h, member, p = placed
    html = client_as("county_office").get(f"/households/{h.pk}/").content.decode()
    row = html.split('data-kind="placement"', 1)[1].split("</li>", 1)[0]
    assert member.name in row and p.employer.name in row and "2026-03-02" in row
    assert f"/labour/placements/{p.pk}/" in row
    assert member.id_number not in html


@pytest.mark.parametrize("username, status", [("west_office", 200), ("national", 200), ("auditor", 200),
                                              ("east_office", 404), ("viewer", 403)])
def test_who_sees_the_household_and_its_placements(client_as, placed, username, status):
    h, member, p = placed
    page = client_as(username).get(f"/households/{h.pk}/")
    assert page.status_code == status
    html = page.content.decode()
    assert ('data-kind="placement"' in html) == (status == 200)
    assert member.id_number not in html


def test_the_part_gives_nothing_to_a_role_without_the_registry(users, placed):
    from xiezuo.labour.household import household_labour

    h, _member, _p = placed
    assert household_labour(users["east_office"], h) == []
    assert len(household_labour(users["county_office"], h)) == 1
