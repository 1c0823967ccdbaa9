"""The scorecard and indicator-system pages: who sees which page (a matrix per role, in and
out of scope), a county that sees its own scorecard and its rank among peers but never a
peer's rows, the editor that makes a new version (and refuses a bad formula at the field,
in words) while published scorecards keep theirs, grades and ranks at their boundaries as
the page shows them, and the Excel exports.

The fixture is `test_assessment.build`: the demo pair 鄞州区 330212 — 美姑县 513436 with
hand-counted facts, computed for 2025Q2 as of 15 July 2025 (美姑县: composite 35.14, 较差,
rank 1 of 3 national key assistance counties). It is built and computed once for the module
and each test runs in its own transaction inside it (`support.shared_world`), so every test
here reads or changes that same world and only that one; tests that need another world (the
demo alone, a quarter not yet computed) are in tests/assessment/test_scorecard_recompute_pages.py, and
the printed scorecard, which needs committed data, in tests/assessment/test_browser_scorecards.py.
"""
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from xiezuo.assessment.actions import new_version
from xiezuo.assessment.compute import mark_stale, recompute
from xiezuo.assessment.models import IndicatorSystem, Score
from xiezuo.pairings.models import Pairing
from xiezuo.projects.models import Project

from tests.support import ensure_base_data, shared_world
from tests.assessment.test_assessment import AS_OF, Q2, build

pytestmark = pytest.mark.django_db

ROLES = ("national", "east_office", "west_office", "county_office", "viewer", "auditor")


@pytest.fixture(scope="module", autouse=True)
def computed_world(django_db_setup, django_db_blocker):
    """Built and computed once for the module; each test sees it in its own transaction. The
    base data first, in case a transactional test (the browser tests) emptied the tables
    before this module's turn."""
    with shared_world(django_db_blocker):
        ensure_base_data()
        world = build({u.username: u for u in get_user_model().objects.filter(username__in=ROLES)})
        recompute(Q2, as_of=AS_OF)
        yield world


@pytest.fixture
def q2(computed_world, db):
    """The world's objects, read afresh so that no test sees another's changes to them."""
    pair, school_pair, projects = computed_world["pair"], computed_world["school_pair"], computed_world["projects"]
    return {"pair": Pairing.objects.get(pk=pair.pk), "school_pair": Pairing.objects.get(pk=school_pair.pk),
            "projects": tuple(Project.objects.get(pk=p.pk) for p in projects)}


def card_url(kind, ident, period="2025Q2", **query):
    url = reverse("scorecard-detail", args=[kind, ident, period])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def evidence_url(kind, ident, code, period="2025Q2", **query):
    url = reverse("scorecard-evidence", args=[kind, ident, period, code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def en(client):
    """Pages in English (the language switch's cookie; pages ignore Accept-Language)."""
    client.cookies["django_language"] = "en"
    return client


def text(response) -> str:
    return response.content.decode()


def workbook(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def row_of(html: str, subject_key: str) -> str:
    m = re.search(rf'<tr data-subject="{re.escape(subject_key)}">(.*?)</tr>', html, re.S)
    return m.group(1) if m else ""


# --- who sees which page --------------------------------------------------------------

# 美姑县 513436 lies in 四川 (west_office, viewer) and is the county office's own county; it is
# paired with 鄞州区 330212 in 浙江 (east_office sees it as a partner: scorecard, no rows);
# 昭觉县 513431 is the county office's peer in the same group (out of its view entirely).
MATRIX = [
    # user, page, expected status
    *[(u, ("list",), 200) for u in ROLES],
    *[(u, ("card", "region", "513436"), 200) for u in ROLES],
    *[(u, ("rows", "region", "513436"), 200) for u in ("national", "auditor", "west_office", "viewer", "county_office")],
    ("east_office", ("rows", "region", "513436"), 403),
    ("county_office", ("card", "region", "513431"), 404),
    ("county_office", ("rows", "region", "513431"), 404),
    ("county_office", ("card", "region", "330212"), 200),
    ("county_office", ("rows", "region", "330212"), 403),
    ("east_office", ("card", "region", "330212"), 200),
    ("east_office", ("rows", "region", "330212"), 200),
    ("west_office", ("card", "region", "513431"), 200),
    ("foundation", ("card", "region", "513436"), 404),
    ("foundation", ("rows", "region", "513436"), 404),
    *[(u, ("indicators",), 200) for u in ROLES],
    ("national", ("edit",), 200),
    *[(u, ("edit",), 403) for u in ROLES if u != "national"],
]


def _page(kind_of_page, pair=None):
    kind = kind_of_page[0]
    if kind == "list":
        return reverse("scorecard-list") + "?period=2025Q2"
    if kind == "card":
        return card_url(kind_of_page[1], kind_of_page[2])
    if kind == "rows":
        return evidence_url(kind_of_page[1], kind_of_page[2], "projects_on_schedule")
    if kind == "indicators":
        return reverse("indicator-list")
    if kind == "edit":
        return reverse("indicator-edit")
    raise AssertionError(kind)


@pytest.mark.parametrize("username, page, status", MATRIX, ids=lambda v: "-".join(v) if isinstance(v, tuple) else str(v))
def test_page_matrix(q2, client_as, username, page, status):
    assert client_as(username).get(_page(page)).status_code == status


def test_anonymous_users_are_sent_to_log_in(q2, client):
    for url in (reverse("scorecard-list"), card_url("region", "513436"), evidence_url("region", "513436", "funds_timeliness"),
                reverse("indicator-list")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_pair_scorecards_follow_the_pairing_scope(q2, client_as):
    pair = q2["pair"]
    assert client_as("east_office").get(card_url("pairing", pair.pk)).status_code == 200
    assert client_as("east_office").get(evidence_url("pairing", pair.pk, "projects_on_schedule")).status_code == 200
    assert client_as("foundation").get(card_url("pairing", pair.pk)).status_code == 404
    assert client_as("national").get(card_url("pairing", "x")).status_code == 404
    assert client_as("national").get(card_url("nonsense", "1")).status_code == 404
    assert client_as("national").get(card_url("region", "513436", period="2025Q9")).status_code == 404


# --- a county: its own scorecard and its rank, never a peer's rows ----------------------


def test_a_county_office_sees_its_rank_among_peers_but_not_the_peers(q2, client_as):
    html = text(client_as("county_office").get(reverse("scorecard-list") + "?period=2025Q2"))
    own = row_of(html, "region:513436")
    assert own and "1 / 2" in own and "35.14" in own
    assert not row_of(html, "region:513431") and not row_of(html, "region:513429")  # its peers are not listed
    assert "昭觉县" not in html

    card = text(client_as("county_office").get(card_url("region", "513436")))
    assert re.search(r'data-testid="rank">1 <span[^>]*>/ 2</span>', card)
    assert "国家乡村振兴重点帮扶县" in card
    assert 'data-testid="value"' in card  # its own numbers link to the rows behind them
    assert evidence_url("region", "513436", "projects_on_schedule") in card


def test_a_partners_scorecard_shows_numbers_and_rank_without_links_to_rows(q2, client_as):
    html = text(client_as("county_office").get(card_url("region", "330212")))
    assert 'data-testid="no-evidence"' in html
    assert "/evidence/" not in html and 'data-testid="value"' not in html
    assert 'data-testid="rank"' in html


def test_the_rows_behind_a_number_are_the_rows_that_were_counted(q2, client_as):
    html = text(en(client_as("county_office")).get(evidence_url("region", "513436", "projects_on_schedule")))
    due = html.split('id="fact-milestones_due"')[1]
    for name in ("大棚建成", "设备安装", "首批上市", "育苗", "路基"):
        assert name in due
    assert "选址" not in due  # planned in Q1
    assert "the same as at computation" in due
    funds = text(en(client_as("county_office")).get(evidence_url("region", "513436", "funds_timeliness")))
    on_time = funds.split('id="fact-funds_arrived_on_time_fen"')[1].split("<section")[0]
    # stored value and total of the rows, in yuan with the unit stated (never in fen)
    assert "7,000.00 yuan (0.70 ten-thousand yuan)" in on_time and "fen)" not in on_time
    assert on_time.count("<tr>") == 2  # header + the one arrival on time


def test_a_stale_scorecard_says_so_and_its_rows_say_they_changed(q2, users, client_as):
    from xiezuo.projects.actions import complete_milestone
    from xiezuo.projects.models import Milestone

    m = Milestone.objects.get(name="路基")
    complete_milestone(users["county_office"], m, m.planned_date)
    mark_stale(["513436"], m.planned_date)
    listing = text(en(client_as("county_office")).get(reverse("scorecard-list") + "?period=2025Q2"))
    assert 'data-testid="stale"' in row_of(listing, "region:513436")
    rows = text(en(client_as("county_office")).get(evidence_url("region", "513436", "projects_on_schedule")))
    on_time = rows.split('id="fact-milestones_due_on_time"')[1].split("<section")[0]
    assert 'data-testid="changed"' in on_time  # 4 rows now, 3 at computation


# --- grades and ranks at their boundaries, as shown ------------------------------------


@pytest.mark.parametrize("fair, grade, label", [("35.14", "fair", "一般"), ("35.15", "poor", "较差")])
def test_the_grade_on_the_page_follows_the_cut_offs_at_the_boundary(q2, users, client_as, fair, grade, label):
    system = new_version(users["national"], {"cutoffs": {"fair": fair}})
    recompute(Q2, system, as_of=AS_OF)
    html = text(client_as("county_office").get(card_url("region", "513436")))
    assert 'data-testid="composite"><a class="text-decoration-none" href="#indicators">35.14</a>' in html
    assert f'data-grade="{grade}">{label}</span>' in html


# --- the indicator system: versions made on the page -----------------------------------


def form_data(client, **overrides):
    """The editor's fields as served (the current version), with `overrides` applied."""
    html = text(client.get(reverse("indicator-edit")))
    data = {}
    for m in re.finditer(r'<input([^>]*)>', html):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', m.group(1)))
        name = attrs.get("name")
        if not name or attrs.get("type") == "submit":
            continue
        if attrs.get("type") == "checkbox":
            if "checked" in m.group(1):
                data.setdefault(name, []).append(attrs.get("value", "on"))
            continue
        data[name] = attrs.get("value", "")
    for m in re.finditer(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', m.group(2))
        data[m.group(1)] = chosen.group(1) if chosen else ""
    for m in re.finditer(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[m.group(1)] = m.group(2).strip()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if csrf:
        data["csrfmiddlewaretoken"] = csrf.group(1)
    data.update(overrides)
    return data


def test_editing_makes_a_new_version_and_the_old_scorecard_keeps_its_own(q2, client_as, users):
    national = client_as("national")
    before = text(national.get(card_url("region", "513436")))
    assert reverse("indicator-version", args=[1]) in before
    response = national.post(reverse("indicator-edit"), form_data(
        national, **{"ind-projects_on_schedule-target": "75", "ind-projects_on_schedule-weight": "30",
                     "ind-rigidity_labour-remove": "on", "note": "2025年度口径调整"}))
    assert response.status_code == 302 and response["Location"] == reverse("indicator-version", args=[2])
    v1, v2 = IndicatorSystem.objects.get(number=1), IndicatorSystem.current()
    assert v2.number == 2 and v2.note == "2025年度口径调整" and v2.created_by == users["national"]
    assert v2.indicators.get(code="projects_on_schedule").target == Decimal("75")
    assert not v2.indicators.filter(code="rigidity_labour").exists()
    assert v1.indicators.get(code="projects_on_schedule").target == Decimal("90")  # the old version is untouched
    assert v2.indicators.get(code="funds_timeliness").formula == v1.indicators.get(code="funds_timeliness").formula

    # Not recomputed yet: the published scorecard is version 1's, as it was.
    page = text(national.get(card_url("region", "513436")))
    assert reverse("indicator-version", args=[1]) in page and "35.14" in page

    recompute(Q2, v2, as_of=AS_OF)
    newest = text(national.get(card_url("region", "513436")))
    assert reverse("indicator-version", args=[2]) in newest and 'data-testid="versions"' in newest
    old = text(national.get(card_url("region", "513436", version=1)))
    assert reverse("indicator-version", args=[1]) in old and "35.14" in old and "rigidity_labour" in old
    assert "rigidity_labour" not in newest.split('id="indicators"')[1].split("</table>")[0]

    # Both versions are listed; each is viewable.
    listing = text(national.get(reverse("indicator-list")))
    assert reverse("indicator-version", args=[1]) in listing and "2025年度口径调整" in listing
    v1_page = text(national.get(reverse("indicator-version", args=[1])))
    assert 'data-testid="superseded"' in v1_page and "rigidity_labour" in v1_page


def test_a_bad_formula_is_refused_at_its_field_in_words(q2, client_as):
    national = en(client_as("national"))
    response = national.post(reverse("indicator-edit"), form_data(
        national, **{"ind-projects_on_schedule-formula": "milestones_due_on_time / milestone_due × 100"}))
    assert response.status_code == 200
    html = text(response)
    error = re.search(r'data-testid="error-ind-projects_on_schedule-formula">([^<]*)<', html)
    assert error and error.group(1) == "“milestone_due” is not a known fact at column 26"
    assert 'name="ind-projects_on_schedule-formula"' in html and 'aria-invalid="true"' in html
    assert IndicatorSystem.objects.count() == 1  # nothing was written

    response = national.post(reverse("indicator-edit"), form_data(
        national, **{"ind-projects_on_schedule-formula": "(milestones_due_on_time / milestones_due × 100"}))
    error = re.search(r'data-testid="error-ind-projects_on_schedule-formula">([^<]*)<', text(response))
    assert error and "is not closed" in error.group(1)
    assert IndicatorSystem.objects.count() == 1


def test_other_mistakes_are_shown_where_they_are(q2, client_as):
    national = en(client_as("national"))
    html = text(national.post(reverse("indicator-edit"), form_data(
        national, **{"ind-funds_timeliness-floor": "120", "cutoffs-good": "70", "new-0-code": "pair_people",
                     "new-0-name_zh": "结对人才", "new-0-name_en": "People per pair", "new-0-dimension": "basic",
                     "new-0-formula": "professionals_dispatched / cadres", "new-0-target": "10", "new-0-floor": "0",
                     "new-0-weight": "5"})))
    assert "when higher is better the floor must be below the target" in re.search(
        r'data-testid="error-ind-funds_timeliness-floor">([^<]*)<', html).group(1)
    assert "cut-offs must descend" in html
    assert "“cadres” is not a known fact" in re.search(r'data-testid="error-new-0-formula">([^<]*)<', html).group(1)
    assert IndicatorSystem.objects.count() == 1


def test_an_unchanged_form_makes_no_version(q2, client_as):
    national = en(client_as("national"))
    html = text(national.post(reverse("indicator-edit"), form_data(national)))
    assert "Nothing was changed" in html and IndicatorSystem.objects.count() == 1


def test_only_the_national_coordinator_edits(q2, client_as):
    for name in ("west_office", "auditor", "county_office"):
        c = client_as(name)
        assert c.post(reverse("indicator-edit"), {"note": "x"}).status_code == 403
        assert 'data-testid="edit"' not in text(c.get(reverse("indicator-list")))
    assert 'data-testid="edit"' in text(client_as("national").get(reverse("indicator-list")))
    assert IndicatorSystem.objects.count() == 1


def test_an_added_indicator_reaches_the_new_version(q2, client_as):
    national = client_as("national")
    response = national.post(reverse("indicator-edit"), form_data(
        national, **{"new-0-code": "pair_people", "new-0-name_zh": "结对人才", "new-0-name_en": "People per pair",
                     "new-0-dimension": "basic", "new-0-direction": "higher", "new-0-method": "linear_capped",
                     "new-0-formula": "professionals_dispatched", "new-0-target": "10", "new-0-floor": "0",
                     "new-0-weight": "5", "new-0-unit": "人", "new-0-levels": ["pair"]}))
    assert response.status_code == 302
    added = IndicatorSystem.current().indicators.get(code="pair_people")
    assert (added.levels, added.weight, added.unit) == (["pair"], Decimal("5"), "人")


# --- exports and printing ---------------------------------------------------------------


def test_the_list_exports_what_the_user_may_see(q2, client_as):
    wb = workbook(en(client_as("county_office")).get(reverse("scorecard-list") + "?period=2025Q2&format=xlsx"))
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header[:14] == ["period", "version", "level", "peer group", "code", "name", "composite", "basic guarantee",
                           "strategic effectiveness", "grade", "rank", "ranked in group", "stale", "data as of"]
    rows = {r[4]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    meigu = rows["513436"]
    assert meigu[:7] == ("2025Q2", "v1", "county", "national key assistance counties", "513436", "美姑县", 35.14)
    assert meigu[9:14] == ("poor", 1, 2, "no", datetime.datetime(2025, 6, 30))  # counted to the end of the quarter, an Excel date
    schedule = header.index("Projects on schedule (%)")
    assert (meigu[schedule], meigu[schedule + 1]) == (60, 25)
    assert "513431" not in rows  # a peer is not in the county office's export
    national = workbook(en(client_as("national")).get(reverse("scorecard-list") + "?period=2025Q2&format=xlsx")).active
    assert national.max_row - 1 == Score.objects.filter(period_label="2025Q2").count()


def test_a_scorecard_and_its_rows_export(q2, client_as):
    wb = workbook(en(client_as("county_office")).get(card_url("region", "513436", format="xlsx")))
    assert wb.sheetnames == ["scorecard", "facts", "trend"]
    summary = {r[0]: r[1] for r in wb["scorecard"].iter_rows(values_only=True) if r and r[0]}
    assert summary["composite"] == 35.14 and summary["grade"] == "poor" and summary["rank"] == "1 / 2"
    facts = {r[0]: r[2] for r in wb["facts"].iter_rows(min_row=2, values_only=True)}
    assert facts["milestones_due"] == 5 and facts["funds_arrived_on_time_fen"] == 700_000
    # formulas and the rows counted are described in words, not as code or query text
    lines = [r for r in wb["scorecard"].iter_rows(values_only=True) if r and r[0] == "projects_on_schedule"]
    assert "milestones_due" not in lines[0][-1] and "÷" in lines[0][-1]
    how = {r[0]: r[4] for r in wb["facts"].iter_rows(min_row=2, values_only=True)}
    assert "Milestones whose planned date falls within the period" in how["milestones_due"] and "__" not in how["milestones_due"]
    # a partner's export has no facts sheet
    assert workbook(en(client_as("county_office")).get(card_url("region", "330212", format="xlsx"))).sheetnames == ["scorecard", "trend"]

    rows = workbook(en(client_as("county_office")).get(evidence_url("region", "513436", "projects_on_schedule", format="xlsx")))
    assert rows.sheetnames == ["indicator", "milestones_due_on_time", "milestones_due"]
    due = list(rows["milestones_due"].iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(due) if r[0] == "project")
    assert len(due) - header_at - 1 == 5
    assert en(client_as("east_office")).get(evidence_url("region", "513436", "projects_on_schedule", format="xlsx")).status_code == 403


def test_the_pages_carry_the_print_stylesheet(q2, client_as):
    for url in (reverse("scorecard-list"), card_url("region", "513436"), evidence_url("region", "513436", "funds_timeliness"),
                reverse("indicator-list")):
        assert 'css/print.css" media="print"' in text(client_as("national").get(url))
