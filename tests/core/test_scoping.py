"""The one scoping rule, at the level of querysets and permission checks."""
import pytest

from xiezuo.core.scoping import (
    audit_visible,
    can_edit_agreement,
    can_edit_in_region,
    can_manage_pairing,
    can_read_audit,
    can_set_key_assistance,
    scope_for,
    visible,
)
from xiezuo.core.models import AuditEntry
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db


def codes(user, **filters):
    return set(visible(user, Region.objects.filter(**filters)).values_list("code", flat=True))


# region code → roles that may see it
SEE = {
    "513436": {"national", "auditor", "west_office", "viewer", "county_office", "east_office"},  # 美姑县, paired with 鄞州
    "330212": {"national", "auditor", "east_office", "west_office", "viewer", "county_office"},  # 鄞州区, paired with 美姑
    "510100": {"national", "auditor", "west_office", "viewer"},  # 成都市
    "330000": {"national", "auditor", "east_office", "west_office", "viewer"},  # 浙江 (paired with 四川)
    "320102": {"national", "auditor"},  # a Jiangsu district
    "440000": {"national", "auditor"},
}


@pytest.mark.parametrize("code", sorted(SEE))
@pytest.mark.parametrize("username", ["national", "east_office", "west_office", "county_office", "viewer", "auditor"])
def test_who_sees_which_region(users, username, code):
    assert (code in codes(users[username], code=code)) == (username in SEE[code])


def test_anonymous_and_profileless_users_see_nothing(users, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert not visible(AnonymousUser(), Region.objects.all()).exists()
    stranger = django_user_model.objects.create_user("stranger", password="x")
    assert not visible(stranger, Region.objects.all()).exists()


def test_subtree_is_a_code_prefix(users):
    west = users["west_office"]
    sichuan = codes(west, province_code="51")
    assert len(sichuan) == Region.objects.filter(province_code="51").count()
    county = users["county_office"]
    assert codes(county, province_code="51") == {"513436"}


def test_pairings_visible_only_when_one_side_is_in_own_subtree(users):
    county = users["county_office"]
    seen = list(visible(county, Pairing.objects.all()))
    assert seen and all(p.west_region.code == "513436" for p in seen)
    east = users["east_office"]
    assert not visible(east, Pairing.objects.filter(west_region__code="520000")).exists()
    assert visible(east, Pairing.objects.filter(east_region__code="330000")).exists()


def test_agreements_follow_their_pairing(users):
    county = users["county_office"]
    assert set(visible(county, Agreement.objects.all()).values_list("pairing__west_region__code", flat=True)) == {"513436"}


def test_organisations_include_paired_regions(users):
    county = users["county_office"]
    regions = set(visible(county, Organisation.objects.all()).values_list("region__code", flat=True))
    assert regions == {"513436", "330212"}


WRITE = {
    # (check, args) → roles allowed
    ("edit_in_region", "513436"): {"national", "west_office", "county_office"},
    ("edit_in_region", "510100"): {"national", "west_office"},
    ("edit_in_region", "330212"): {"national", "east_office"},
    ("manage_pairing_county", "330212", "513436"): {"national", "east_office", "west_office"},
    ("manage_pairing_province", "330000", "510000"): {"national"},
    ("edit_agreement", "330212", "513436"): {"national", "east_office", "west_office", "county_office"},
    ("edit_agreement", "440000", "520000"): {"national"},
    ("key_assistance",): {"national"},
    ("read_audit",): {"national", "auditor", "east_office", "west_office"},
}


def _check(user, key):
    kind, *args = key
    if kind == "edit_in_region":
        return can_edit_in_region(user, *args)
    if kind == "manage_pairing_county":
        return can_manage_pairing(user, *args, "county")
    if kind == "manage_pairing_province":
        return can_manage_pairing(user, *args, "province")
    if kind == "edit_agreement":
        return can_edit_agreement(user, *args)
    if kind == "key_assistance":
        return can_set_key_assistance(user)
    return can_read_audit(user)


@pytest.mark.parametrize("key", sorted(WRITE))
@pytest.mark.parametrize("username", ["national", "east_office", "west_office", "county_office", "viewer", "auditor"])
def test_who_may_change_what(users, username, key):
    assert _check(users[username], key) == (username in WRITE[key])


def test_office_admin_reads_only_the_audit_of_its_subtree(users):
    west = users["west_office"]
    entries = audit_visible(west, AuditEntry.objects.all())
    assert entries.exists()
    assert all(e.region_code.startswith("51") or e.other_region_code.startswith("51") for e in entries)
    assert not audit_visible(users["viewer"], AuditEntry.objects.all()).exists()
    assert audit_visible(users["auditor"], AuditEntry.objects.all()).count() == AuditEntry.objects.count()


def test_scope_is_computed_once_per_user_object(users, django_assert_num_queries):
    user = users["west_office"]
    scope_for(user)
    with django_assert_num_queries(0):
        scope_for(user)
