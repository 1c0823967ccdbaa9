"""The project pages: who sees and changes what (a matrix of roles, an in-scope and an
out-of-scope project), the list, its filters and export, every form's bad input and refusals,
the weekly report's attachment.

Pages answer in English here (the language switch's cookie, see `support.english_client_as`)
so that tests can match the wording.
"""
import datetime

import pytest
from django.urls import reverse

from tests.support import xlsx_rows
from tests.support import agreement, client_for, english_client_as, gd_office, guiyang, meigu, money, today  # noqa: F401 (fixtures, defined once)
from xiezuo.orgs.models import Organisation
from xiezuo.projects.actions import complete_milestone, create_project
from xiezuo.projects.models import Milestone, ProgressReport, Project, ProjectOutput

pytestmark = pytest.mark.django_db
D = datetime.date
WAN = 10_000_00
ROLES = ("national", "east_office", "west_office", "county_office", "viewer", "auditor", "gd_office")


# --- the matrix ----------------------------------------------------------------------

# role → (sees the 美姑 project, may change it, sees the 贵阳 project)
PROJECT_MATRIX = {
    "national": (True, True, True),
    "east_office": (True, True, False),
    "west_office": (True, True, False),
    "county_office": (True, True, False),
    "viewer": (True, False, False),
    "auditor": (True, False, True),
    "gd_office": (False, False, True),
}

WRITE_PAGES = ("project-edit", "project-transition", "project-milestones", "project-report", "project-output",
               "project-asset", "project-partner")


@pytest.mark.parametrize("role", ROLES)
def test_project_pages_for_each_role(role, client_for, meigu, guiyang):
    sees, writes, sees_gz = PROJECT_MATRIX[role]
    c = client_for(role)
    listing = c.get(reverse("project-list"))
    assert listing.status_code == 200
    assert (meigu.code in listing.content.decode()) is sees
    assert (guiyang.code in listing.content.decode()) is sees_gz
    detail = c.get(reverse("project-detail", args=[meigu.pk]))
    assert detail.status_code == (200 if sees else 404)
    assert c.get(reverse("project-detail", args=[guiyang.pk])).status_code == (200 if sees_gz else 404)
    for name in WRITE_PAGES:
        expected = 200 if writes else (403 if sees else 404)
        assert c.get(reverse(name, args=[meigu.pk])).status_code == expected, name
    complete = reverse("project-milestone-complete", args=[meigu.pk, 1])
    assert c.get(complete).status_code == (200 if writes else (403 if sees else 404))
    assert c.get(reverse("project-create")).status_code == (403 if role in ("viewer", "auditor") else 200)
    if sees:
        html = detail.content.decode()
        assert ("project-actions" in html) is writes
        assert "高山蔬菜基地" in html and "完成选址" in html


# --- projects: the list, the page, the export -----------------------------------------


def test_project_list_filters(client_as, meigu, guiyang, users, today, english):
    c = client_as("national")
    url = reverse("project-list")

    def codes(**params):
        html = c.get(url, params).content.decode()
        return {code for code in (meigu.code, guiyang.code) if code in html}

    assert codes() == {meigu.code, guiyang.code}
    assert codes(category="industry") == {meigu.code}
    assert codes(status="planned") == {guiyang.code}
    assert codes(region="513436") == {meigu.code}
    assert codes(region="凉山") == {meigu.code}
    assert codes(region="贵州省") == {guiyang.code}
    assert codes(region="nowhere-at-all") == set()
    assert codes(pairing=meigu.pairing_id) == {meigu.code}
    assert codes(late="on") == {meigu.code}
    assert codes(q="蔬菜") == {meigu.code}
    assert codes(q=guiyang.code[:8]) >= {guiyang.code}
    assert codes(year="abc") == {meigu.code, guiyang.code}  # a bad filter value is ignored
    old = create_project(users["national"], name="旧项目", category="social", county=meigu.county, pairing=meigu.pairing,
                         planned_start=D(2021, 3, 1), planned_end=D(2022, 6, 30))
    html = c.get(url, {"year": 2022}).content.decode()
    assert old.code in html and meigu.code not in html and guiyang.code not in html


def test_project_list_paginates(client_as, users, meigu):
    pair = meigu.pairing
    for i in range(55):
        create_project(users["county_office"], name=f"项目{i:02d}", category="labour", county=meigu.county, pairing=pair,
                       planned_start=D(2020, 1, 1), planned_end=D(2020, 12, 31))
    c = client_as("county_office")
    first = c.get(reverse("project-list")).content.decode()
    second = c.get(reverse("project-list"), {"page": 2}).content.decode()
    assert "1 / 2" in first and "2 / 2" in second
    assert first.count('data-testid="status"') == 50 and second.count('data-testid="status"') == 6


def test_project_export_has_the_filtered_rows(client_as, meigu, guiyang, english):
    rows = xlsx_rows(client_as("national").get(reverse("project-list"), {"format": "xlsx", "late": "on"}))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["project code", "name", "category"]
    assert [r[0] for r in body] == [meigu.code]
    row = dict(zip(header, body[0]))
    assert row["county code"] == "513436" and row["status"] == "in progress" and row["late"] == "yes"
    assert row["budget (yuan)"] == 350 * 10_000 and row["percent done"] == 35  # exact to the fen, one column
    # The export keeps the scoping rule: the east office never gets 贵阳's project.
    rows = xlsx_rows(client_as("east_office").get(reverse("project-list"), {"format": "xlsx"}))
    assert guiyang.code not in [r[0] for r in rows]


def test_project_page_shows_everything_it_reports(client_as, meigu, money, english):
    html = client_as("county_office").get(reverse("project-detail", args=[meigu.pk])).content.decode()
    for text in ("选址", "大棚建成", "投产", "late", "eastern fiscal aid", "¥3,000,000.00", "¥3,500,000.00", "完成选址",
                 "雨季施工慢", "employment 30", "order purchase 12", "42 in all"):
        assert text in html, text
    assert "10 days late" in html
    # Funds: disbursed 40万, spent 10万, held 30万; the pairing's allocation and arrival 100万.
    assert "¥400,000.00" in html and "¥100,000.00" in html and "¥300,000.00" in html and "¥1,000,000.00" in html


# --- projects: the forms --------------------------------------------------------------


def test_create_project_through_the_page(client_as, meigu, english):
    c = client_as("county_office")
    data = {"name": "羊肚菌大棚", "category": "industry", "county": "美姑县（513436）", "pairing": meigu.pairing_id,
            "planned_start": "2026-03-01", "planned_end": "2027-03-01", "budget_east_fiscal": "1,200,000.50",
            "budget_social": "", "budget_enterprise": "", "budget_local_match": "0"}
    response = c.post(reverse("project-create"), data)
    assert response.status_code == 302
    p = Project.objects.get(name="羊肚菌大棚")
    assert response["Location"] == p.get_absolute_url()
    assert {b.source: b.amount_fen for b in p.budget.all()} == {"east_fiscal": 120_000_050}


@pytest.mark.parametrize("change, field, message", [
    ({"name": ""}, "name", "This field is required"),
    ({"budget_east_fiscal": "-5"}, "budget_east_fiscal", "amounts cannot be negative"),
    ({"budget_east_fiscal": "1.234"}, "budget_east_fiscal", "at most two decimal places"),
    ({"planned_end": "2020-01-01"}, "planned_end", "the planned end is before the planned start"),
    ({"county": "330212"}, "county", "a project runs in a western county"),
    ({"county": "999999"}, "county", ""),
    ({"enclave": "forward"}, "enclave", "only co-built park projects are enclaves"),
    ({"category": "mining"}, "category", "Select a valid choice"),
])
def test_create_project_refuses_bad_input(client_as, meigu, change, field, message, english):
    data = {"name": "羊肚菌大棚", "category": "industry", "county": "513436", "planned_start": "2026-03-01",
            "planned_end": "2027-03-01", **change}
    response = client_as("county_office").post(reverse("project-create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert not Project.objects.filter(name="羊肚菌大棚").exists()


def test_create_project_outside_ones_subtree_is_refused_with_the_reason(client_as, english):
    response = client_as("county_office").post(reverse("project-create"), {
        "name": "越界", "category": "industry", "county": "513431", "planned_start": "2026-03-01", "planned_end": "2027-03-01"})
    assert response.status_code == 403
    assert "you may not create projects in" in response.content.decode()
    assert not Project.objects.filter(name="越界").exists()


def test_edit_project_keeps_its_county_and_changes_the_budget(client_as, meigu):
    c = client_as("east_office")
    response = c.post(reverse("project-edit", args=[meigu.pk]), {
        "name": "高山蔬菜基地（二期）", "category": "industry", "county": "520111", "planned_start": meigu.planned_start.isoformat(),
        "planned_end": meigu.planned_end.isoformat(), "pairing": meigu.pairing_id, "budget_east_fiscal": "3,100,000",
        "budget_local_match": "", "description": "扩建"})
    assert response.status_code == 302
    meigu.refresh_from_db()
    assert meigu.name == "高山蔬菜基地（二期）" and meigu.county.code == "513436" and meigu.description == "扩建"
    assert {b.source: b.amount_fen for b in meigu.budget.all()} == {"east_fiscal": 310 * WAN, "local_match": 0}


def test_edit_project_refuses_bad_dates(client_as, meigu, english):
    response = client_as("county_office").post(reverse("project-edit", args=[meigu.pk]), {
        "name": "x", "category": "industry", "planned_start": "2026-05-01", "planned_end": "2026-01-01"})
    assert response.status_code == 200
    assert "the planned end is before the planned start" in response.context["form"].errors["planned_end"]


def test_status_form_offers_only_allowed_transitions(client_as, users, meigu, today, english):
    c = client_as("county_office")
    form = c.get(reverse("project-transition", args=[meigu.pk])).context["form"]
    assert [v for v, _label in form.fields["to"].choices] == ["suspended", "completed", "cancelled"]
    # A transition not offered is refused by the form.
    response = c.post(reverse("project-transition", args=[meigu.pk]), {"to": "planned"})
    assert response.status_code == 200 and "to" in response.context["form"].errors
    # Completing is refused while milestones are open (projects.rules), then allowed.
    response = c.post(reverse("project-transition", args=[meigu.pk]), {"to": "completed", "on": today.isoformat()})
    assert response.status_code == 200 and "milestones not reached yet" in " ".join(response.context["form"].errors["on"])
    for milestone, days in zip(meigu.milestones.all(), (50, 5, 1)):
        complete_milestone(users["county_office"], milestone, today - datetime.timedelta(days=days))
    response = c.post(reverse("project-transition", args=[meigu.pk]), {"to": "completed", "on": today.isoformat()})
    assert response.status_code == 302
    meigu.refresh_from_db()
    assert meigu.status == "completed" and meigu.percent_done == 100
    response = c.get(reverse("project-transition", args=[meigu.pk]))
    assert response.context["form"].fields["to"].choices == []
    assert "does not change status any more" in response.content.decode()


def test_readers_cannot_post_any_project_form(client_as, meigu):
    for role in ("viewer", "auditor"):
        c = client_as(role)
        for name in WRITE_PAGES:
            assert c.post(reverse(name, args=[meigu.pk]), {}).status_code == 403
        assert c.post(reverse("project-create"), {}).status_code == 403
    assert client_as("viewer").post(reverse("project-transition", args=[meigu.pk]), {"to": "cancelled"}).status_code == 403
    meigu.refresh_from_db()
    assert meigu.status == "in_progress"


def test_out_of_scope_writes_answer_404(client_for, guiyang):
    c = client_for("west_office")
    for name in WRITE_PAGES:
        assert c.post(reverse(name, args=[guiyang.pk]), {}).status_code == 404


def test_milestone_plan_form(client_as, guiyang, english):
    c = client_as("national")
    url = reverse("project-milestones", args=[guiyang.pk])
    bad = c.post(url, {"plan": "2026-01-05 设计\nnot a date\n2026-02-30 施工"})
    assert bad.status_code == 200
    errors = " ".join(bad.context["form"].errors["plan"])
    assert "line 2" in errors and "line 3" in errors
    out_of_order = c.post(url, {"plan": "2026-05-01 设计\n2026-03-01 施工"})
    assert "milestone 2 is planned before milestone 1" in out_of_order.content.decode()
    assert c.post(url, {"plan": "2026-03-01 设计\n\n2026-05-01 施工\n2026-09-01 验收"}).status_code == 302
    assert list(guiyang.milestones.values_list("seq", "name")) == [(1, "设计"), (2, "施工"), (3, "验收")]
    # Pre-filled with the plan, so adding one is adding a line.
    assert "2026-09-01 验收" in c.get(url).content.decode()


def test_milestones_are_reached_in_order(client_as, meigu, today, english):
    c = client_as("county_office")
    second = c.post(reverse("project-milestone-complete", args=[meigu.pk, 2]), {"on": today.isoformat()})
    assert second.status_code == 200
    assert "milestone 1 (选址) is not reached yet" in second.content.decode()
    assert c.post(reverse("project-milestone-complete", args=[meigu.pk, 1]), {"on": ""}).status_code == 200
    assert c.post(reverse("project-milestone-complete", args=[meigu.pk, 1]), {"on": today.isoformat()}).status_code == 302
    assert Milestone.objects.get(project=meigu, seq=1).actual_date == today
    assert c.get(reverse("project-milestone-complete", args=[meigu.pk, 9])).status_code == 404
    # The re-plan is refused once a milestone is reached.
    response = c.post(reverse("project-milestones", args=[meigu.pk]), {"plan": "2026-01-01 新"})
    assert "milestones already reached cannot be re-planned" in response.content.decode()


def test_weekly_report_form(client_as, meigu, today, english):
    c = client_as("west_office")
    url = reverse("project-report", args=[meigu.pk])
    for data, field in (({"week": today.isoformat(), "percent": "101"}, "percent"),
                        ({"week": today.isoformat(), "percent": "-1"}, "percent"),
                        ({"week": today.isoformat(), "percent": "4.5"}, "percent"),
                        ({"week": "", "percent": "40"}, "week")):
        response = c.post(url, data)
        assert response.status_code == 200 and field in response.context["form"].errors
    assert c.post(url, {"week": today.isoformat(), "percent": "48", "done": "大棚封顶"}).status_code == 302
    report = ProgressReport.objects.get(project=meigu, week=today - datetime.timedelta(days=today.weekday()))
    assert report.percent == 48 and report.done == "大棚封顶" and report.reported_by.username == "west_office"
    meigu.refresh_from_db()
    assert meigu.percent_done == 48


def test_weekly_report_on_a_cancelled_project_is_refused(client_as, meigu, today, english):
    c = client_as("county_office")
    assert c.post(reverse("project-transition", args=[meigu.pk]), {"to": "cancelled"}).status_code == 302
    response = c.post(reverse("project-report", args=[meigu.pk]), {"week": today.isoformat(), "percent": "50"})
    assert response.status_code == 200
    assert "is cancelled and takes no reports" in response.content.decode()


def test_outputs_form(client_as, meigu, today, english):
    c = client_as("county_office")
    url = reverse("project-output", args=[meigu.pk])
    response = c.post(url, {"as_of": today.isoformat(), "jobs_created": "5", "local_procurement": "200", "total_procurement": "100"})
    assert response.status_code == 200
    assert "local procurement cannot exceed total procurement" in response.context["form"].errors["local_procurement"]
    response = c.post(url, {"as_of": today.isoformat(), "jobs_created": "-1"})
    assert "jobs_created" in response.context["form"].errors
    response = c.post(url, {"as_of": today.isoformat(), "jobs_created": "60", "hh_trusteeship": "15", "hh_shares": "7",
                            "local_procurement": "50,000", "total_procurement": "80,000.5"})
    assert response.status_code == 302
    out = ProjectOutput.objects.get(project=meigu, as_of=today)
    assert out.jobs_created == 60 and out.total_procurement_fen == 8_000_050
    assert {link.mechanism: link.households for link in out.links.all()} == {"trusteeship": 15, "shares": 7}


def test_asset_and_partner_forms(client_as, meigu, english):
    c = client_as("county_office")
    bad = c.post(reverse("project-asset", args=[meigu.pk]), {"name": "冷库", "asset_class": "building", "value": "-1",
                                                              "owner_tier": "collective", "registered_on": "2026-05-01"})
    assert bad.status_code == 200 and "value" in bad.context["form"].errors
    assert c.post(reverse("project-asset", args=[meigu.pk]), {"name": "冷库", "asset_class": "building", "value": "880,000",
                                                              "owner_tier": "collective", "registered_on": "2026-05-01"}).status_code == 302
    assert meigu.assets.get().value_fen == 88_000_000
    firm = Organisation.objects.get(name="宁波甬美农业发展有限公司（演示）")
    assert c.post(reverse("project-partner", args=[meigu.pk]), {"organisation": firm.pk, "role": "chief"}).status_code == 200
    assert c.post(reverse("project-partner", args=[meigu.pk]), {"organisation": firm.pk, "role": "investor"}).status_code == 302
    html = c.get(reverse("project-detail", args=[meigu.pk])).content.decode()
    assert "冷库" in html and "宁波甬美农业发展有限公司" in html and "investor" in html
    # An organisation the user may not see is not a choice.
    hidden = Organisation.objects.get(kind="office", region__code="440000")
    assert c.post(reverse("project-partner", args=[meigu.pk]), {"organisation": hidden.pk, "role": "investor"}).status_code == 200


def test_weekly_report_with_an_attachment(client_as, meigu, today, settings, tmp_path, english):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    c = client_as("county_office")
    url = reverse("project-report", args=[meigu.pk])
    assert 'enctype="multipart/form-data"' in c.get(url).content.decode()
    bad = c.post(url, {"week": today.isoformat(), "percent": "52", "attachment": SimpleUploadedFile("run.exe", b"MZ")})
    assert bad.status_code == 200
    assert "only these kinds of file are kept" in " ".join(bad.context["form"].errors["attachment"])
    # All or nothing: the refused file took its report with it.
    assert not ProgressReport.objects.filter(project=meigu, percent=52).exists()
    good = c.post(url, {"week": today.isoformat(), "percent": "52",
                        "attachment": SimpleUploadedFile("验收单.pdf", b"%PDF-1.4 test", content_type="application/pdf")})
    assert good.status_code == 302
    report = ProgressReport.objects.get(project=meigu, percent=52)
    attachment = report.attachments.get()
    assert attachment.name == "验收单.pdf"
    html = c.get(reverse("project-detail", args=[meigu.pk])).content.decode()
    link = reverse("project-attachment", args=[meigu.pk, attachment.pk])
    assert link in html and "验收单.pdf" in html
    download = client_as("viewer").get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert client_as("gd_office").get(link).status_code == 404
