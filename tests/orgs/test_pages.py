"""The organisation pages: the credit-code check on the form, the list's filters."""

import pytest
from django.urls import reverse

from xiezuo.orgs.credit_code import make_credit_code
from xiezuo.orgs.models import Organisation

pytestmark = pytest.mark.django_db


# --- organisations -------------------------------------------------------------------


def test_creating_an_organisation_checks_the_credit_code(client_as):
    client = client_as("county_office")
    good = make_credit_code("91513436MA0000001")
    data = {"name": "美姑县彝绣合作社", "kind": "enterprise", "region": "513436", "credit_code": good[:-1] + ("0" if good[-1] != "0" else "1")}
    response = client.post(reverse("org-create"), data)
    assert response.status_code == 200 and "credit_code" in response.context["form"].errors
    response = client.post(reverse("org-create"), {**data, "credit_code": good})
    assert response.status_code == 302
    assert Organisation.objects.get(name="美姑县彝绣合作社").credit_code == good
    # Outside their county the action refuses: 403 with the reason on the form.
    response = client.post(reverse("org-create"), {**data, "name": "别处的公司", "region": "513431", "credit_code": ""})
    assert response.status_code == 403 and not Organisation.objects.filter(name="别处的公司").exists()


def test_organisation_list_filters(client_as):
    page = client_as("west_office").get(reverse("org-list"), {"kind": "school"}).context["page"]
    assert {o.name for o in page} == {"美姑县民族中学（演示）", "宁波市鄞州区实验中学（演示）"}
