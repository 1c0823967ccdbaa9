"""Exports speak the officials' language: sheet and file named in the reader's language,
days and times as real Excel dates (Beijing time), money in yuan with its unit, links as
full addresses that open with a click."""
import datetime
import io
from urllib.parse import quote, unquote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from xiezuo.core.excel import Link, build_workbook, xlsx_response
from xiezuo.core.periods import Period
from xiezuo.projects.actions import create_project, set_milestones, transition
from xiezuo.regions.models import Region
from tests.support import county_pair

pytestmark = pytest.mark.django_db
D = datetime.date


def book(response):
    return openpyxl.load_workbook(io.BytesIO(response.content))


def filename(response) -> str:
    """The file name a browser saves: the RFC 5987 `filename*`."""
    disposition = response["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition
    return unquote(disposition.split("filename*=UTF-8''", 1)[1])


def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def project(users):
    today = timezone.localdate()
    p = create_project(users["county_office"], name="冷链仓储", category="consumption", county=Region.objects.get(code="513436"),
                       pairing=county_pair(), planned_start=today - datetime.timedelta(days=60),
                       planned_end=today + datetime.timedelta(days=300), budget={"east_fiscal": 1_234_560})
    set_milestones(users["county_office"], p, [("设计", today - datetime.timedelta(days=20)), ("建成", today + datetime.timedelta(days=200))])
    transition(users["county_office"], p, "in_progress", on=today - datetime.timedelta(days=50))
    return p


def test_the_scorecard_export_is_named_in_the_readers_language():
    from xiezuo.assessment.reports import scorecard_list

    period = Period.parse("2026Q3")
    zh = scorecard_list([], period, None)
    assert book(zh).active.title == "评估结果 2026Q3"
    assert filename(zh).startswith("评估结果_2026Q3_") and filename(zh).endswith(".xlsx")
    assert quote("评估结果_2026Q3_") in zh["Content-Disposition"]
    assert 'filename="export_' in zh["Content-Disposition"]  # an ASCII name for clients that read only that
    with translation.override("en"):
        english = scorecard_list([], period, None)
    assert book(english).active.title == "assessment results 2026Q3"
    assert filename(english).startswith("assessment_results_2026Q3_")
    assert 'filename="assessment_results_2026Q3_' in english["Content-Disposition"]


def test_list_exports_are_named_in_the_readers_language(client_as, project):
    zh = client_as("county_office").get(reverse("project-list"), {"format": "xlsx"})
    assert book(zh).active.title == "项目" and filename(zh).startswith("项目_")
    english = en(client_as("county_office")).get(reverse("project-list"), {"format": "xlsx"})
    assert book(english).active.title == "projects" and filename(english).startswith("projects_")


def test_days_and_times_are_excel_dates_in_beijing_time(client_as, users, project):
    ws = book(client_as("county_office").get(reverse("project-list"), {"format": "xlsx"})).active
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == project.code)
    start = row[header.index("计划开始日期")]
    assert start.is_date and start.value.date() == project.planned_start and start.number_format == "yyyy-mm-dd"
    budget = row[header.index("预算（元）")]
    assert budget.value == 12_345.6 and budget.number_format == "#,##0.00"
    assert not any("（分）" in h for h in header)

    from xiezuo.ledger import actions as ledger
    from xiezuo.pairings.models import Agreement

    agreement = Agreement.objects.get(pairing=project.pairing, year=timezone.localdate().year)
    posting = ledger.allocate(users["east_office"], agreement=agreement, amount_fen=1_234_560, idempotency_key="xl-a1")
    ws = book(client_as("east_office").get(reverse("ledger-postings"), {"format": "xlsx"})).active
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == posting.pk)
    posted = row[header.index("登记时间")]
    assert posted.is_date and posted.number_format == "yyyy-mm-dd hh:mm"
    beijing = timezone.localtime(posting.created_at).replace(tzinfo=None)
    assert abs(posted.value - beijing) < datetime.timedelta(seconds=1)  # Beijing wall-clock time, not UTC
    assert row[header.index("金额（元）")].value == 12_345.6


def test_links_are_full_addresses_that_open(client_as, project):
    """The weekly sheet's lines link to their pages by full address, as hyperlinks."""
    response = client_as("county_office").get(reverse("weekly-sheet"), {"format": "xlsx"})
    ws = book(response).active
    links = [c for row in ws.iter_rows(min_row=2) for c in row if c.hyperlink is not None]
    assert links, "the late milestone's line links to its project"
    assert all(c.hyperlink.target.startswith("http://testserver/") for c in links)
    assert any(c.hyperlink.target == f"http://testserver{project.get_absolute_url()}" for c in links)
    assert not [c.value for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str) and c.value.startswith("/")]


def test_the_workbook_machinery_turns_values_into_what_excel_shows():
    moment = datetime.datetime(2026, 12, 6, 1, 30, tzinfo=datetime.timezone.utc)  # 09:30 in Beijing
    content = build_workbook("a/b:c*d?[e]", ["when", "day", "text day", "link"],
                             [[moment, D(2026, 9, 30), "2026-09-30", Link("/projects/1/", "P1")]], base_url="https://xz.example/",
                             dates_from_text=True)
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    assert ws.title == "a b c d  e"  # characters Excel refuses in a sheet name are dropped
    when, day, text_day, link = ws[2]
    assert when.value == datetime.datetime(2026, 12, 6, 9, 30) and when.number_format == "yyyy-mm-dd hh:mm"
    assert day.value == datetime.datetime(2026, 9, 30) and text_day.value == datetime.datetime(2026, 9, 30)
    assert link.value == "P1" and link.hyperlink.target == "https://xz.example/projects/1/"
    response = xlsx_response("周调度 美姑县 2026-W49", content)
    assert filename(response).startswith("周调度_美姑县_2026-W49_")
