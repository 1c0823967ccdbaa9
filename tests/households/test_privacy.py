"""Personal data on every page that shows a person: masked unless revealed with a purpose by a
role that may, every reveal logged; the database holds ciphertext; the audit log keeps that a
personal field changed, never its value; rows only for the registry's roles."""
import pytest
from django.db import connection
from django.urls import reverse

from xiezuo.core.models import AuditEntry, RevealLog
from xiezuo.core.personal.masking import mask_id_number
from xiezuo.households import actions
from xiezuo.households.models import Household, Member

from .helpers import household, line

ROLES = ("county_office", "west_office", "east_office", "viewer", "auditor", "national")


@pytest.fixture
def world(users):
    line()
    h = household(users["county_office"], members=3, bank_account="6217000011112222")
    actions.open_case(users["county_office"], h, channel="cadre", clue_on=h.created_at.date(), post="驻村第一书记")
    m = h.members.first()
    m.health_note = "尿毒症透析"
    m.save()
    return h, list(h.members.all())


def secrets(members):
    out = []
    for m in members:
        out += [m.id_number, m.phone]
    return [s for s in out if s] + ["尿毒症透析", "6217000011112222"]


def pages(h):
    return [reverse("households-list"), reverse("households-detail", args=[h.pk]), reverse("households-figures"),
            reverse("households-list") + "?format=xlsx", reverse("households-edit", args=[h.pk]),
            reverse("households-search"), f"/api/v1/households/?limit=50",
            f"/api/v1/households/{h.pk}", f"/api/v1/households/{h.pk}/members"]


def body(response):
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        import io

        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(response.content))
        return "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
    if response.get("Content-Type", "").startswith("application/json"):
        import json

        return json.dumps(response.json(), ensure_ascii=False)  # characters, not escapes: a Chinese secret is found
    return response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_no_page_api_or_export_shows_a_full_number_by_default(world, client_as, role):
    h, members = world
    client = client_as(role)
    for url in pages(h):
        r = client.get(url)
        text = body(r)
        for s in secrets(members):
            assert s not in text, (role, url)


def test_rows_by_role(world, client_as):
    h, members = world
    detail = reverse("households-detail", args=[h.pk])
    expected = {"county_office": 200, "west_office": 200, "national": 200, "auditor": 200, "east_office": 404, "viewer": 403}
    for role, status in expected.items():
        assert client_as(role).get(detail).status_code == status, role
        listed = client_as(role).get(reverse("households-list")).content.decode()
        assert (h.number in listed) == (status == 200), role
    # the eastern office and the viewer see counts
    for role in ("east_office", "viewer"):
        page = client_as(role).get(reverse("households-figures") + "?prefix=513436").content.decode()
        assert "data-testid=\"household-figures\"" in page and "513436" in page


def test_masked_values_are_shown(world, client_as):
    h, members = world
    page = client_as("county_office").get(reverse("households-detail", args=[h.pk])).content.decode()
    assert mask_id_number(members[0].id_number) in page
    assert "（已隐藏）" in page


def test_show_full_numbers_asks_a_purpose_and_logs_it(world, client_as, users):
    h, members = world
    url = reverse("households-detail", args=[h.pk])
    client = client_as("county_office")
    r = client.post(url, {"purpose": ""})
    assert members[0].id_number not in r.content.decode()
    assert not RevealLog.objects.exists()
    r = client.post(url, {"purpose": "核实医疗救助资格"})
    text = r.content.decode()
    assert all(m.id_number in text for m in members) and "尿毒症透析" in text
    log = RevealLog.objects.get()
    assert log.username == "county_office" and log.purpose == "核实医疗救助资格" and "id_number" in log.fields
    assert members[0].id_number not in (log.object_ids + log.fields + log.purpose)
    # a role that may read but not reveal
    for role in ("national", "auditor"):
        assert client_as(role).post(url, {"purpose": "看看"}).status_code == 403
    assert RevealLog.objects.count() == 1


def test_export_with_full_numbers_needs_the_right_and_a_purpose(world, client_as):
    h, members = world
    r = client_as("county_office").post(reverse("households-export"), {"query": "", "purpose": "县医保局比对"})
    assert members[0].id_number in body(r)
    assert RevealLog.objects.filter(via="export", purpose="县医保局比对").exists()
    r = client_as("county_office").post(reverse("households-export"), {"query": "", "purpose": ""})
    assert r.status_code == 302
    r = client_as("national").post(reverse("households-export"), {"query": "", "purpose": "看看"})
    assert r.status_code == 302 and RevealLog.objects.filter(username="national").count() == 0


def test_the_database_holds_ciphertext(world):
    h, members = world
    with connection.cursor() as cur:
        cur.execute(f"SELECT id_number, phone, name, health_note FROM {Member._meta.db_table} WHERE household_id = %s", [h.pk])
        rows = cur.fetchall()
        cur.execute(f"SELECT address, bank_account FROM {Household._meta.db_table} WHERE id = %s", [h.pk])
        hrow = cur.fetchone()
    plain = secrets(members) + [m.name for m in members] + ["洒库乡拉木村3组"]
    for row in rows + [hrow]:
        for value in row:
            if value:
                assert value.startswith("gAAAAA")  # a Fernet token
                assert value not in plain


def test_the_audit_log_keeps_the_change_not_the_value(world, users):
    h, members = world
    m = members[0]
    old = m.id_number
    m.phone = "13900001111"
    m.save()
    entries = AuditEntry.objects.filter(object_type="households.member", object_id=str(m.pk))
    text = " ".join(str(e.before) + str(e.after) + e.object_repr for e in entries)
    for s in (old, "13900001111", m.name, "尿毒症透析"):
        assert s not in text
    last = entries.order_by("-id").first()
    assert last.after["personal_changed"] == "phone" and last.after["personal_revision"] > last.before["personal_revision"]
    hh = " ".join(str(e.after) for e in AuditEntry.objects.filter(object_type="households.household"))
    assert "6217000011112222" not in hh


def test_person_search_by_keyed_hash(world, client_as):
    h, members = world
    number = members[1].id_number
    assert actions.find_person(number.lower()).pk == members[1].pk
    r = client_as("county_office").post(reverse("households-search"), {"id_number": number})
    text = r.content.decode()
    assert 'data-testid="found"' in text and number not in text and mask_id_number(number) in text
    # another province's office finds nothing of 美姑县
    r = client_as("national").post(reverse("households-search"), {"id_number": "110101199003071234"})
    assert 'data-testid="not-found"' in r.content.decode()


def test_one_id_number_once_nationally(world, users):
    from django.core.exceptions import ValidationError

    from .helpers import village

    h, members = world
    other = village("513436102201", "峨普村", "巴普镇")
    with pytest.raises(ValidationError) as exc:
        actions.save_household(users["county_office"], other, {"number": "X1"},
                               [{"relation": "head", "name": "重复", "id_number": members[0].id_number}])
    assert "already registered" in str(exc.value) or "已" in str(exc.value)
    with pytest.raises(ValidationError):
        actions.save_household(users["county_office"], other, {"number": "X2"},
                               [{"relation": "head", "name": "甲", "id_number": "513436198005170012"}])  # bad check digit


@pytest.mark.parametrize("role", ROLES)
def test_the_search_result_is_masked_for_every_role(world, client_as, role):
    h, members = world
    r = client_as(role).post(reverse("households-search"), {"id_number": members[0].id_number})
    text = r.content.decode()
    for s in secrets(members):
        assert s not in text, role
