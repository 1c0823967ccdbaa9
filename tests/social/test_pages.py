"""The social-help pages by role and scope: the offices' list with the cadre's name, the
published list every social organisation and foundation reads without personal data, the
steps from publishing to the confirmed result through the pages, bad input, the export."""
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.support import export_sheet
from xiezuo.ledger.models import Posting
from xiezuo.social import actions
from xiezuo.social.models import Need

pytestmark = pytest.mark.django_db
ROLES = ("national", "east_office", "west_office", "county_office", "viewer", "auditor", "gd_office", "foundation", "social_org")

# role → (sees the recorded need with the cadre's name, may open the record form)
MATRIX = {
    "national": (True, True), "east_office": (True, True), "west_office": (True, True), "county_office": (True, True),
    "viewer": (True, False), "auditor": (True, False), "gd_office": (False, True), "foundation": (False, False),
    "social_org": (False, False),
}


@pytest.mark.parametrize("role", ROLES)
def test_need_pages_for_each_role(role, client_as, sw, users):
    sees, creates = MATRIX[role]
    c = client_as(role)
    need = sw["need"]
    html = c.get(reverse("social-need-list")).content.decode()
    assert ("洒库乡拉木村" in html) is sees and ("张干部" in html) is sees
    assert c.get(reverse("social-need-detail", args=[need.pk])).status_code == (200 if sees else 404)
    assert c.get(reverse("social-need-create")).status_code == (200 if creates else 403)
    actions.review_need(users["east_office"], need, publish=True)
    html = c.get(reverse("social-need-list"), {"view": "published"}).content.decode()
    assert "洒库乡拉木村" in html and "张干部" not in html  # everybody reads the published need, nobody its cadre there
    detail = c.get(reverse("social-need-detail", args=[need.pk]))
    assert detail.status_code == 200
    assert ("张干部" in detail.content.decode()) is sees


def test_from_publication_to_confirmed_result_through_the_pages(client_as, sw, users, today):
    need = sw["need"]
    url = reverse("social-need-detail", args=[need.pk])
    east, social, foundation, county = (client_as(u) for u in ("east_office", "social_org", "foundation", "county_office"))
    assert client_as("county_office").post(reverse("social-need-review", args=[need.pk]), {"decision": "publish"}).status_code == 403
    assert 'data-testid="publish"' in east.get(url).content.decode()
    r = east.post(reverse("social-need-review", args=[need.pk]), {"decision": "return", "note": ""}, follow=True)
    assert "say why the need is returned" in r.content.decode()
    east.post(reverse("social-need-review", args=[need.pk]), {"decision": "publish", "note": "同意发布"})
    assert Need.objects.get(pk=need.pk).status == "published"
    assert foundation.post(reverse("social-need-take", args=[need.pk])).status_code == 403
    social.post(reverse("social-need-take", args=[need.pk]))
    assert Need.objects.get(pk=need.pk).status == "taken"
    r = foundation.post(reverse("social-need-pledge", args=[need.pk]), {"amount_fen": "30000"}, follow=True)
    assert "still open" in r.content.decode()  # more than the budget of 20,000
    foundation.post(reverse("social-need-pledge", args=[need.pk]), {"amount_fen": "20000"})
    pledge = need.pledges.get()
    assert social.post(reverse("social-pledge-pay", args=[need.pk, pledge.pk])).status_code == 403
    foundation.post(reverse("social-pledge-pay", args=[need.pk, pledge.pk]))
    pledge.refresh_from_db()
    assert pledge.posting_id and Posting.objects.get(pk=pledge.posting_id).amount_fen == 2_000_000
    assert Need.objects.get(pk=need.pk).status == "funded"
    r = social.post(reverse("social-need-result", args=[need.pk]), {"summary": "联系 13812345678", "evidence": "QS-1",
                                                                    "beneficiaries_reached": "42", "completed_on": today.isoformat()},
                    follow=True)
    assert "leave out ID numbers and phone numbers" in r.content.decode()
    social.post(reverse("social-need-result", args=[need.pk]), {"summary": "42名学生领到校服", "evidence": "签收单 QS-1",
                                                                "beneficiaries_reached": "42", "completed_on": today.isoformat()})
    assert Need.objects.get(pk=need.pk).status == "done"
    assert east.post(reverse("social-need-confirm", args=[need.pk])).status_code == 403
    county.post(reverse("social-need-confirm", args=[need.pk]))
    assert Need.objects.get(pk=need.pk).status == "confirmed"
    assert "签收单 QS-1" in foundation.get(url).content.decode()


def test_need_form_bad_input_and_export(client_as, sw, users):
    c = client_as("county_office")
    data = {"county": sw["meigu"].pk, "village": "村", "category": "medical", "description": "身份证513436199001011234",
            "budget_fen": "1000", "beneficiaries": "3", "cadre": sw["cadre"].pk}
    r = c.post(reverse("social-need-create"), data)
    assert r.status_code == 200 and "leave out ID numbers and phone numbers" in r.content.decode()
    r = c.post(reverse("social-need-create"), dict(data, description="村卫生室缺少血压计", budget_fen="-5"))
    assert r.status_code == 200 and "amounts cannot be negative" in r.content.decode()
    r = c.post(reverse("social-need-create"), dict(data, description="村卫生室缺少血压计"))
    assert r.status_code == 302
    headers, rows, _ws = export_sheet(c.get(reverse("social-need-list"), {"format": "xlsx"}))
    assert len(rows) == 2 and "dispatched cadre" in headers
    actions.review_need(users["east_office"], sw["need"], publish=True)
    headers, rows, _ws = export_sheet(client_as("foundation").get(reverse("social-need-list"), {"format": "xlsx"}))
    assert len(rows) == 1 and "dispatched cadre" not in headers and "张干部" not in str(rows)
