"""What many test modules share: the look-ups of the demo's offices, pairings and ledger
accounts that tests name by region code, the base data for the browser tests' transactional
flushes, and the world built once for a module of tests.

The live server needs committed data seen from another thread, so browser tests run with
`transactional_db`, whose teardown empties every table — including what data migrations
created. `ensure_base_data` puts back what the session started with: the region tree, the
former poverty counties, the demo, and the indicator system's version 1 from migration 0002.

Fixtures live here too when test modules of several apps share them (a module imports the
ones it uses): the pages' objects in and out of scope, the world of the project, people and
funds pages, and the Excel imports' projects.
"""
import datetime
import io
from contextlib import contextmanager

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from xiezuo.core.importing import DATA_SHEET, run_import
from xiezuo.ledger import actions as ledger
from xiezuo.ledger.models import Account
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.people.actions import save_dispatch
from xiezuo.projects.actions import create_project, record_output, set_milestones, submit_report, transition
from xiezuo.regions.models import Region
from xiezuo.users.models import Profile

D = datetime.date
WAN = 10_000_00  # 1万元 in fen
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def office(code):
    """The pairing office of the region with this code."""
    return Organisation.objects.get(kind="office", region__code=code)


def account(code, purpose, project=None):
    """A ledger account: the project's own for `purpose`, else the office's of region `code`."""
    if project is not None:
        return Account.objects.get(project=project, purpose=purpose)
    return Account.objects.get(owner=office(code), purpose=purpose, project=None)


def county_pair(east="330212", west="513436"):
    """The county pairing of these two regions; by default the demo's 鄞州区 — 美姑县."""
    return Pairing.objects.get(kind="county", east_region__code=east, west_region__code=west)


def agreement_of(pair, year=None):
    """The pairing's agreement for `year`; by default this year's."""
    return Agreement.objects.get(pairing=pair, year=year or timezone.localdate().year)


def ensure_base_data():
    from xiezuo.assessment.defaults import seed
    from xiezuo.assessment.models import GradeCutoffs, Indicator, IndicatorSystem
    from xiezuo.regions.loader import load_former_poverty, load_tree
    from xiezuo.regions.models import Region
    from xiezuo.web.demo import seed_demo

    if not Region.objects.exists():
        load_tree()
        load_former_poverty()
        seed_demo()
    seed(IndicatorSystem, Indicator, GradeCutoffs)  # creates version 1 only if there is none


@contextmanager
def shared_world(django_db_blocker, using="default"):
    """A world built once for many tests, as Django's `TestCase.setUpTestData` builds one
    per class: what is written inside stays in an outer transaction that is rolled back
    when the block ends, and each test's own transaction nests in it as a savepoint, so a
    test still sees the world as built, whatever the tests before it did.

    Only for tests in ordinary (rolled-back) transactions: a `transaction=True` test
    empties the tables, and a second connection (a live server, another thread) sees none
    of it. Like the test case's own atomic block, it lets a durable block nest.
    """
    with django_db_blocker.unblock():
        block = transaction.atomic(using=using)
        block._from_testcase = True
        with block:
            yield
            transaction.set_rollback(True, using=using)


# --- pages -------------------------------------------------------------------------------


def zh(msgid):
    """What a Chinese user reads for an English msgid (the pages default to zh-hans)."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def export_sheet(response):
    """An Excel export's header row, data rows and worksheet."""
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], rows[1:], ws


def xlsx_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def assert_login_redirect(response, url):
    assert response.status_code == 302, url
    assert response["Location"].startswith(reverse("login") + "?next="), response["Location"]


# What the forms of the region, pairing, agreement and organisation pages are sent, for `objs`.


def fact_post(o):
    return {"year": "2026", "population": "210000", "gdp_wan": "1600000", "rural_income_yuan": "21000",
            "primary_share": "18.00", "secondary_share": "37.00", "tertiary_share": "45.00", "labour_force": "126000"}


def adjust_post(o, key):
    p = o[key]
    return {"name": p.name, "valid_from": p.valid_from.isoformat(), "valid_to": "", "source_note": "matrix", "reason": "matrix test"}


def end_post(o, key):
    return {"valid_to": timezone.localdate().isoformat(), "reason": "matrix test"}


def agreement_post(o, key):
    a = o[key]
    return {"year": str(a.year), "fiscal_aid": "1,000.50", "consumption": "0", "cadres": "1", "professionals": "2",
            "labour_placements": "3", "projects": "4", "funds_due_date": "", "signed_on": "", "note": "matrix"}


def org_post(o, key):
    org = o[key]
    return {"name": org.name, "kind": org.kind, "region": org.region.code, "credit_code": org.credit_code or "", "contact": "matrix"}


@pytest.fixture
def objs(db):
    """One object inside the demo offices' part of the tree and one outside, per kind."""
    p_in = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    p_out = Pairing.objects.get(kind="province", east_region__code="440000", west_region__code="520000")
    return {
        "r_in": Region.objects.get(code="513436"),  # 美姑县
        "r_out": Region.objects.get(code="320102"),  # 南京 玄武区
        "p_in": p_in,
        "p_out": p_out,
        "a_in": Agreement.objects.get(pairing=p_in, year=2026),
        "a_out": Agreement.objects.get(pairing=p_out, year=2026),
        "o_in": Organisation.objects.get(name="美姑县民族中学（演示）"),
        "o_out": Organisation.objects.get(kind="office", region__code="520000"),
    }


# --- the project, people and funds pages: 美姑县 in scope, 贵阳 and Guangdong out ----------


@pytest.fixture
def gd_office(db):
    """An office admin of Guangdong: outside the Zhejiang–Sichuan pairs."""
    user = get_user_model().objects.create_user("gd_office")
    Profile.objects.create(user=user, role="office_admin", organisation=office("440000"))
    return user


@pytest.fixture(name="client_as")
def english_client_as(client_as, gd_office):
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
    """This year's agreement of the county pairing 鄞州区 — 美姑县."""
    return agreement_of(county_pair())


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


# --- Excel imports ---------------------------------------------------------------------------


def xlsx(headers, rows, sheet=DATA_SHEET) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run(importer, user, headers, rows, **kwargs):
    return run_import(importer, user, xlsx(headers, rows), **kwargs)


def problems(result):
    return {(e.row, e.column) for e in result.errors}


def reason(result, row, column):
    return " | ".join(e.reason for e in result.errors if e.row == row and e.column == column)


def counts(result):
    return (result.counts["created"], result.counts["updated"], result.counts["unchanged"])


@pytest.fixture
def pair():
    return county_pair()


@pytest.fixture
def project(users, pair):
    """A project of 美姑县 under its pairing with 鄞州区, coded MG-001."""
    return create_project(
        users["county_office"], code="MG-001", name="美姑县高山蔬菜基地", category="industry", county=Region.objects.get(code="513436"),
        pairing=pair, planned_start=D(2026, 1, 5), planned_end=D(2027, 12, 31), budget={"east_fiscal": 500_000_00},
    )


@pytest.fixture
def other_project(users):
    """A project in 昭觉县 (paired with 余姚市): outside the county_office's area."""
    pairing = Pairing.objects.get(kind="county", east_region__code="330281", west_region__code="513431")
    return create_project(users["national"], code="ZJ-001", name="昭觉县肉牛养殖", category="industry",
                          county=Region.objects.get(code="513431"), pairing=pairing,
                          planned_start=D(2026, 1, 5), planned_end=D(2026, 12, 31))
