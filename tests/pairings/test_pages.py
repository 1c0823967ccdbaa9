"""The pairing and agreement pages: lists and filters, history, the forms with good and bad
input, and their Excel exports.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.support import adjust_post, agreement_post, export_sheet, zh
from tests.support import objs  # noqa: F401 (fixtures, defined once)
from xiezuo.core.scoping import visible
from xiezuo.pairings.models import Agreement, Pairing

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


# --- pairings ------------------------------------------------------------------------


def test_pairing_list_filters(client_as):
    client = client_as("west_office")
    page = client.get(reverse("pairing-list"), {"kind": "county"}).context["page"]
    assert {p.kind for p in page} == {"county"} and len(page) == 5
    assert [p.name for p in client.get(reverse("pairing-list"), {"q": "浙川"}).context["page"]] == ["浙川协作"]
    assert len(client.get(reverse("pairing-list"), {"current": "no"}).context["page"]) == 0


def test_pairing_detail_shows_history_with_reasons_and_changes(client_as, objs):
    client = client_as("west_office")
    url = reverse("pairing-adjust", args=[objs["p_in"].pk])
    response = client.post(url, {**adjust_post(objs, "p_in"), "name": "鄞美协作", "reason": "更名"})
    assert response.status_code == 302
    page = client.get(reverse("pairing-detail", args=[objs["p_in"].pk])).content.decode()
    history = page.split('data-testid="history"')[1]
    assert "更名" in history and "鄞美协作" in history and "演示数据：按省际结对关系安排" in history


def test_adjusting_or_ending_a_pairing_needs_a_reason(client_as, objs):
    client = client_as("east_office")
    data = {**adjust_post(objs, "p_in"), "reason": ""}
    response = client.post(reverse("pairing-adjust", args=[objs["p_in"].pk]), data)
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = client.post(reverse("pairing-end", args=[objs["p_in"].pk]), {"valid_to": TODAY.isoformat(), "reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = client.post(reverse("pairing-end", args=[objs["p_in"].pk]), {"valid_to": TODAY.isoformat(), "reason": "调整为组团式帮扶"})
    assert response.status_code == 302
    p = Pairing.objects.get(pk=objs["p_in"].pk)
    assert p.valid_to == TODAY and p.changes.first().kind == "ended"


def test_creating_a_pairing_and_the_contradiction_warning(client_as):
    client = client_as("national")
    base = {"kind": "county", "valid_from": "2026-01-01", "reason": "新增结对"}
    ok = client.post(reverse("pairing-create"), {**base, "east_region": "余姚市（330281）", "west_region": "513436"})
    assert ok.status_code == 302, ok.context and ok.context["form"].errors
    created = Pairing.objects.get(kind="county", east_region__code="330281", west_region__code="513436")
    assert created.changes.get().reason == "新增结对"
    # Zhejiang helps Sichuan, not Guizhou: the action's warning is shown and nothing is saved...
    contra = {**base, "east_region": "330212", "west_region": "520111"}
    response = client.post(reverse("pairing-create"), contra)
    assert response.status_code == 200
    text = response.content.decode()
    assert zh("%(east)s and %(west)s have no province pairing in force over %(period)s") % {
        "east": "浙江省", "west": "贵州省", "period": "2026-01-01 –"} in text
    assert 'data-testid="form-errors"' in text
    assert not Pairing.objects.filter(east_region__code="330212", west_region__code="520111").exists()
    # ...unless an override reason is given, which is kept.
    response = client.post(reverse("pairing-create"), {**contra, "override_reason": "国家试点"})
    assert response.status_code == 302
    assert Pairing.objects.get(east_region__code="330212", west_region__code="520111").override_reason == "国家试点"


def test_office_admin_cannot_create_outside_their_area(client_as):
    response = client_as("west_office").post(reverse("pairing-create"), {
        "kind": "county", "valid_from": "2026-01-01", "east_region": "440106", "west_region": "520111", "reason": "x"})
    assert response.status_code == 403
    assert not Pairing.objects.filter(east_region__code="440106", west_region__code="520111").exists()


def test_bad_region_code_is_a_form_error(client_as):
    response = client_as("national").post(reverse("pairing-create"), {
        "kind": "county", "valid_from": "2026-01-01", "east_region": "999999", "west_region": "51343", "reason": "x"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "east_region" in errors and "west_region" in errors


def test_region_suggestions_are_scoped(client_as):
    url = reverse("region-suggest")
    assert "美姑县（513436）" in client_as("west_office").get(url, {"field": "west_region", "west_region": "美姑", "role": "west"}).content.decode()
    assert "玄武区" not in client_as("west_office").get(url, {"field": "q", "q": "玄武"}).content.decode()
    assert "玄武区" in client_as("national").get(url, {"field": "q", "q": "玄武"}).content.decode()


# --- agreements ----------------------------------------------------------------------


@pytest.mark.parametrize("amount,fen,error", [
    ("1,234.56", 123456, None),
    ("￥1000", 100000, None),
    ("-5", None, "amounts cannot be negative"),
    ("1.234", None, "amounts are kept to the fen (at most two decimal places)"),
    ("abc", None, "“%(value)s” is not an amount"),
])
def test_agreement_money_is_typed_in_yuan_and_stored_in_fen(client_as, objs, amount, fen, error):
    a = objs["a_in"]
    data = {**agreement_post(objs, "a_in"), "fiscal_aid": amount}
    response = client_as("county_office").post(reverse("agreement-edit", args=[a.pk]), data)
    saved = Agreement.objects.get(pk=a.pk)
    if error is None:
        assert response.status_code == 302
        assert saved.fiscal_aid_fen == fen
    else:
        assert response.status_code == 200
        assert zh(error) % {"value": amount} in " ".join(response.context["form"].errors["fiscal_aid"])
        assert saved.fiscal_aid_fen == a.fiscal_aid_fen


def test_creating_an_agreement(client_as, objs):
    client = client_as("west_office")
    pairing = objs["p_in"]
    form_page = client.get(reverse("agreement-create"), {"pairing": pairing.pk})
    assert form_page.context["form"].initial["pairing"] == str(pairing.pk)
    assert objs["p_out"] not in form_page.context["form"].fields["pairing"].queryset
    data = {**agreement_post(objs, "a_in"), "pairing": pairing.pk, "year": "2027", "fiscal_aid": "5,000,000"}
    response = client.post(reverse("agreement-create"), data)
    assert response.status_code == 302
    created = Agreement.objects.get(pairing=pairing, year=2027)
    assert created.fiscal_aid_fen == 500_000_000
    duplicate = client.post(reverse("agreement-create"), data)
    assert duplicate.status_code == 200 and "year" in duplicate.context["form"].errors
    out = client.post(reverse("agreement-create"), {**data, "pairing": objs["p_out"].pk})
    assert out.status_code == 200 and "pairing" in out.context["form"].errors


def test_agreement_list_filters(client_as):
    client = client_as("west_office")
    page = client.get(reverse("agreement-list"), {"year": "2025", "kind": "county"}).context["page"]
    assert len(page) == 5 and {a.year for a in page} == {2025}
    assert {a.pairing.kind for a in client.get(reverse("agreement-list"), {"q": "浙川"}).context["page"]} == {"province"}


# --- exports -------------------------------------------------------------------------


def test_pairing_export_has_only_visible_rows_and_the_page_filters(client_as, users):
    header, rows, _ = export_sheet(client_as("west_office").get(reverse("pairing-list"), {"format": "xlsx"}))
    assert len(rows) == visible(users["west_office"], Pairing.objects.all()).count()
    names = {r[2] for r in rows}
    assert "浙川协作" in names and "粤黔协作" not in names
    _, rows, _ = export_sheet(client_as("west_office").get(reverse("pairing-list"), {"format": "xlsx", "kind": "county"}))
    assert len(rows) == 5


def test_agreement_export_has_yuan_exact_to_the_fen(client_as, users, objs):
    header, rows, ws = export_sheet(client_as("county_office").get(reverse("agreement-list"), {"format": "xlsx"}))
    assert len(rows) == visible(users["county_office"], Agreement.objects.all()).count() > 0
    yuan_col = 6
    assert header[yuan_col].endswith("（元）") and not any("（分）" in h for h in header)  # one money column, its unit named
    a = objs["a_in"]
    row = next(r for r in rows if r[0] == a.pk)
    assert round(row[yuan_col] * 100) == a.fiscal_aid_fen
    assert ws.cell(row=2, column=yuan_col + 1).number_format == "#,##0.00"
    assert all(r[0] != objs["a_out"].pk for r in rows)
