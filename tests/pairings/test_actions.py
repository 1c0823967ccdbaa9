"""Pairings and agreements: the rules an office meets when it records them."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.support import county_pair
from xiezuo.core.errors import messages_of
from xiezuo.pairings.actions import create_pairing, end_pairing, save_agreement, update_pairing
from xiezuo.pairings.models import Agreement, Pairing, PairingChange
from xiezuo.regions.models import Region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = datetime.date


def R(code):
    return Region.objects.get(code=code)


def errors(exc_info):
    return messages_of(exc_info.value)


def test_county_pairing_inside_the_province_pairing_is_recorded_with_history(users):
    p = create_pairing(users["west_office"], kind="county", east_region=R("330226"), west_region=R("513437"),
                       valid_from=D(2025, 1, 1), reason="州县对接会议决定")
    change = p.changes.get()
    assert change.kind == "created" and "州县对接" in change.reason
    assert change.user == users["west_office"]


def test_pairing_that_contradicts_the_province_pairing_is_refused_with_the_reason(users):
    # 浙江 helps 四川, not 贵州
    with pytest.raises(ValidationError) as exc:
        create_pairing(users["national"], kind="county", east_region=R("330226"), west_region=R("520111"), valid_from=D(2025, 1, 1))
    text = " ".join(errors(exc)["__all__"])
    assert "浙江省" in text and "贵州省" in text and "override" in text
    assert not Pairing.objects.filter(east_region__code="330226", west_region__code="520111").exists()


def test_contradiction_accepted_with_an_explicit_override_recorded_in_history(users):
    p = create_pairing(users["national"], kind="county", east_region=R("330226"), west_region=R("520111"),
                       valid_from=D(2025, 1, 1), reason="试点", override_reason="国务院专项试点批复")
    assert p.override_reason == "国务院专项试点批复"
    assert "国务院专项试点批复" in p.changes.get().reason


def test_overlapping_duplicate_pairing_is_refused(users):
    with pytest.raises(ValidationError) as exc:
        create_pairing(users["national"], kind="county", east_region=R("330212"), west_region=R("513436"), valid_from=D(2024, 6, 1))
    assert "overlaps" in errors(exc)["valid_from"][0]


def test_a_later_non_overlapping_period_is_allowed(users):
    p = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    end_pairing(users["national"], p, valid_to=D(2025, 12, 31), reason="阶段结束")
    again = create_pairing(users["national"], kind="county", east_region=R("330212"), west_region=R("513436"), valid_from=D(2026, 1, 1))
    assert again.pk != p.pk
    assert p.changes.filter(kind="ended").exists()


@pytest.mark.parametrize("east,west,field", [
    ("510000", "330000", "east_region"),  # sides swapped
    ("330100", "513436", "east_region"),  # a prefecture on a county–county pairing
    ("330212", "510000", "west_region"),  # a province on a county–county pairing
])
def test_wrong_levels_or_sides_are_refused_naming_the_field(users, east, west, field):
    with pytest.raises(ValidationError) as exc:
        create_pairing(users["national"], kind="county", east_region=R(east), west_region=R(west), valid_from=D(2025, 1, 1))
    assert field in errors(exc)


def test_end_before_start_is_refused(users):
    with pytest.raises(ValidationError) as exc:
        create_pairing(users["national"], kind="county", east_region=R("330226"), west_region=R("513437"),
                       valid_from=D(2025, 1, 1), valid_to=D(2024, 1, 1))
    assert "valid_to" in errors(exc)


def test_only_the_national_coordinator_sets_province_pairings(users):
    for name in ("east_office", "west_office", "county_office", "viewer", "auditor"):
        with pytest.raises(PermissionDenied):
            create_pairing(users[name], kind="province", east_region=R("330000"), west_region=R("520000"),
                           valid_from=D(2025, 1, 1), override_reason="x")


def test_an_office_cannot_pair_regions_outside_its_tree(users):
    with pytest.raises(PermissionDenied):
        create_pairing(users["east_office"], kind="county", east_region=R("440106"), west_region=R("520111"), valid_from=D(2025, 1, 1))


def test_adjustment_needs_a_reason_and_keeps_before_and_after(users):
    p = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    with pytest.raises(ValidationError):
        update_pairing(users["west_office"], p, reason=" ", name="x")
    update_pairing(users["west_office"], p, reason="更名", name="甬美协作")
    change = p.changes.filter(kind="adjusted").get()
    assert change.before["name"] == "" and change.after["name"] == "甬美协作"


def test_sector_pairing_needs_matching_organisations(users):
    from xiezuo.orgs.models import Organisation

    hosp = Organisation.objects.filter(kind="hospital").first()
    school = Organisation.objects.filter(kind="school", region__role="west").first()
    with pytest.raises(ValidationError) as exc:
        create_pairing(users["national"], kind="hospital", east_org=hosp, west_org=school, valid_from=D(2025, 1, 1))
    assert "west_org" in errors(exc)


# --- agreements ------------------------------------------------------------------

def test_county_office_writes_its_own_agreement(users):
    a = save_agreement(users["county_office"], pairing=county_pair(), year=2027, fiscal_aid_fen=123_456_78, professionals=4)
    assert Agreement.objects.get(pk=a.pk).fiscal_aid_fen == 12345678


@pytest.mark.parametrize("field,value", [
    ("fiscal_aid_fen", -1), ("fiscal_aid_fen", 1.5), ("consumption_fen", "100"), ("cadres", -2), ("year", 1999),
])
def test_bad_agreement_values_are_refused_naming_the_field(users, field, value):
    values = dict(pairing=county_pair(), year=2027, fiscal_aid_fen=100)
    values[field] = value
    with pytest.raises(ValidationError) as exc:
        save_agreement(users["national"], **values)
    assert field in errors(exc)
    assert not Agreement.objects.filter(pairing=county_pair(), year=2027).exists()


def test_second_agreement_for_the_same_year_is_refused(users):
    with pytest.raises(ValidationError) as exc:
        save_agreement(users["national"], pairing=county_pair(), year=2025, fiscal_aid_fen=1)
    assert "already has an agreement" in errors(exc)["year"][0]


def test_agreement_outside_the_pairing_period_is_refused(users):
    p = county_pair()
    end_pairing(users["national"], p, valid_to=D(2026, 12, 31), reason="调整")
    with pytest.raises(ValidationError) as exc:
        save_agreement(users["national"], pairing=p, year=2027, fiscal_aid_fen=1)
    assert "year" in errors(exc)


@pytest.mark.parametrize("username", ["viewer", "auditor"])
def test_readers_cannot_change_agreements(users, username):
    a = Agreement.objects.filter(pairing=county_pair()).first()
    with pytest.raises(PermissionDenied):
        save_agreement(users[username], a, fiscal_aid_fen=1)


def test_another_pairs_agreement_is_out_of_reach(users):
    a = Agreement.objects.filter(pairing__kind="province", pairing__west_region__code="520000").first()
    with pytest.raises(PermissionDenied):
        save_agreement(users["west_office"], a, fiscal_aid_fen=1)
    assert PairingChange.objects.exists()
