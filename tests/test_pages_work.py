"""The project, people and funds pages: who sees and changes what (a matrix of roles and an
in-scope and an out-of-scope object), every form's bad input and refusals, the Excel
exports, and the ledger's rule that each side posts only its own steps — through the pages.
"""
import datetime
import io

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from xiezuo.users.models import Profile
from xiezuo.ledger import actions as ledger
from xiezuo.ledger.choices import Kind
from xiezuo.ledger.models import Posting
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.people.actions import save_dispatch
from xiezuo.people.models import Dispatch
from xiezuo.projects.actions import create_project, record_output, set_milestones, submit_report, transition
from xiezuo.projects.models import Milestone, ProgressReport, Project, ProjectOutput
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db
D = datetime.date
WAN = 10_000_00
ROLES = ("national", "east_office", "west_office", "county_office", "viewer", "auditor", "gd_office")


def office(code):
    return Organisation.objects.get(kind="office", region__code=code)


@pytest.fixture
def gd_office(db):
    """An office admin of Guangdong: outside the Zhejiang–Sichuan pairs."""
    user = get_user_model().objects.create_user("gd_office")
    Profile.objects.create(user=user, role="office_admin", organisation=office("440000"))
    return user


@pytest.fixture
def client_as(client_as, gd_office):
    """Logged-in clients that chose English (the language switch's cookie), so that tests
    can match the wording; the platform's default is Chinese."""

    def make(username):
        c = client_as(username)
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return c

    return make


@pytest.fixture
def client_for(client_as):
    return client_as


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def meigu(users, today):
    """A project in 美姑县 under its pairing with 鄞州区, a milestone overdue, a report, outputs."""
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    p = create_project(users["county_office"], name="高山蔬菜基地", category="industry", county=Region.objects.get(code="513436"),
                       pairing=pair, planned_start=today - datetime.timedelta(days=120),
                       planned_end=today + datetime.timedelta(days=200), budget={"east_fiscal": 300 * WAN, "local_match": 50 * WAN})
    set_milestones(users["county_office"], p, [("选址", today - datetime.timedelta(days=60)), ("大棚建成", today - datetime.timedelta(days=10)),
                                               ("投产", today + datetime.timedelta(days=90))])
    transition(users["county_office"], p, "in_progress", on=today - datetime.timedelta(days=100))
    submit_report(users["county_office"], p, week=today - datetime.timedelta(days=7), percent=35, done="完成选址", problems="雨季施工慢")
    record_output(users["county_office"], p, as_of=today - datetime.timedelta(days=3), jobs_created=42,
                  local_procurement_fen=80 * WAN, total_procurement_fen=100 * WAN, households={"employment": 30, "order": 12})
    return p


@pytest.fixture
def guiyang(users, today):
    """A project in a Guizhou county: out of scope for the Zhejiang and Sichuan users."""
    pair = Pairing.objects.get(kind="prefecture", east_region__code="440100", west_region__code="520100")
    return create_project(users["national"], name="贵阳数据中心配套", category="innovation", county=Region.objects.get(code="520111"),
                          pairing=pair, planned_start=today, planned_end=today + datetime.timedelta(days=300))


@pytest.fixture
def dispatches(users, today):
    east, west = office("330212"), office("513436")
    done = save_dispatch(users["county_office"], person_name="李医生", id_number="330212198001011234", kind="medical",
                         direction="e2w", from_org=east, to_org=west, planned_start=today - datetime.timedelta(days=400),
                         planned_end=today - datetime.timedelta(days=35), actual_start=today - datetime.timedelta(days=400),
                         actual_end=today - datetime.timedelta(days=30))
    early = save_dispatch(users["county_office"], person_name="王老师", kind="education", direction="e2w", from_org=east, to_org=west,
                          planned_start=today - datetime.timedelta(days=400), planned_end=today - datetime.timedelta(days=35),
                          actual_start=today - datetime.timedelta(days=400), actual_end=today - datetime.timedelta(days=100))
    now = save_dispatch(users["county_office"], person_name="张干部", kind="cadre", direction="e2w", from_org=east, to_org=west,
                        planned_start=today - datetime.timedelta(days=30), planned_end=today + datetime.timedelta(days=700),
                        actual_start=today - datetime.timedelta(days=30))
    gz = save_dispatch(users["national"], person_name="陈工", kind="agriculture", direction="e2w", from_org=office("440100"),
                       to_org=office("520100"), planned_start=today, planned_end=today + datetime.timedelta(days=365))
    return {"done": done, "early": early, "now": now, "gz": gz}


@pytest.fixture
def agreement():
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    return Agreement.objects.get(pairing=pair, year=timezone.localdate().year)


@pytest.fixture
def money(users, agreement, meigu, today):
    """100万元 allocated by the east, arrived in 美姑县, 40万 disbursed to the project, 10万 spent."""
    alloc = ledger.allocate(users["east_office"], agreement=agreement, amount_fen=100 * WAN, idempotency_key="t-alloc")
    arrival = ledger.confirm_arrival(users["county_office"], allocation=alloc, arrived_on=today, idempotency_key="t-arr")
    disb = ledger.disburse(users["county_office"], project=meigu, amount_fen=40 * WAN, idempotency_key="t-disb")
    spend = ledger.record_spending(users["county_office"], project=meigu, amount_fen=10 * WAN, idempotency_key="t-spend")
    return {"alloc": alloc, "arrival": arrival, "disb": disb, "spend": spend}


@pytest.fixture
def gz_money(users, guiyang):
    """An allocation between 广州 and 贵阳: out of scope for the Zhejiang and Sichuan users."""
    pair = guiyang.pairing
    agreement = Agreement.objects.get(pairing=pair, year=timezone.localdate().year)
    return ledger.allocate(users["national"], agreement=agreement, amount_fen=7 * WAN, idempotency_key="t-gz")


def xlsx_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


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


# role → (sees the 美姑 postings, stage forms offered)
LEDGER_MATRIX = {
    "national": (True, {"allocate", "arrival", "disburse", "spend"}),
    "east_office": (True, {"allocate"}),
    "west_office": (True, {"arrival", "disburse", "spend"}),
    "county_office": (True, {"arrival", "disburse", "spend"}),
    "viewer": (True, set()),
    "auditor": (True, set()),
    "gd_office": (False, {"allocate"}),
}


@pytest.mark.parametrize("role", ROLES)
def test_ledger_pages_for_each_role(role, client_for, money, gz_money):
    sees, stages = LEDGER_MATRIX[role]
    c = client_for(role)
    index = c.get(reverse("ledger-index"))
    assert index.status_code == 200
    for p in money.values():
        assert c.get(reverse("ledger-posting", args=[p.pk])).status_code == (200 if sees else 404)
    sees_gz = role in ("national", "auditor", "gd_office")
    assert c.get(reverse("ledger-posting", args=[gz_money.pk])).status_code == (200 if sees_gz else 404)
    postings = c.get(reverse("ledger-postings")).content.decode()
    assert (f"#{money['disb'].pk}<" in postings) is sees
    for stage in ("allocate", "arrival", "disburse", "spend"):
        assert c.get(reverse(f"ledger-{stage}")).status_code == (200 if stage in stages else 403), stage


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
    assert row["budget (fen)"] == 350 * WAN and row["percent done"] == 35
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


def test_status_form_offers_only_allowed_transitions(client_as, meigu, english):
    c = client_as("county_office")
    form = c.get(reverse("project-transition", args=[meigu.pk])).context["form"]
    assert [v for v, _label in form.fields["to"].choices] == ["suspended", "completed", "cancelled"]
    # A transition not offered is refused by the form.
    response = c.post(reverse("project-transition", args=[meigu.pk]), {"to": "planned"})
    assert response.status_code == 200 and "to" in response.context["form"].errors
    response = c.post(reverse("project-transition", args=[meigu.pk]), {"to": "completed", "on": "2026-11-01"})
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


# --- funds --------------------------------------------------------------------------


def test_ledger_index_figures_and_balances(client_as, money, english):
    response = client_as("county_office").get(reverse("ledger-index"))
    figures = {f["key"]: f["fen"] for f in response.context["figures"]}
    assert figures["allocated"] == 100 * WAN and figures["arrived"] == 100 * WAN
    assert figures["disbursed"] == 40 * WAN and figures["spent"] == 10 * WAN and figures["committed"] > 0
    balances = {(a.owner.region.code, a.purpose, a.project_id): a.balance for a in response.context["accounts"]}
    assert balances[("513436", "west_receiving", None)] == 60 * WAN
    assert balances[("513436", "project", money["disb"].project_id)] == 30 * WAN
    assert balances[("513436", "project_spending", money["disb"].project_id)] == 10 * WAN
    assert balances[("513436", "in_transit", None)] == 0
    assert response.context["timeliness"]["allocated_fen"] == 100 * WAN


def test_account_page_replays_its_entries(client_as, money):
    from xiezuo.ledger.models import Account

    account = Account.objects.get(owner=office("513436"), purpose="west_receiving")
    response = client_as("west_office").get(reverse("ledger-account", args=[account.pk]))
    assert response.status_code == 200
    assert [running for _e, running in response.context["lines"]] == [100 * WAN, 60 * WAN]
    assert response.context["balance"] == 60 * WAN
    assert client_as("national").get(reverse("ledger-account", args=[account.pk])).status_code == 200


def test_account_page_out_of_scope_is_404(client_for, money):
    from xiezuo.ledger.models import Account

    account = Account.objects.get(owner=office("513436"), purpose="west_receiving")
    assert client_for("gd_office").get(reverse("ledger-account", args=[account.pk])).status_code == 404


def test_postings_filters_and_export(client_as, money, english):
    c = client_as("national")
    url = reverse("ledger-postings")
    page = c.get(url, {"kind": "disbursement"})
    assert [p.pk for p in page.context["page"]] == [money["disb"].pk]
    assert {p.pk for p in c.get(url, {"q": money["disb"].project.code}).context["page"]} == {money["disb"].pk, money["spend"].pk}
    rows = xlsx_rows(c.get(url, {"format": "xlsx", "kind": "allocation"}))
    header, body = rows[0], rows[1:]
    assert len(body) == 1
    row = dict(zip(header, body[0]))
    assert row["amount (fen)"] == 100 * WAN and float(row["amount (yuan)"]) == 1_000_000.0
    assert row["kind"] == "allocation" and row["idempotency key"] == "t-alloc" and row["reversed"] == "no"
    assert row["western side"] == office("513436").name


def test_posting_page_shows_balanced_entries_and_reversal_links(client_as, money, english):
    c = client_as("county_office")
    response = c.get(reverse("ledger-posting", args=[money["spend"].pk]))
    assert response.context["debits"] == response.context["credits"] == 10 * WAN
    assert response.context["may_reverse"] and 'data-testid="reverse-link"' in response.content.decode()
    url = reverse("ledger-reverse", args=[money["spend"].pk])
    form = c.get(url).context["form"]
    key = form["idempotency_key"].value()
    assert key.startswith("web-")
    assert c.post(url, {"reason": "", "idempotency_key": key}).status_code == 200  # a reason is required
    response = c.post(url, {"reason": "重复登记", "idempotency_key": key})
    assert response.status_code == 302
    reversal = Posting.objects.get(reversal_of=money["spend"])
    again = c.post(url, {"reason": "重复登记", "idempotency_key": key})  # the double submit
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert Posting.objects.filter(reversal_of=money["spend"]).count() == 1
    original = c.get(reverse("ledger-posting", args=[money["spend"].pk])).content.decode()
    assert 'data-testid="reversal-link"' in original and not c.get(
        reverse("ledger-posting", args=[money["spend"].pk])).context["may_reverse"]
    assert 'data-testid="reversal-of-link"' in c.get(reverse("ledger-posting", args=[reversal.pk])).content.decode()
    # A reversal is not reversed; the original not twice.
    assert c.get(reverse("ledger-reverse", args=[reversal.pk])).status_code == 403
    response = c.post(url, {"reason": "again", "idempotency_key": "web-another"})
    assert "this posting was already reversed" in response.content.decode()


def _key(client, url, **params):
    return client.get(url, params).context["form"]["idempotency_key"].value()


def test_the_stages_through_the_pages_and_double_submits_post_once(client_as, meigu, agreement, today):
    east, west = client_as("east_office"), client_as("county_office")
    url = reverse("ledger-allocate")
    data = {"agreement": agreement.pk, "amount": "500,000", "memo": "第一批", "idempotency_key": _key(east, url)}
    first = east.post(url, data)
    assert first.status_code == 302
    assert east.post(url, data)["Location"] == first["Location"]
    alloc = Posting.objects.get(kind=Kind.ALLOCATION, memo="第一批")
    assert Posting.objects.filter(kind=Kind.ALLOCATION).count() == 1 and alloc.amount_fen == 50 * WAN

    url = reverse("ledger-arrival")
    assert alloc in west.get(url).context["form"].fields["allocation"].queryset
    data = {"allocation": alloc.pk, "arrived_on": today.isoformat(), "idempotency_key": _key(west, url)}
    first = west.post(url, data)
    assert first.status_code == 302
    assert west.post(url, data)["Location"] == first["Location"]
    assert Posting.objects.filter(kind=Kind.ARRIVAL).count() == 1
    assert alloc not in west.get(url).context["form"].fields["allocation"].queryset

    url = reverse("ledger-disburse")
    data = {"project": meigu.code, "amount": "200,000", "idempotency_key": _key(west, url, project=meigu.code)}
    assert west.post(url, data).status_code == 302
    assert west.post(url, data).status_code == 302
    assert Posting.objects.filter(kind=Kind.DISBURSEMENT).count() == 1

    url = reverse("ledger-spend")
    data = {"project": meigu.code, "amount": "50,000", "booked_on": today.isoformat(), "idempotency_key": _key(west, url)}
    assert west.post(url, data).status_code == 302
    assert west.post(url, data).status_code == 302
    spend = Posting.objects.get(kind=Kind.SPENDING)
    assert spend.amount_fen == 5 * WAN and spend.booked_on == today


def test_east_cannot_post_the_wests_steps_and_west_cannot_allocate(client_as, money, meigu, agreement, today):
    before = Posting.objects.count()
    east = client_as("east_office")
    for stage in ("arrival", "disburse", "spend"):
        assert east.get(reverse(f"ledger-{stage}")).status_code == 403
    assert east.post(reverse("ledger-disburse"), {"project": meigu.code, "amount": "1", "idempotency_key": "e1"}).status_code == 403
    assert east.post(reverse("ledger-spend"), {"project": meigu.code, "amount": "1", "idempotency_key": "e2"}).status_code == 403
    assert east.post(reverse("ledger-arrival"), {"allocation": money["alloc"].pk, "arrived_on": today.isoformat(),
                                                 "idempotency_key": "e3"}).status_code == 403
    for role in ("west_office", "county_office"):
        west = client_as(role)
        assert west.get(reverse("ledger-allocate")).status_code == 403
        assert west.post(reverse("ledger-allocate"), {"agreement": agreement.pk, "amount": "1", "idempotency_key": "w1"}).status_code == 403
    # Reversing is for the side that posted: the east may not reverse the west's disbursement, nor the west the allocation.
    assert east.get(reverse("ledger-reverse", args=[money["disb"].pk])).status_code == 403
    assert east.post(reverse("ledger-reverse", args=[money["disb"].pk]), {"reason": "x", "idempotency_key": "e4"}).status_code == 403
    assert client_as("county_office").post(reverse("ledger-reverse", args=[money["alloc"].pk]),
                                           {"reason": "x", "idempotency_key": "w2"}).status_code == 403
    for role in ("viewer", "auditor"):
        for stage in ("allocate", "arrival", "disburse", "spend"):
            assert client_as(role).post(reverse(f"ledger-{stage}"), {}).status_code == 403
    assert Posting.objects.count() == before


def test_stage_forms_refuse_bad_input(client_as, money, meigu, agreement, guiyang, today, english):
    west = client_as("county_office")
    url = reverse("ledger-disburse")
    cases = [
        ({"amount": "-5"}, "amount", "amounts cannot be negative"),
        ({"amount": "0"}, "amount", "the amount must be more than zero"),
        ({"amount": "0.001"}, "amount", "at most two decimal places"),
        ({"amount": "999,999,999"}, "amount", "more than has arrived"),
        ({"project": guiyang.code}, "project", "no project"),
        ({"project": "P-NOPE"}, "project", "no project"),
        ({"booked_on": (today + datetime.timedelta(days=3)).isoformat()}, "booked_on", "is in the future"),
    ]
    for change, field, message in cases:
        data = {"project": meigu.code, "amount": "1", "idempotency_key": f"bad-{field}-{change}", **change}
        response = west.post(url, data)
        assert response.status_code == 200, change
        assert message in " ".join(response.context["form"].errors.get(field, [])), (change, response.context["form"].errors)
    spend = west.post(reverse("ledger-spend"), {"project": meigu.code, "amount": "400,000", "idempotency_key": "too-much"})
    assert "more than the project holds" in " ".join(spend.context["form"].errors["amount"])
    # The same key with another body is refused.
    reuse = west.post(url, {"project": meigu.code, "amount": "2", "idempotency_key": "t-disb"})
    assert "was already used" in " ".join(reuse.context["form"].non_field_errors() + reuse.context["form"].errors.get("idempotency_key", []))
    east = client_as("east_office")
    bad = east.post(reverse("ledger-allocate"), {"agreement": agreement.pk, "amount": "abc", "idempotency_key": "x"})
    assert "amount" in bad.context["form"].errors
    arrival = west.post(reverse("ledger-arrival"), {"allocation": money["alloc"].pk, "arrived_on": today.isoformat(),
                                                    "idempotency_key": "second-arrival"})
    assert "already arrived" in " ".join(arrival.context["form"].errors["allocation"])
    assert Posting.objects.count() == 4


def test_project_page_offers_the_ledger_steps_only_to_the_western_side(client_as, meigu):
    disburse = reverse("ledger-disburse") + f"?project={meigu.code}"
    for role, offered in (("county_office", True), ("west_office", True), ("national", True), ("east_office", False),
                          ("viewer", False)):
        html = client_as(role).get(reverse("project-detail", args=[meigu.pk])).content.decode()
        assert (disburse in html) is offered, role


def test_ledger_index_pages_its_accounts(client_as, money, english):
    response = client_as("national").get(reverse("ledger-index"), {"year": "abc"})
    assert response.status_code == 200 and response.context["year"] == timezone.localdate().year
    assert response.context["page"].paginator.count >= 5


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


def test_ledger_writes_out_of_scope(client_for, money, agreement, english):
    c = client_for("gd_office")
    assert c.get(reverse("ledger-reverse", args=[money["disb"].pk])).status_code == 404
    assert c.post(reverse("ledger-reverse", args=[money["alloc"].pk]), {"reason": "x", "idempotency_key": "g1"}).status_code == 404
    # Another province's agreement is not among the choices of the Guangdong office.
    response = c.post(reverse("ledger-allocate"), {"agreement": agreement.pk, "amount": "1", "idempotency_key": "g2"})
    assert response.status_code == 200 and "agreement" in response.context["form"].errors
    assert not Posting.objects.filter(idempotency_key__in=["g1", "g2"]).exists()


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
