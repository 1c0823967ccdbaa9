"""A household is found by its head's name through the name's keyed hash: the column holds
the hash, never the name, it follows a change of name, and an erased member's is cleared."""
import pytest
from django.db import connection

from xiezuo.core.personal.crypto import blind_index
from xiezuo.households.lookup import find_households, masked_head
from xiezuo.households.models import Member

from .helpers import household

pytestmark = pytest.mark.django_db


def test_the_name_is_found_through_its_keyed_hash(users):
    h = household(users["county_office"], members=2)
    head = h.members.get(relation="head")
    assert head.name_index == blind_index("name", head.name) != head.name
    with connection.cursor() as cur:
        cur.execute(f"SELECT name, name_index FROM {Member._meta.db_table} WHERE id = %s", [head.pk])
        stored_name, stored_index = cur.fetchone()
    assert head.name not in stored_name and head.name not in stored_index
    assert find_households(users["county_office"], h.county, head.name) == [h]
    head.name = "吉克阿衣"
    head.save()
    assert find_households(users["county_office"], h.county, "吉克阿衣") == [h]
    assert find_households(users["county_office"], h.county, "阿依0") == []
    shown = masked_head(h)
    assert shown["name"] == "吉克阿衣" and head.id_number not in shown["id_number"] and "*" in shown["id_number"]


@pytest.mark.parametrize("role, found", [("county_office", True), ("west_office", True), ("national", True), ("auditor", True),
                                         ("east_office", False), ("viewer", False)])
def test_who_may_look_households_up(users, role, found):
    h = household(users["county_office"])
    assert (find_households(users[role], h.county, h.number) == [h]) is found


def test_names_without_a_hash_are_filled(users):
    """Migration 0005 fills the heads' hashes; `households index-names` the other members'."""
    from django.core.management import call_command

    from xiezuo.households.lookup import fill_names

    h = household(users["county_office"], members=3)
    Member.objects.filter(household=h).update(name_index="")
    assert fill_names(Member, connection, heads_only=True) == 1
    assert list(Member.objects.filter(household=h, name_index="").values_list("relation", flat=True)) == ["child", "child"]
    call_command("households", "index-names")
    assert all(m.name_index == blind_index("name", m.name) for m in Member.objects.filter(household=h))
