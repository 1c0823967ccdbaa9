"""The loop's pages: who sees which orders, closing with an uploaded file, verifying,
read-only users, the rules page, the other lists, the Excel export."""
import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from xiezuo.assessment import loop, rules
from xiezuo.assessment.choices import OrderStatus
from xiezuo.assessment.models import ConsequenceRule, PerformanceWarning, RectificationOrder
from xiezuo.core.periods import Period
from xiezuo.assessment.views.loop import scorecard_url
from xiezuo.orgs.models import Organisation

from tests.assessment.test_loop import late_project, put_score

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def order(users):
    rules.ensure_default_rules()
    late_project(users, planned=D(2025, 9, 1))
    loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 9, 30))
    return RectificationOrder.objects.get()


def test_order_list_and_detail_are_scoped(order, client_as, users):
    from xiezuo.users.models import Profile

    for name in ("national", "auditor", "west_office", "viewer", "county_office", "east_office"):
        c = client_as(name)
        page = c.get(reverse("order-list"))
        assert page.status_code == 200 and order.title in page.content.decode(), name
        assert c.get(order.get_absolute_url()).status_code == 200
    other = get_user_model().objects.create_user("zhaojue_office")
    Profile.objects.create(user=other, role="office_admin", organisation=Organisation.objects.get(kind="office", region__code="513431"))
    c = client_as("zhaojue_office")
    assert order.title not in c.get(reverse("order-list")).content.decode()
    assert c.get(order.get_absolute_url()).status_code == 404
    assert client_as(None).get(reverse("order-list")).status_code == 302  # log in first


def test_the_navbar_links_the_order_list(client_as, users):
    html = client_as("county_office").get(reverse("home")).content.decode()
    assert reverse("order-list") in html


def test_close_with_a_file_then_verify_through_the_pages(order, client_as, users):
    county, issuer = client_as("county_office"), client_as("west_office")
    page = county.get(order.get_absolute_url()).content.decode()
    assert 'data-testid="close-form"' in page and 'data-testid="verify-form"' not in page
    assert reverse("project-detail", args=[order.project_id]) in page  # the evidence: the project and its milestone
    assert order.milestone.name in page and 'data-testid="days-late">29<' in page
    for name in ("viewer", "auditor", "west_office", "east_office"):
        r = client_as(name).post(reverse("order-close", args=[order.pk]), {"text": "x"})
        assert r.status_code == 403, name
    r = county.post(reverse("order-close", args=[order.pk]), {"text": ""})
    assert r.status_code == 400
    upload = SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4 report", content_type="application/pdf")
    r = county.post(reverse("order-close", args=[order.pk]), {"text": "大棚已建成并通过验收", "attachment": upload})
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED
    closure = order.closures.get()
    got = county.get(reverse("order-attachment", args=[closure.pk]))
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.4 report"
    assert "attachment" in got["Content-Disposition"]
    assert client_as("auditor").get(reverse("order-attachment", args=[closure.pk])).status_code == 200
    # The owner cannot verify its own closure; the issuer can.
    assert 'data-testid="verify-form"' not in county.get(order.get_absolute_url()).content.decode()
    assert county.post(reverse("order-verify", args=[order.pk]), {"decision": "accept"}).status_code == 403
    assert client_as("viewer").post(reverse("order-verify", args=[order.pk]), {"decision": "accept"}).status_code == 403
    assert 'data-testid="verify-form"' in issuer.get(order.get_absolute_url()).content.decode()
    r = issuer.post(reverse("order-verify", args=[order.pk]), {"decision": "send_back", "note": ""})
    assert r.status_code == 400
    r = issuer.post(reverse("order-verify", args=[order.pk]), {"decision": "accept", "note": "同意销号"})
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.VERIFIED


def test_export_of_orders(order, client_as):
    r = client_as("west_office").get(reverse("order-list"), {"format": "xlsx"})
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == order.title


def test_warning_list_and_acknowledgement(client_as, users):
    rules.ensure_default_rules()
    put_score("513436", Period.parse("2025Q3"), "poor")
    loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 9, 30))
    warning = PerformanceWarning.objects.get()
    page = client_as("west_office").get(reverse("warning-list")).content.decode()
    assert f'id="warning-{warning.pk}"' in page
    assert scorecard_url("region:513436", "2025Q3", 1) in page  # each score links to its scorecard
    assert client_as("viewer").post(reverse("warning-acknowledge", args=[warning.pk]), {"note": "x"}).status_code == 403
    r = client_as("county_office").post(reverse("warning-acknowledge", args=[warning.pk]), {"note": "已制定整改方案"})
    assert r.status_code == 302
    warning.refresh_from_db()
    assert warning.status == "acknowledged" and warning.response == "已制定整改方案"
    for name in ("incentive-list", "proposal-list", "ticket-list"):
        assert client_as("county_office").get(reverse(name)).status_code == 200
    r = client_as("west_office").get(reverse("warning-list"), {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "美姑县" and rows[1][2] == "2025Q3" and rows[1][3] == 1


def test_only_the_national_coordinator_edits_rules_on_the_page(client_as, users):
    rules.ensure_default_rules()
    rule = ConsequenceRule.objects.get(code="late-milestone")
    assert client_as("viewer").get(reverse("rule-list")).status_code == 200
    for name in ("west_office", "county_office", "viewer", "auditor"):
        assert client_as(name).get(reverse("rule-edit", args=[rule.pk])).status_code == 403
        assert client_as(name).post(reverse("rule-apply"), {"period": "2025Q3"}).status_code == 403
    c = client_as("national")
    assert c.get(reverse("rule-edit", args=[rule.pk])).status_code == 200
    data = {"name": rule.name, "active": "on", "period_kind": "quarter", "subject_level": "", "grade": "", "count": "20",
            "levels": "", "working_days": "5", "issuer_level": "parent", "benefit": "", "description": rule.description}
    assert c.post(reverse("rule-edit", args=[rule.pk]), data).status_code == 302
    rule.refresh_from_db()
    assert (rule.count, rule.working_days, rule.issuer_level, rule.revision) == (20, 5, "parent", 2)
    warning = ConsequenceRule.objects.get(code="warning-poor")
    data = {"name": warning.name, "active": "on", "period_kind": "quarter", "grade": "poor", "count": "1", "levels": "3, 2",
            "working_days": "0", "issuer_level": "province"}
    r = c.post(reverse("rule-edit", args=[warning.pk]), data)
    assert r.status_code == 200 and "invalid-feedback" in r.content.decode()
    r = c.post(reverse("rule-apply"), {"period": "2025Q3"}, follow=True)
    assert r.status_code == 200
