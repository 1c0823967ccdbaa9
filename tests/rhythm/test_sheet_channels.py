"""The weekly sheet's channel categories: needs unanswered for 30 days, placements past a
missed retention check, quota listings unsold for 90 days, carbon subscriptions behind
delivery, household clues past their deadline and monitored households without help.

For each: one line that should appear and a near miss that should not (a need taken up on its
29th day, a listing 89 days old, a retention check done on time, a clue within its deadline),
the office that acts sees it and another does not, the Excel export has the rows, and no full
ID number appears on the sheet or in the export. The sheet is looked at on the current day."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.support import export_sheet, office, xlsx_rows
from xiezuo.core.periods import monday_of
from xiezuo.core.personal.idnumbers import make_id_number
from xiezuo.households import actions as hh_actions
from xiezuo.households import totals as hh_totals
from xiezuo.households.models import Household
from xiezuo.labour import actions as labour
from xiezuo.labour.models import add_months
from xiezuo.markets.carbon import actions as carbon
from xiezuo.markets.models import QuotaListing
from xiezuo.orgs.models import Organisation
from xiezuo.people.actions import save_dispatch
from xiezuo.regions.models import Region
from xiezuo.rhythm import exports, sheets
from xiezuo.rhythm.channel_sheet import without_help as channel_without_help
from xiezuo.social import actions as social
from xiezuo.social.models import Need

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
DAY = datetime.timedelta(days=1)
TODAY = timezone.localdate()
WEEK = monday_of(TODAY)


def sheet_of(code, limit=100):
    return sheets.compile_sheet(office(code), WEEK, limit=limit, today=TODAY)


def titles(sheet, key):
    return [ln.title for ln in sheet.category(key).lines] if key in {c.key for c in sheet.categories} else None


def keys(sheet):
    return [c.key for c in sheet.categories]


@pytest.fixture
def meigu(db):
    return Region.objects.get(code="513436")


# --- social help ---------------------------------------------------------------------------


@pytest.fixture
def needs(users, meigu):
    county = users["county_office"]
    cadre = save_dispatch(county, person_name="张干部", kind="cadre", direction="e2w", from_org=office("330212"), to_org=office("513436"),
                          planned_start=TODAY - 90 * DAY, planned_end=TODAY + 600 * DAY, actual_start=TODAY - 90 * DAY)

    def need(village, published_days_ago, taken_days_after=None):
        n = social.record_need(county, county=meigu, village=village, category="education", description="冬季校服和文具",
                               budget_fen=2_000_000, beneficiaries=42, cadre=cadre)
        published = timezone.now() - published_days_ago * DAY
        values = {"status": "published", "published_at": published}
        if taken_days_after is not None:
            values.update(status="taken", taken_at=published + taken_days_after * DAY, taken_by=Organisation.objects.filter(kind="social").first())
        Need.objects.filter(pk=n.pk).update(**values)
        return n

    return {"late": need("拉木村", 31), "answered": need("瓦古村", 40, taken_days_after=29), "recent": need("觉洛村", 29)}


def test_needs_unanswered_for_30_days(needs):
    sheet = sheet_of("513436")
    cat = sheet.category("needs")
    assert cat.count == 1
    line = cat.lines[0]
    assert "拉木村" in line.title and "not taken up" in line.detail
    assert line.url == reverse("social-need-detail", args=[needs["late"].pk])
    assert line.days_late == 1 and line.region == "美姑县"
    # the province office sees its county's need; another western county and an eastern office do not
    assert sheet_of("510000").category("needs").count == 1
    assert titles(sheet_of("513431"), "needs") == []
    assert "needs" not in keys(sheet_of("330212"))
    ministry = Organisation.objects.get(kind="ministry")
    assert sheets.compile_sheet(ministry, WEEK, today=TODAY).category("needs").count == 1


# --- labour ---------------------------------------------------------------------------------


@pytest.fixture
def placements(users, meigu):
    county = users["county_office"]
    yinzhou = Region.objects.get(code="330212")
    employer = Organisation.objects.create(name="宁波测试电子厂", kind="enterprise", region=yinzhou)
    start = add_months(TODAY, -4)  # the 3-month check was due a month ago, past the grace days
    out = {}
    for seq, (key, name) in enumerate((("missed", "吉克阿依"), ("checked", "阿苏拉则"), ("ended", "曲比阿果")), start=31):
        worker = labour.register_worker(county, county=meigu, name=name, id_number=make_id_number("513436", datetime.date(1992, 5, 17), seq),
                                        phone="13987654321", household_status="alleviated", skills=["普工"], preferred_provinces=["33"],
                                        expected_wage_fen=4500_00)
        out[key] = labour.record_placement(county, worker=worker, employer=employer, place=yinzhou, start_date=start,
                                           monthly_wage_fen=6000_00)
    # done on time, 3 months after the start
    labour.record_check(county, placement=out["checked"], milestone=3, checked_on=add_months(start, 3), employed=True, wage_months=3)
    # left after a month: no check was due
    labour.set_end_date(county, out["ended"], start + 30 * DAY)
    return out


def test_placements_past_a_missed_retention_check(placements):
    sheet = sheet_of("513436")
    cat = sheet.category("retention")
    assert cat.count == 1
    line = cat.lines[0]
    worker = placements["missed"].worker
    assert line.title == f"吉克阿依 · {worker.id_masked}"
    assert "3-month retention check" in line.detail
    assert line.url == reverse("labour-placement-detail", args=[placements["missed"].pk])
    assert line.date == add_months(placements["missed"].start_date, 3)
    # the eastern office where the worker works does not run the check; another county has none
    assert "retention" not in keys(sheet_of("330212"))
    assert sheet_of("513431").category("retention").count == 0
    assert sheet_of("510000").category("retention").count == 1


def test_no_full_id_number_on_the_sheet_or_in_its_export(placements, users, client_as):
    full = placements["missed"].worker.id_number
    sheet = sheet_of("513436", limit=None)
    text = " ".join(f"{ln.title} {ln.detail}" for c in sheet.categories for ln in c.lines)
    assert full not in text and full[-4:] not in text.replace(placements["missed"].worker.id_masked, "")
    rows = xlsx_rows(exports.weekly_sheet(sheet))
    assert full not in repr(rows)
    page = client_as("county_office").get(reverse("weekly-sheet-group"), {"office": office("513436").pk, "week": sheets.week_label(WEEK),
                                                                           "group": "513436"})
    assert page.status_code == 200
    assert placements["missed"].worker.id_masked in page.content.decode()
    assert full not in page.content.decode()


def test_missed_checks_counted_from_the_summary_as_the_facts_count(placements):
    """The grouped sheet takes the placements past a missed check from the counts kept per
    county and month: the same per group as grouping the facts, for the province and the county,
    and nothing for a group outside the office."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    from xiezuo.rhythm.channel_sheet import missed_retention

    for code in ("510000", "513436"):
        o = office(code)
        width = sheets.group_width(o)
        facts = dict(missed_retention(o, WEEK, TODAY).order_by().annotate(g=Substr("county__code", 1, width))
                     .values("g").annotate(n=Count("pk")).values_list("g", "n"))
        grouped = sheets.compile_groups(o, WEEK, today=TODAY)
        summary = {g.code: g.counts["retention"] for g in grouped.groups if g.counts.get("retention")}
        assert summary == facts == {"513436"[:width]: 1}
        assert sheets.group_lines(o, WEEK, "513436"[:width], "retention", today=TODAY)[1] == 1
    assert sheets.group_lines(office("510000"), WEEK, "3302", "retention", today=TODAY)[1] == 0


# --- markets --------------------------------------------------------------------------------


@pytest.fixture
def listings(users, meigu):
    from tests.markets.world import listing, prices

    prices(users["national"])
    old = listing(users["county_office"], area="10.0000")
    young = listing(users["county_office"], area="5.0000")
    QuotaListing.objects.filter(pk=old.pk).update(listed_on=TODAY - 90 * DAY)
    QuotaListing.objects.filter(pk=young.pk).update(listed_on=TODAY - 89 * DAY)
    return {"old": old, "young": young}


def test_listings_unsold_for_90_days(listings):
    cat = sheet_of("513436").category("listings")
    assert cat.count == 1
    line = cat.lines[0]
    assert line.title.startswith(listings["old"].code) and "10.0000 mu" in line.detail
    assert line.url == reverse("markets-land-detail", args=[listings["old"].pk])
    assert line.days_late == 0
    assert "listings" not in keys(sheet_of("330000"))
    assert sheet_of("513431").category("listings").count == 0


@pytest.fixture
def subscriptions(users):
    from tests.markets.world import sink, verified

    p = sink(users["county_office"])
    zj, gd = office("330000"), office("440000")
    behind = carbon.sign_subscription(users["east_office"], project=p, subscriber=zj, price_fen_per_t=60_00, share_pct=50,
                                      tonnes=400, signed_on=p.crediting_start)
    carbon.issue(users["national"], verification=verified(users, p, 300))
    # 150 t due, 150 t delivered: up to date
    done = carbon.sign_subscription(users["national"], project=p, subscriber=gd, price_fen_per_t=60_00, share_pct=50,
                                    tonnes=400, signed_on=p.crediting_start)
    carbon.deliver(users["county_office"], subscription=done, units=150)
    carbon.deliver(users["county_office"], subscription=behind, units=149)
    return {"behind": behind, "done": done, "project": p}


def test_subscriptions_behind_delivery(subscriptions):
    zj = sheet_of("330000")
    cat = zj.category("subscriptions")
    assert cat.count == 1
    line = cat.lines[0]
    assert "149 t delivered of 150 t due" in line.detail
    assert line.url == reverse("markets-carbon-detail", args=[subscriptions["project"].pk])
    assert sheet_of("440000").category("subscriptions").count == 0
    # the western county does not see the eastern subscribers' category
    assert "subscriptions" not in keys(sheet_of("513436"))


# --- households -----------------------------------------------------------------------------


@pytest.fixture
def households(users):
    from tests.households.helpers import household, village

    county = users["county_office"]
    v = village()
    late = household(county, v, number="H-LATE")
    ontime = household(county, v, number="H-ONTIME")
    c_late = hh_actions.open_case(county, late, channel="cadre", clue_on=TODAY - 10 * DAY, post="村第一书记")
    c_ok = hh_actions.open_case(county, ontime, channel="cadre", clue_on=TODAY - 1 * DAY, post="村第一书记")
    helped = household(county, v, number="H-HELPED")
    alone = household(county, v, number="H-ALONE")
    Household.objects.filter(pk__in=[helped.pk, alone.pk]).update(status="monitored", category="marginal",
                                                                   identified_on=TODAY - 20 * DAY)
    hh_totals.rebuild()  # identified in bulk, as a load would: the registry's summary refilled
    hh_actions.add_help(county, helped, kind="medical", description="医疗救助", started_on=TODAY - 15 * DAY, post="乡镇民政办")
    return {"late": late, "ontime": ontime, "case": c_late, "ok": c_ok, "helped": helped, "alone": alone}


def test_household_clues_past_their_deadline_and_without_help(households):
    sheet = sheet_of("513436")
    clues = sheet.category("clues")
    assert [ln.title for ln in clues.lines] == ["H-LATE · 拉木村"]
    line = clues.lines[0]
    assert line.url == reverse("households-detail", args=[households["late"].pk]) + f"#case-{households['case'].pk}"
    assert "村第一书记" in line.detail and line.days_late > 0
    nohelp = sheet.category("nohelp")
    assert [ln.title for ln in nohelp.lines] == ["H-ALONE · 拉木村"]
    assert nohelp.lines[0].url == reverse("households-detail", args=[households["alone"].pk])
    # members' ID numbers and names never appear
    members = list(households["late"].members.all()) + list(households["alone"].members.all())
    text = " ".join(f"{ln.title} {ln.detail}" for c in sheet.categories for ln in c.lines)
    for m in members:
        assert m.id_number not in text and m.name not in text
    assert "clues" not in keys(sheet_of("330212"))
    assert sheet_of("513431").category("clues").count == 0
    assert sheet_of("513431").category("nohelp").count == 0


def test_without_help_counted_from_the_summary_as_the_facts_count(households, users):
    """The grouped sheet takes the households without help from the registry's summary: the
    same counts per group as grouping the facts, for the national coordinator, the province
    and the county, with help started later, ended, and starting after the sheet's day."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    county = users["county_office"]
    later = hh_actions.add_help(county, households["alone"], kind="education", description="助学", started_on=TODAY + 3 * DAY,
                                post="乡镇教育办")
    assert later.started_on > TODAY
    for code in ("510000", "513436"):
        o = office(code)
        width = sheets.group_width(o)
        facts = dict(channel_without_help(o, WEEK, TODAY).order_by().annotate(g=Substr("county__code", 1, width))
                     .values("g").annotate(n=Count("pk")).values_list("g", "n"))
        grouped = sheets.compile_groups(o, WEEK, today=TODAY)
        summary = {g.code: g.counts["nohelp"] for g in grouped.groups if g.counts.get("nohelp")}
        assert summary == facts == {"513436"[:width]: 1}
        lines, count = sheets.group_lines(o, WEEK, "513436"[:width], "nohelp", today=TODAY)
        assert count == 1 and [ln.title for ln in lines] == ["H-ALONE · 拉木村"]
    # an office elsewhere, and a group outside the office, count nothing
    assert sheets.group_lines(office("513431"), WEEK, "513431", "nohelp", today=TODAY)[1] == 0
    assert sheets.group_lines(office("510000"), WEEK, "3302", "nohelp", today=TODAY)[1] == 0


# --- the sheet as a whole -------------------------------------------------------------------


def test_counted_grouped_exported_and_shown(needs, placements, listings, households, client_as):
    sheet = sheets.compile_groups(office("510000"), WEEK, today=TODAY)
    counts = {c.key: c.count for c in sheet.categories}
    assert counts["needs"] == counts["retention"] == counts["listings"] == counts["clues"] == counts["nohelp"] == 1
    assert "subscriptions" not in counts
    (g,) = [g for g in sheet.groups if g.code == "5134"]
    assert len(g.cells) == len(sheet.categories)
    assert g.overdue >= 4  # needs, retention, listings and clues are past a due date
    detail = dict((cat.key, cat) for cat, _pages in sheets.group_detail(office("510000"), WEEK, "5134", today=TODAY))
    assert {"needs", "retention", "listings", "clues", "nohelp"} <= set(detail)
    lines, count = sheets.group_lines(office("510000"), WEEK, "5134", "subscriptions", today=TODAY)
    assert (lines, count) == ([], 0)

    rows = xlsx_rows(exports.weekly_sheet(sheets.compile_sheet(office("513436"), WEEK, limit=None, today=TODAY)))
    labels = [r[0] for r in rows]
    for key in ("needs", "retention", "listings", "clues", "nohelp"):
        assert str(dict(sheets.CATEGORIES)[key]) in labels

    page = client_as("county_office").get(reverse("weekly-sheet"), {"week": sheets.week_label(WEEK)})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Land quota listings unsold for 90 days" in html or "90" in html
    assert "H-ALONE" in html


def test_truncated_like_the_others(users, meigu):
    county = users["county_office"]
    cadre = save_dispatch(county, person_name="李干部", kind="cadre", direction="e2w", from_org=office("330212"), to_org=office("513436"),
                          planned_start=TODAY - 90 * DAY, planned_end=TODAY + 600 * DAY, actual_start=TODAY - 90 * DAY)
    for i in range(3):
        n = social.record_need(county, county=meigu, village=f"村{i}", category="medical", description="医疗救助",
                               budget_fen=100_000, beneficiaries=1, cadre=cadre)
        Need.objects.filter(pk=n.pk).update(status="published", published_at=timezone.now() - (40 + i) * DAY)
    cat = sheet_of("513436", limit=2).category("needs")
    assert cat.count == 3 and len(cat.lines) == 2 and cat.truncated
    assert [ln.title.split(" ")[2] for ln in cat.lines] == ["村2", "村1"]  # oldest first
