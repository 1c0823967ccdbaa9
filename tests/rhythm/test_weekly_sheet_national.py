"""The weekly dispatch sheet at national scale: closed by default, one row per province (per
prefecture for a province office) with its counts; a region opens to its lines, a page at a
time. The counts are those of the lines a region opens to, and of the full sheet.

A small world in this week: late projects in 四川 (美姑, 昭觉) and in a county of 贵州,
decisions of the ministry's consultation owned by posts in both, one overdue and one falling
due by Sunday."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.support import county_pair, office
from xiezuo.core.periods import monday_of
from xiezuo.orgs.models import Organisation
from xiezuo.projects.actions import create_project, transition
from xiezuo.regions.models import Region
from xiezuo.rhythm import actions, sheets
from xiezuo.rhythm.items import items_for_posts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = timezone.localdate()
WEEK = monday_of(TODAY)
SUNDAY = WEEK + datetime.timedelta(days=6)


def _project(user, name, county, late_by=10):
    """A running project with a milestone `late_by` days late and no report this week."""
    start = TODAY - datetime.timedelta(days=120)
    p = create_project(user, name=name, category="industry", county=Region.objects.get(code=county), pairing=None,
                       planned_start=start, planned_end=TODAY + datetime.timedelta(days=200),
                       milestones=[("里程碑", TODAY - datetime.timedelta(days=late_by))])
    return transition(user, p, "in_progress", on=start)


@pytest.fixture
def guizhou():
    """A county of 贵阳 (贵州), whose city has a cooperation office."""
    return Region.objects.filter(level="county", code__startswith="5201").order_by("code").first()


@pytest.fixture
def ministry():
    return Organisation.objects.get(kind="ministry")


@pytest.fixture
def world(users, guizhou, ministry):
    n = users["national"]
    projects = [_project(n, "美姑县蔬菜基地", "513436"), _project(n, "昭觉县肉牛", "513431"), _project(n, "黔货出山", guizhou.code)]
    meigu = actions.save_post(n, office=office("513436"), name="项目推进岗", duties="推进项目")
    gz = actions.save_post(n, office=office("520100"), name="项目推进岗", duties="推进项目")
    meeting = TODAY - datetime.timedelta(days=10)
    consultation = actions.create_consultation(n, office=ministry, month=meeting.replace(day=1), meeting_date=meeting)
    late = actions.add_action_item(n, consultation, decision="补报周报", owner_post=meigu, deadline=TODAY - datetime.timedelta(days=2))
    due = actions.add_action_item(n, consultation, decision="本周完成验收", owner_post=gz, deadline=SUNDAY)
    return {"projects": projects, "posts": (meigu, gz), "late": late, "due": due}


def _group(sheet, code):
    return next(g for g in sheet.groups if g.code == code)


def test_national_sheet_is_one_row_per_province_with_its_counts(world, ministry, guizhou):
    sheet = sheets.compile_groups(ministry, WEEK)
    sichuan, gz = _group(sheet, "51"), _group(sheet, guizhou.code[:2])
    assert sichuan.name == "四川省" and gz.name == "贵州省"
    assert sichuan.counts["milestones"] == 2 and gz.counts["milestones"] == 1  # 美姑 and 昭觉 are one row
    assert sichuan.counts["items"] == 1 and gz.counts["items"] == 1
    past_due = sum(sichuan.counts.get(k, 0) for k in ("milestones", "allocations", "agreements"))
    assert sichuan.overdue == past_due + 1  # late milestones, funds past their due date, one overdue decision
    assert sichuan.due_this_week == 0 and gz.due_this_week == 1  # the decision due by Sunday
    assert {g.code for g in sheet.groups} >= {"51", guizhou.code[:2]} and all(len(g.code) == 2 for g in sheet.groups)


def test_counts_are_the_lines_a_region_opens_to_and_the_full_sheets(world, ministry):
    grouped = sheets.compile_groups(ministry, WEEK)
    full = sheets.compile_sheet(ministry, WEEK, limit=None)
    for cat in full.categories:
        assert grouped.category(cat.key).count == cat.count, cat.key
        opened = 0
        for g in grouped.groups:
            lines, count = sheets.group_lines(ministry, WEEK, g.code, cat.key, per_page=10_000)
            assert count == len(lines) == g.counts.get(cat.key, 0), (g.code, cat.key)
            opened += count
        assert opened == cat.count, cat.key
    assert grouped.total == full.total


def test_items_counted_per_region_match_the_items_of_its_posts(world, ministry):
    sheet = sheets.compile_groups(ministry, WEEK)
    titles = {g.code: [ln.title for ln in sheets.group_lines(ministry, WEEK, g.code, "items")[0]] for g in sheet.groups}
    assert titles["51"] == ["补报周报"]
    meigu, gz = world["posts"]
    assert [i.title for i in items_for_posts([gz.pk])] == titles[gz.office.region.code[:2]] == ["本周完成验收"]


def test_a_region_opens_a_page_at_a_time(world, users, ministry, client_as):
    for i in range(sheets.GROUP_PAGE + 3):
        _project(users["national"], f"美姑县项目{i}", "513436")
    first, count = sheets.group_lines(ministry, WEEK, "51", "reports", page=1)
    second, _count = sheets.group_lines(ministry, WEEK, "51", "reports", page=2)
    assert count == sheets.GROUP_PAGE + 5 and len(first) == sheets.GROUP_PAGE and len(second) == 5
    assert not {ln.title for ln in first} & {ln.title for ln in second}

    client = client_as("national")
    url = reverse("weekly-sheet-group")
    opened = client.get(url, {"office": ministry.pk, "group": "51"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in opened and 'data-testid="more-reports"' in opened and "page=2" in opened
    more = client.get(url, {"office": ministry.pk, "group": "51", "cat": "reports", "page": 2}).content.decode()
    assert more.count("<tr>") == 5 and 'data-testid="more-reports"' not in more


def test_the_national_page_is_closed_and_fetches_a_region_when_opened(world, client_as, ministry):
    page = client_as("national").get(reverse("weekly-sheet"), {"office": ministry.pk}).content.decode()
    assert 'data-testid="group-51"' in page and 'hx-trigger="toggle once"' in page
    assert "美姑县蔬菜基地" not in page and "补报周报" not in page  # lines only when a region is opened
    assert "<details class=\"border-bottom\" data-testid=\"group-51\" open" not in page


def test_a_sheet_with_one_region_opens_at_once(world, client_as):
    page = client_as("county_office").get(reverse("weekly-sheet")).content.decode()
    assert page.count('data-testid="group-') == 1 and "美姑县蔬菜基地" in page


def test_a_province_office_sees_its_prefectures_and_nothing_else(world, client_as, users, guizhou, ministry):
    sichuan = office("510000")
    sheet = sheets.compile_groups(sichuan, WEEK)
    assert {g.code for g in sheet.groups if g.counts.get("milestones")} == {"5134"}  # 凉山州: 美姑 and 昭觉
    assert _group(sheet, "5134").counts["milestones"] == 2
    client = client_as("west_office")
    url = reverse("weekly-sheet-group")
    assert client.get(url, {"office": sichuan.pk, "group": "5134"}).status_code == 200
    assert client.get(url, {"office": sichuan.pk, "group": "51"}).status_code == 404  # not a group of this sheet
    assert client.get(url, {"office": ministry.pk, "group": "52"}).status_code == 404  # not an office it may read
    assert client.get(url, {"office": office("520100").pk, "group": guizhou.code}).status_code == 404
    assert client.get(url, {"office": sichuan.pk, "group": "5134", "cat": "nonsense"}).status_code == 404
    assert client_as("county_office").get(url, {"office": sichuan.pk, "group": "5134"}).status_code == 404
    assert client_as(None).get(url, {"group": "51"}).status_code == 302
