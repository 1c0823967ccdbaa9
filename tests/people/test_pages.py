"""The dispatch pages: who sees and changes which records (a matrix of roles), the list's
filters, stability and masked ID numbers, the export, the forms' bad input and refusals.

Pages answer in English here (the language switch's cookie, see `support.english_client_as`)
so that tests can match the wording.
"""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.support import office, xlsx_rows
from tests.support import client_for, dispatches, english_client_as, gd_office, today  # noqa: F401 (fixtures, defined once)
from xiezuo.orgs.models import Organisation
from xiezuo.people.models import Dispatch

pytestmark = pytest.mark.django_db
D = datetime.date
ROLES = ("national", "east_office", "west_office", "county_office", "viewer", "auditor", "gd_office")


# --- the matrix ----------------------------------------------------------------------


# role → (sees the 美姑 dispatches, may change them, sees the 广州→贵阳 one)
DISPATCH_MATRIX = {
    "national": (True, True, True),
    "east_office": (True, True, False),
    "west_office": (True, True, False),
    "county_office": (True, True, False),
    "viewer": (True, False, False),
    "auditor": (True, False, True),
    "gd_office": (False, False, True),
}


@pytest.mark.parametrize("role", ROLES)
def test_dispatch_pages_for_each_role(role, client_for, dispatches):
    sees, writes, sees_gz = DISPATCH_MATRIX[role]
    c = client_for(role)
    html = c.get(reverse("dispatch-list")).content.decode()
    assert ("李医生" in html) is sees
    assert ("陈工" in html) is sees_gz
    d = dispatches["done"]
    assert c.get(reverse("dispatch-detail", args=[d.pk])).status_code == (200 if sees else 404)
    assert c.get(reverse("dispatch-edit", args=[d.pk])).status_code == (200 if writes else (403 if sees else 404))
    assert c.get(reverse("dispatch-create")).status_code == (403 if role in ("viewer", "auditor") else 200)


# --- people -------------------------------------------------------------------------


def test_dispatch_list_filters_stability_and_masking(client_as, dispatches, english):
    c = client_as("county_office")
    url = reverse("dispatch-list")

    def names(**params):
        html = c.get(url, params).content.decode()
        return {n for n in ("李医生", "王老师", "张干部") if n in html}

    assert names() == {"李医生", "王老师", "张干部"}
    assert names(kind="cadre") == {"张干部"}
    assert names(on_post_now="on") == {"张干部"}
    assert names(term="completed") == {"李医生"}
    assert names(term="left_early") == {"王老师"}
    assert names(term="running") == {"张干部"}
    assert names(direction="w2e") == set()
    assert names(region="330212") == {"李医生", "王老师", "张干部"}
    assert names(region="440000") == set()
    assert names(q="王") == {"王老师"}
    assert names(organisation=office("513436").pk) == {"李医生", "王老师", "张干部"}
    assert names(organisation=Organisation.objects.get(name="美姑县民族中学（演示）").pk) == set()
    response = c.get(url)
    html = response.content.decode()
    assert "330212198001011234" not in html and "330212********1234" in html
    assert response.context["stability"] == {"completed": 1, "due": 2, "as_of": timezone.localdate(), "percent": 50.0}
    detail = c.get(reverse("dispatch-detail", args=[dispatches["done"].pk])).content.decode()
    assert "330212********1234" in detail and "330212198001011234" not in detail


def test_dispatch_export_is_masked_and_scoped(client_as, dispatches, english):
    rows = xlsx_rows(client_as("west_office").get(reverse("dispatch-list"), {"format": "xlsx", "kind": "medical"}))
    header, body = rows[0], rows[1:]
    assert len(body) == 1
    row = dict(zip(header, body[0]))
    assert row["name"] == "李医生" and row["ID number (masked)"] == "330212********1234"
    assert row["completed the agreed term"] == "yes" and row["professional"] == "yes" and row["on post today"] == "no"
    everything = xlsx_rows(client_as("west_office").get(reverse("dispatch-list"), {"format": "xlsx"}))
    assert "陈工" not in [r[1] for r in everything]


def test_create_and_edit_dispatch(client_as, today, english):
    c = client_as("county_office")
    east, west = office("330212"), office("513436")
    data = {"person_name": "赵农艺师", "id_number": "51343619900101123x", "kind": "agriculture", "direction": "e2w",
            "from_org": east.pk, "to_org": west.pk, "planned_start": "2026-01-01", "planned_end": "2027-12-31",
            "actual_start": "2026-01-05"}
    response = c.post(reverse("dispatch-create"), data)
    assert response.status_code == 302
    d = Dispatch.objects.get(person_name="赵农艺师")
    assert d.id_number == "51343619900101123X"
    # Edit without retyping the ID number keeps it.
    response = c.post(reverse("dispatch-edit", args=[d.pk]), {**data, "id_number": "", "actual_end": "2026-06-30"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.id_number == "51343619900101123X" and d.actual_end == D(2026, 6, 30)


@pytest.mark.parametrize("change, field, message", [
    ({"person_name": ""}, "person_name", "This field is required"),
    ({"id_number": "12345"}, "id_number", "a resident ID number is 17 digits"),
    ({"planned_end": "2025-01-01"}, "planned_end", "the planned end is before the planned start"),
    ({"actual_end": "2025-12-01"}, "actual_end", "the actual end is before the actual start"),
    ({"direction": "w2e"}, "from_org", "is not in a western province"),
    ({"actual_start": "", "actual_end": "2026-03-01"}, "actual_start", "a posting that ended must have started"),
])
def test_dispatch_form_refuses_bad_input(client_as, change, field, message, english):
    data = {"person_name": "赵农艺师", "kind": "agriculture", "direction": "e2w", "from_org": office("330212").pk,
            "to_org": office("513436").pk, "planned_start": "2026-01-01", "planned_end": "2027-12-31", "actual_start": "2026-01-05",
            **change}
    response = client_as("county_office").post(reverse("dispatch-create"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, [])), response.context["form"].errors
    assert not Dispatch.objects.filter(person_name="赵农艺师").exists()


def test_dispatch_between_organisations_outside_ones_subtree_is_refused(client_as, english):
    # The county office sees its partner 鄞州区 and its own county; 余姚市 → 昭觉县 is neither.
    c = client_as("west_office")
    data = {"person_name": "外省", "kind": "medical", "direction": "e2w", "from_org": office("330212").pk,
            "to_org": office("513431").pk, "planned_start": "2026-01-01", "planned_end": "2026-12-31"}
    assert c.post(reverse("dispatch-create"), data).status_code == 302  # the west office's own subtree: allowed
    c = client_as("county_office")
    response = c.post(reverse("dispatch-create"), {**data, "person_name": "越界"})
    assert response.status_code in (200, 403)
    assert not Dispatch.objects.filter(person_name="越界").exists()


def test_readers_cannot_post_dispatch_forms(client_as, dispatches):
    for role in ("viewer", "auditor"):
        assert client_as(role).post(reverse("dispatch-create"), {}).status_code == 403
        assert client_as(role).post(reverse("dispatch-edit", args=[dispatches["done"].pk]), {}).status_code == 403


def test_dispatch_edit_refuses_bad_input_and_keeps_the_record(client_as, dispatches, english):
    d = dispatches["now"]
    response = client_as("county_office").post(reverse("dispatch-edit", args=[d.pk]), {
        "person_name": "张干部", "kind": "cadre", "direction": "e2w", "from_org": d.from_org_id, "to_org": d.to_org_id,
        "planned_start": d.planned_start.isoformat(), "planned_end": d.planned_end.isoformat(),
        "actual_start": d.actual_start.isoformat(), "actual_end": (d.actual_start - datetime.timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    assert "the actual end is before the actual start" in response.context["form"].errors["actual_end"]
    d.refresh_from_db()
    assert d.actual_end is None
