"""Changing a registered household: the edit page and `edits.edit_household`. Personal fields
encrypted and their keyed hash recomputed, duplicates refused with where they are registered,
the history and the audit log say what changed and never a value, only the county's editors
(and the offices above) may change, every bad field named and nothing half-written."""
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from xiezuo.core.models import AuditEntry
from xiezuo.core.personal.crypto import blind_index
from xiezuo.core.personal.masking import mask_id_number
from xiezuo.households import actions, edits
from xiezuo.households.models import Household, Member
from xiezuo.users.models import Profile

from .helpers import household, id_number, village


@pytest.fixture
def hh(users):
    h = household(users["county_office"], members=2, bank_account="6217000011112222")
    return h, list(h.members.order_by("id"))


def post_data(h, members, **over):
    """What the edit page posts when nothing is typed: the household's plain fields and every
    member's, personal fields blank."""
    data = {"village": h.village_code, "number": h.number, "housing_safe": "on", "water_safe": "on",
            "members-TOTAL_FORMS": str(len(members) + 2), "members-INITIAL_FORMS": str(len(members)),
            "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "30"}
    for i, m in enumerate(members):
        data.update({f"members-{i}-id": m.pk, f"members-{i}-relation": m.relation, f"members-{i}-name": m.name,
                     f"members-{i}-health": m.health, f"members-{i}-medical_insured": "on", f"members-{i}-active": "on"})
    data.update(over)
    return data


def test_the_page_changes_fields_and_members(hh, client_as, users):
    h, members = hh
    url = reverse("households-edit", args=[h.pk])
    client = client_as("county_office")
    page = client.get(url).content.decode()
    assert members[0].id_number not in page and "6217000011112222" not in page and "洒库乡拉木村3组" not in page
    assert mask_id_number(members[0].id_number) in page  # the placeholder
    new_number = id_number()
    r = client.post(url, post_data(h, members, **{
        "water_safe": "", "address": "洒库乡拉木村5组", "members-0-phone": "13911112222",
        "members-1-id_number": new_number, "members-2-relation": "parent", "members-2-name": "阿依老",
        "members-2-health": "chronic"}))
    assert r.status_code == 302, r.content.decode()[:2000]
    h.refresh_from_db()
    assert h.water_safe is False and h.address == "洒库乡拉木村5组" and h.bank_account == "6217000011112222" and h.size == 3
    m0, m1 = Member.objects.get(pk=members[0].pk), Member.objects.get(pk=members[1].pk)
    assert m0.phone == "13911112222" and m0.id_number == members[0].id_number  # the blank number kept
    assert m0.phone_index == blind_index("phone", "13911112222")
    assert m1.id_number == new_number and m1.id_index == blind_index("id", new_number)
    assert actions.find_person(new_number).pk == m1.pk and actions.find_person(members[1].id_number) is None
    with connection.cursor() as cur:
        cur.execute(f"SELECT id_number, phone FROM {Member._meta.db_table} WHERE id = %s", [m1.pk])
        assert all(v.startswith("gAAAAA") for v in cur.fetchone() if v)
    # the history names the fields, never a value
    event = h.events.order_by("-id").first()
    assert event.username == "county_office"
    for secret in (new_number, "13911112222", "洒库乡拉木村5组", "阿依老", members[1].id_number):
        assert secret not in event.text
    detail = client.get(h.get_absolute_url()).content.decode()
    assert 'data-testid="edit-link"' in detail and new_number not in detail and "13911112222" not in detail


def test_the_audit_log_records_that_personal_fields_changed_not_their_values(hh, users):
    h, members = hh
    new_number = id_number()
    edits.edit_household(users["county_office"], h, {"bank_account": "6222020200112233"},
                         [{"id": members[0].pk, "id_number": new_number, "phone": "13722223333"}])
    entries = AuditEntry.objects.filter(object_type__in=("households.member", "households.household"))
    text = " ".join(str(e.before) + str(e.after) + e.object_repr for e in entries)
    for secret in (new_number, members[0].id_number, "13722223333", "6222020200112233", members[0].name):
        assert secret not in text
    m_entry = entries.filter(object_type="households.member", object_id=str(members[0].pk)).order_by("-id").first()
    assert set(m_entry.after["personal_changed"].split(",")) == {"id_number", "phone"}
    assert m_entry.after["personal_revision"] > m_entry.before["personal_revision"]
    h_entry = entries.filter(object_type="households.household", object_id=str(h.pk)).order_by("-id").first()
    assert h_entry.after["personal_changed"] == "bank_account"


def test_a_duplicate_id_number_is_refused_and_shown_where_it_is(hh, users):
    h, members = hh
    other = household(users["county_office"], village("513436102201", "峨普村", "巴普镇"), members=1, number="OTHER1")
    taken = other.members.get().id_number
    before = Member.objects.get(pk=members[0].pk).id_index
    with pytest.raises(ValidationError) as exc:
        edits.edit_household(users["county_office"], h, {"number": "NEW"},
                             [{"id": members[0].pk, "id_number": taken}, {"relation": "child", "name": "甲", "id_number": members[1].id_number}])
    errors = exc.value.message_dict
    assert "OTHER1" in errors["members[0].id_number"][0] and "513436" in errors["members[0].id_number"][0]
    assert "members[1].id_number" in errors  # the same number twice in one household
    h.refresh_from_db()
    assert h.number != "NEW" and Member.objects.get(pk=members[0].pk).id_index == before  # nothing written


def test_two_members_may_swap_numbers(hh, users):
    h, members = hh
    a, b = members[0].id_number, members[1].id_number
    edits.edit_household(users["county_office"], h, {}, [{"id": members[0].pk, "id_number": b}, {"id": members[1].pk, "id_number": a}])
    assert actions.find_person(a).pk == members[1].pk and actions.find_person(b).pk == members[0].pk


def test_bad_input_names_every_field_and_writes_nothing(hh, client_as):
    h, members = hh
    url = reverse("households-edit", args=[h.pk])
    r = client_as("county_office").post(url, post_data(h, members, **{
        "number": "CHANGED", "members-0-id_number": "513436198005170012", "members-1-phone": "12ab",
        "members-2-name": "", "members-2-id_number": id_number()}))
    assert r.status_code == 200
    form = r.context["form"]
    forms = r.context["formset"].forms
    assert forms[0].errors["id_number"] and forms[1].errors["phone"] and forms[2].errors["name"]
    h.refresh_from_db()
    assert h.number != "CHANGED" and h.members.count() == 2
    assert not form.errors or "number" not in form.errors
    # a member of another household cannot be changed through this one
    other = household(client_as and Member.objects.first().household.events.first() and
                      get_user_model().objects.get(username="county_office"), members=1)
    with pytest.raises(ValidationError) as exc:
        edits.edit_household(get_user_model().objects.get(username="county_office"), h, {},
                             [{"id": other.members.get().pk, "phone": "13800001111"}])
    assert "members[0].id" in exc.value.message_dict


EDITOR_ROLES = {"county_office": True, "west_office": True}


@pytest.fixture
def other_county_editor(db):
    from tests.support import office

    user = get_user_model().objects.create_user("zhaojue_editor")
    Profile.objects.create(user=user, role="office_editor", organisation=office("513431"))
    return user


@pytest.mark.parametrize("role,get_status,may", [
    ("county_office", 200, True), ("west_office", 200, True),  # the county's editor, the province's admin
    ("national", 403, False), ("auditor", 403, False),  # read masked, never change
    ("east_office", 404, False),  # the paired side sees counts only
    ("viewer", 403, False),
    ("zhaojue_editor", 404, False),  # an editor of another county
])
def test_permission_matrix_by_role_and_scope(hh, client_as, role, get_status, may, other_county_editor):
    h, members = hh
    url = reverse("households-edit", args=[h.pk])
    client = client_as(role)
    assert client.get(url).status_code == get_status
    r = client.post(url, post_data(h, members, number="BY-" + role))
    h.refresh_from_db()
    assert (h.number == "BY-" + role) == may, role
    if not may:
        assert r.status_code in (403, 404)
        user = get_user_model().objects.get(username=role)
        with pytest.raises(PermissionDenied):
            edits.edit_household(user, h, {"number": "X"})
    detail = client.get(h.get_absolute_url())
    if detail.status_code == 200:
        text = detail.content.decode()
        assert ('data-testid="edit-link"' in text) == may
        assert members[0].id_number not in text and members[0].phone not in text


def test_a_household_moves_only_within_its_county(hh, users):
    h, members = hh
    other = village("513431101201", "某村", "某乡", county="513431")
    with pytest.raises(ValidationError) as exc:
        edits.edit_household(users["county_office"], h, {}, [], village=other)
    assert "village" in exc.value.message_dict
    near = village("513436102201", "峨普村", "巴普镇")
    edits.edit_household(users["county_office"], h, {}, [], village=near)
    h.refresh_from_db()
    assert h.village_code == "513436102201" and Household.objects.get(pk=h.pk).village_id == near.pk
