"""The rhythm: the weekly dispatch sheet line by line, its scoping, consultations and their
decisions, escalation, "my items", plans, and who may do what.

The fixture is a small world around 美姑县 (513436, paired with 鄞州区 330212) in the week of
Monday 7 September 2026, looked at on Wednesday 9 September."""
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from tests.support import county_pair, office
from xiezuo.core.errors import messages_of
from xiezuo.core.models import AuditEntry
from xiezuo.ledger.actions import allocate, confirm_arrival
from xiezuo.ledger.actions import reverse as reverse_posting
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.people.actions import save_dispatch
from xiezuo.projects.actions import complete_milestone, create_project, submit_report, transition
from xiezuo.regions.models import Region
from xiezuo.rhythm import actions, sheets
from xiezuo.rhythm.items import items_for_posts
from xiezuo.rhythm.models import ActionItem, Post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = datetime.date
WEEK = D(2026, 9, 7)


@pytest.fixture
def client_as(client_as):
    """Pages in English (the language switch's cookie): these tests read English wording."""
    def make(username):
        client = client_as(username)
        client.cookies["django_language"] = "en"
        return client
    return make

TODAY = D(2026, 9, 9)


def lines(sheet, key):
    return [ln.title for ln in sheet.category(key).lines]


def urls(sheet, key):
    return [ln.url for ln in sheet.category(key).lines]


def errors_of(excinfo):
    return messages_of(excinfo.value)


@pytest.fixture
def pair():
    return county_pair()


def _project(user, name, county="513436", pairing=None, milestones=(), start=D(2026, 3, 1)):
    p = create_project(user, name=name, category="industry", county=Region.objects.get(code=county), pairing=pairing,
                       planned_start=start, planned_end=D(2026, 12, 31), milestones=list(milestones))
    return transition(user, p, "in_progress", on=start)


@pytest.fixture
def world(users, pair):
    """Late things in 美姑 and one in 昭觉 (another county of 凉山), all created as national."""
    n = users["national"]
    late = _project(n, "美姑县高山蔬菜基地", pairing=pair, milestones=[("大棚建成", D(2026, 8, 20)), ("首批上市", D(2026, 10, 1))])
    zhaojue = _project(n, "昭觉县肉牛养殖", county="513431", milestones=[("圈舍建成", D(2026, 8, 31))])
    submit_report(n, zhaojue, week=WEEK, percent=40)
    agreement = Agreement.objects.get(pairing=pair, year=2026)
    allocation = allocate(n, agreement=agreement, amount_fen=1_000_000_00, idempotency_key="rhythm-alloc-1", booked_on=D(2026, 5, 1))
    dispatch = save_dispatch(n, person_name="王医生", kind="medical", direction="e2w", from_org=office("330212"),
                             to_org=office("513436"), pairing=pair, planned_start=D(2026, 3, 1), planned_end=D(2027, 2, 28),
                             actual_start=D(2026, 3, 1), actual_end=D(2026, 9, 8))
    return {"late": late, "zhaojue": zhaojue, "agreement": agreement, "allocation": allocation, "dispatch": dispatch}


@pytest.fixture
def posts(users):
    """A leading post at 凉山州 and at 四川, a post at 美姑 held by county_office."""
    n = users["national"]
    return {
        "meigu": actions.save_post(n, office=office("513436"), name="项目推进岗", duties="推进项目", holders=[users["county_office"]]),
        "meigu2": actions.save_post(n, office=office("513436"), name="资金岗", duties="资金"),
        "liangshan": actions.save_post(n, office=office("513400"), name="主任", is_lead=True),
        "sichuan": actions.save_post(n, office=office("510000"), name="主任", is_lead=True, holders=[users["west_office"]]),
        "zhejiang": actions.save_post(n, office=office("330000"), name="主任", is_lead=True, holders=[users["east_office"]]),
    }


@pytest.fixture
def consultation(users):
    return actions.create_consultation(users["west_office"], office=office("510000"), month=D(2026, 9, 1), meeting_date=D(2026, 9, 4))


# --- the weekly sheet ---------------------------------------------------------------


def test_each_category_lists_what_is_late(world, posts, consultation, users):
    actions.add_action_item(users["west_office"], consultation, decision="补报周报", owner_post=posts["meigu"], deadline=D(2026, 9, 8))
    sheet = sheets.compile_sheet(office("513436"), WEEK, today=TODAY)
    assert sheet.as_of == TODAY and sheet.label == "2026-W37"
    late = world["late"]
    assert lines(sheet, "milestones") == [f"{late.code} {late.name}"]  # the October milestone is not due yet
    assert sheet.category("milestones").lines[0].days_late == 20
    assert lines(sheet, "reports") == [f"{late.code} {late.name}"]
    assert [ln.title for ln in sheet.category("allocations").lines] == [f"allocation #{world['allocation'].pk}: 鄞州区东西部协作办公室 → 美姑县东西部协作办公室"]
    assert reverse("agreement-detail", args=[world["agreement"].pk]) in urls(sheet, "agreements")
    assert lines(sheet, "departures") == ["王医生 · medical professional"]
    assert lines(sheet, "items") == ["补报周报"]
    assert sheet.category("items").lines[0].days_late == 1
    assert all(ln.url for key in ("allocations", "agreements", "items") for ln in sheet.category(key).lines)


def test_a_reversed_allocation_or_arrival_is_not_in_force(users, pair):
    """A reversed allocation is not owed; an allocation whose arrival was reversed is owed
    again: the same on the sheet, in the grouped counts and in an opened group."""
    n = users["national"]
    agreement = Agreement.objects.get(pairing=pair, year=2026)
    gone = allocate(n, agreement=agreement, amount_fen=100_00, idempotency_key="rhythm-rev-a", booked_on=D(2026, 5, 1))
    reverse_posting(n, posting=gone, reason="entered twice", idempotency_key="rhythm-rev-a-r", booked_on=D(2026, 5, 2))
    back = allocate(n, agreement=agreement, amount_fen=200_00, idempotency_key="rhythm-rev-b", booked_on=D(2026, 5, 1))
    arrival = confirm_arrival(n, allocation=back, arrived_on=D(2026, 6, 1), idempotency_key="rhythm-rev-b-arr")
    reverse_posting(n, posting=arrival, reason="wrong account", idempotency_key="rhythm-rev-b-arr-r", booked_on=D(2026, 6, 2))
    sheet = sheets.compile_sheet(office("513436"), WEEK, today=TODAY)
    titles = [ln.title for ln in sheet.category("allocations").lines]
    assert [t for t in titles if f"#{back.pk}:" in t] and not [t for t in titles if f"#{gone.pk}:" in t]
    grouped = sheets.compile_groups(office("510000"), WEEK, today=TODAY)
    assert {c.key: c.count for c in grouped.categories}["allocations"] == sheet.category("allocations").count
    opened, count = sheets.group_lines(office("510000"), WEEK, "5134", "allocations", today=TODAY)
    assert count == sheet.category("allocations").count and [ln.title for ln in opened] == titles


def test_funds_not_arrived_agree_with_the_postings_on_every_day(users, pair):
    """The sheet picks the agreements that can owe money from the money summary and judges
    only those; on any day (an arrival dated after it, one reversed, one never made, one in
    part) it must name exactly the allocations and agreements the postings say."""
    from xiezuo.ledger.dues import due_in_force
    from xiezuo.ledger.models import Posting

    n = users["national"]
    agreement = Agreement.objects.get(pairing=pair, year=2026)
    Agreement.objects.filter(pk=agreement.pk).update(funds_due_date=D(2026, 6, 30), fiscal_aid_fen=500_00)
    on_time = allocate(n, agreement=agreement, amount_fen=100_00, idempotency_key="fa-1", booked_on=D(2026, 5, 1))
    confirm_arrival(n, allocation=on_time, arrived_on=D(2026, 6, 1), idempotency_key="fa-1a")
    late = allocate(n, agreement=agreement, amount_fen=100_00, idempotency_key="fa-2", booked_on=D(2026, 5, 1))
    confirm_arrival(n, allocation=late, arrived_on=D(2026, 9, 20), idempotency_key="fa-2a")
    allocate(n, agreement=agreement, amount_fen=100_00, idempotency_key="fa-3", booked_on=D(2026, 5, 2))
    undone = allocate(n, agreement=agreement, amount_fen=100_00, idempotency_key="fa-4", booked_on=D(2026, 5, 3))
    arrival = confirm_arrival(n, allocation=undone, arrived_on=D(2026, 6, 2), idempotency_key="fa-4a")
    reverse_posting(n, posting=arrival, reason="到账有误", idempotency_key="fa-4x", booked_on=D(2026, 6, 3))
    whole = Agreement.objects.get(pairing=pair, year=2025) if Agreement.objects.filter(pairing=pair, year=2025).exists() else None
    if whole is not None:  # an agreement paid in full, once on time
        Agreement.objects.filter(pk=whole.pk).update(funds_due_date=D(2025, 6, 30), fiscal_aid_fen=300_00)
        paid = allocate(n, agreement=whole, amount_fen=300_00, idempotency_key="fa-5", booked_on=D(2025, 5, 1))
        confirm_arrival(n, allocation=paid, arrived_on=D(2025, 9, 1), idempotency_key="fa-5a")
    for where, day in ((where, day) for where in ("510000", "513436") for day in (D(2025, 7, 1), D(2025, 10, 1), D(2026, 5, 15), D(2026, 6, 15), D(2026, 7, 15), D(2026, 9, 9), D(2026, 9, 25),
                D(2026, 12, 1))):
        sichuan = office(where)  # the province (from the money summary), the county (from the postings)
        standing = Posting.objects.filter(reversal__isnull=True)
        arrivals = standing.filter(kind="arrival", allocation__reversal__isnull=True, arrived_on__lte=day)
        allocations = sheets.in_office(sichuan, standing.filter(kind="allocation", booked_on__lte=day))
        owed = {p.pk for p in allocations.annotate(due=due_in_force()).filter(due__lt=day) if not arrivals.filter(allocation=p).exists()}
        assert {p.pk for p in sheets.overdue_allocations(sichuan, day)} == owed, day
        short = {a.pk for a in sheets.in_office(sichuan, Agreement.objects.filter(funds_due_date__lt=day, fiscal_aid_fen__gt=0))
                 if sum(arrivals.filter(agreement=a).values_list("amount_fen", flat=True)) < a.fiscal_aid_fen}
        assert {a.pk for a in sheets.short_agreements(sichuan, day)} == short, day
        lines = sheets.compile_sheet(sichuan, sheets.monday_of(day), today=day).category("agreements").lines
        assert {ln.url for ln in lines} == {reverse("agreement-detail", args=[pk]) for pk in short}, day
    sichuan = office("510000")
    assert {p.pk for p in sheets.overdue_allocations(sichuan, D(2026, 9, 9))} >= {late.pk, undone.pk}
    detail = sheets.compile_sheet(sichuan, WEEK, today=TODAY).category("agreements").lines
    assert any("¥100.00" in ln.detail or "100.00" in ln.detail for ln in detail)  # arrived by then: only the one on time


def test_an_opened_group_shows_the_same_with_or_without_its_counts(world, users):
    grouped = sheets.compile_groups(office("510000"), WEEK, today=TODAY)
    (g,) = [g for g in grouped.groups if g.code == "5134"]
    plain = sheets.group_detail(office("510000"), WEEK, "5134", today=TODAY)
    counted = sheets.group_detail(office("510000"), WEEK, "5134", today=TODAY, counts=g.counts)
    assert [(c.key, c.count, [ln.title for ln in c.lines], pages) for c, pages in plain] == \
        [(c.key, c.count, [ln.title for ln in c.lines], pages) for c, pages in counted]
    assert plain


def test_nothing_is_listed_when_things_are_on_time(users, pair):
    n = users["national"]
    p = _project(n, "美姑县按期项目", pairing=pair, milestones=[("完工", D(2026, 8, 20))])
    complete_milestone(n, p.milestones.get(), D(2026, 8, 19))
    submit_report(n, p, week=WEEK, percent=80)
    agreement = Agreement.objects.get(pairing=pair, year=2026)
    alloc = allocate(n, agreement=agreement, amount_fen=agreement.fiscal_aid_fen, idempotency_key="rhythm-ok", booked_on=D(2026, 5, 1))
    confirm_arrival(n, allocation=alloc, arrived_on=D(2026, 6, 20), idempotency_key="rhythm-ok-arr")
    save_dispatch(n, person_name="李老师", kind="education", direction="e2w", from_org=office("330212"), to_org=office("513436"),
                  planned_start=D(2025, 9, 1), planned_end=D(2026, 9, 7), actual_start=D(2025, 9, 1), actual_end=D(2026, 9, 8))
    sheet = sheets.compile_sheet(office("513436"), WEEK, today=TODAY)
    for key in ("milestones", "reports", "allocations", "departures", "items"):
        assert sheet.category(key).count == 0, key
    agreements = urls(sheet, "agreements")
    assert reverse("agreement-detail", args=[agreement.pk]) not in agreements  # paid in full before its due date
    assert reverse("agreement-detail", args=[Agreement.objects.get(pairing=pair, year=2025).pk]) in agreements  # the demo's 2025 aid never arrived


def test_a_past_week_reads_as_it_did_then(world, users):
    """A milestone reached after the week still shows on that week's sheet, not on later ones."""
    complete_milestone(users["national"], world["late"].milestones.get(seq=1), D(2026, 9, 15))
    then = sheets.compile_sheet(office("513436"), WEEK, today=D(2026, 9, 30))
    later = sheets.compile_sheet(office("513436"), D(2026, 9, 21), today=D(2026, 9, 30))
    assert then.as_of == D(2026, 9, 13) and then.category("milestones").count == 1
    assert later.category("milestones").count == 0


def test_an_office_sees_only_its_subtree(world, posts, users):
    meigu = sheets.compile_sheet(office("513436"), WEEK, today=TODAY)
    liangshan = sheets.compile_sheet(office("513400"), WEEK, today=TODAY)
    zhejiang = sheets.compile_sheet(office("330000"), WEEK, today=TODAY)
    guangdong = sheets.compile_sheet(office("440000"), WEEK, today=TODAY)
    zhaojue = f"{world['zhaojue'].code} {world['zhaojue'].name}"
    late = f"{world['late'].code} {world['late'].name}"
    assert zhaojue not in lines(meigu, "milestones") and zhaojue in lines(liangshan, "milestones")
    assert late in lines(liangshan, "milestones")
    assert late in lines(zhejiang, "milestones") and zhaojue not in lines(zhejiang, "milestones")  # the east sees its pair's projects
    assert guangdong.category("milestones").count == 0 and guangdong.category("departures").count == 0
    assert lines(zhejiang, "departures") == ["王医生 · medical professional"]


def test_sheet_page_office_picker_is_limited_to_the_users_subtree(world, client_as, english):
    url = reverse("weekly-sheet")
    assert client_as("county_office").get(url, {"office": office("510000").pk}).status_code == 404
    assert client_as("west_office").get(url, {"office": office("330000").pk}).status_code == 404
    assert client_as("west_office").get(url, {"office": office("513436").pk, "week": "2026-W37"}).status_code == 200
    page = client_as("county_office").get(url, {"week": "2026-W37"})
    assert page.status_code == 200 and world["late"].name in page.content.decode()
    assert client_as("county_office").get(url, {"week": "not-a-week"}).status_code == 200  # says so, shows this week
    assert client_as(None).get(url).status_code == 302


def test_sheet_exports_every_line_to_excel(world, client_as):
    response = client_as("west_office").get(reverse("weekly-sheet"), {"office": office("513436").pk, "week": "2026-W37", "format": "xlsx"})
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows[0]) == 7
    assert f"{world['late'].code} {world['late'].name}" in [r[1] for r in rows[1:]]
    assert f"allocation #{world['allocation'].pk}" in " ".join(str(r[1]) for r in rows[1:]) or "#%s" % world["allocation"].pk in " ".join(str(r[1]) for r in rows[1:])


def test_sheet_lists_are_cut_but_counted(users, pair):
    n = users["national"]
    for i in range(4):
        _project(n, f"项目{i}", pairing=pair)
    sheet = sheets.compile_sheet(office("513436"), WEEK, today=TODAY, limit=2)
    cat = sheet.category("reports")
    assert cat.count == 4 and len(cat.lines) == 2 and cat.truncated


def test_silent_projects_are_those_without_a_report_for_the_week(users, pair):
    """The sheet reads a project's latest reported week instead of its reports; it must name
    exactly the projects with no report for the week, on this week's sheet and on earlier and
    later weeks', also for a project that reported ahead or skipped a week."""
    from xiezuo.projects.models import ProgressReport, Project

    n = users["national"]
    week = datetime.timedelta(days=7)
    never = _project(n, "从未报送")
    this = _project(n, "本周已报")
    submit_report(n, this, week=WEEK, percent=10)
    skipped = _project(n, "跳过本周")
    submit_report(n, skipped, week=WEEK - week, percent=10)
    submit_report(n, skipped, week=WEEK + week, percent=20)
    ahead = _project(n, "提前报送")
    submit_report(n, ahead, week=WEEK + 2 * week, percent=20)
    both = _project(n, "本周和下周")
    submit_report(n, both, week=WEEK, percent=10)
    submit_report(n, both, week=WEEK + week, percent=20)
    for monday in (WEEK - 2 * week, WEEK - week, WEEK, WEEK + week, WEEK + 2 * week, WEEK + 3 * week):
        expected = {p.name for p in Project.objects.filter(status="in_progress")
                    if not ProgressReport.objects.filter(project=p, week=monday).exists()}
        got = {p.name for p in sheets.silent_projects(office("513436"), monday)}
        assert got == expected, monday
        grouped = sheets.compile_groups(office("510000"), monday, today=monday + 6 * datetime.timedelta(days=1))
        assert grouped.category("reports").count == len(expected)
    assert {p.name for p in sheets.silent_projects(office("513436"), WEEK)} == {"从未报送", "跳过本周", "提前报送"}


# --- consultations, decisions, escalation --------------------------------------------


def test_agenda_is_compiled_from_the_sheet_and_the_open_items(world, posts, consultation, users):
    earlier = actions.create_consultation(users["west_office"], office=office("510000"), month=D(2026, 8, 1), meeting_date=D(2026, 8, 5))
    actions.add_action_item(users["west_office"], earlier, decision="八月决定事项", owner_post=posts["meigu"], deadline=D(2026, 8, 31))
    agenda = actions.compile_agenda(users["west_office"], consultation, today=TODAY)
    titles = [a.title for a in agenda]
    assert titles[0].startswith("Late milestones（2）")  # 美姑 and 昭觉 are both in 四川
    assert "八月决定事项" in titles
    assert any(t.startswith("Professionals who left their post early") for t in titles)
    again = actions.compile_agenda(users["west_office"], consultation, today=TODAY)
    assert consultation.agenda.count() == len(again) == len(agenda)  # recompiling replaces
    actions.record_minutes(users["west_office"], consultation, minutes="会议纪要")
    with pytest.raises(ValidationError):
        actions.compile_agenda(users["west_office"], consultation, today=TODAY)


def test_action_item_states(posts, consultation, users):
    item = actions.add_action_item(users["west_office"], consultation, decision="补报周报", owner_post=posts["meigu"], deadline=D(2026, 9, 20))
    assert item.state(D(2026, 9, 20)) == "open"
    assert item.state(D(2026, 9, 21)) == "overdue"
    actions.complete_action_item(users["county_office"], item, done_on=D(2026, 9, 25), note="已补报")
    item.refresh_from_db()
    assert item.state(D(2026, 10, 1)) == "done"
    assert items_for_posts([posts["meigu"].pk]) == []
    assert [i.title for i in items_for_posts([posts["meigu"].pk], open_only=False)] == ["补报周报"]
    with pytest.raises(ValidationError):
        actions.complete_action_item(users["county_office"], item, done_on=D(2026, 9, 26), note="again")


def test_working_days_deadline_counts_the_official_calendar(posts, users):
    c = actions.create_consultation(users["west_office"], office=office("510000"), month=D(2026, 9, 1), meeting_date=D(2026, 9, 30))
    item = actions.add_action_item(users["west_office"], c, decision="节后第一周完成", owner_post=posts["meigu"], working_days=3)
    # 1–7 October are the National Day holiday; 8 and 9 October count, and Saturday 10 October is a make-up working day
    assert item.deadline == D(2026, 10, 10)


def test_overdue_items_escalate_one_level_up_once(posts, consultation, users):
    item = actions.add_action_item(users["west_office"], consultation, decision="补报周报", owner_post=posts["meigu"], deadline=D(2026, 9, 10))
    top = actions.add_action_item(users["west_office"], consultation, decision="省级事项", owner_post=posts["sichuan"], deadline=D(2026, 9, 10))
    assert actions.escalate_overdue(today=D(2026, 9, 10))["escalated"] == []  # due today is not overdue
    first = actions.escalate_overdue(today=D(2026, 9, 11))
    item.refresh_from_db()
    top.refresh_from_db()
    assert item.escalated_to == posts["liangshan"] and item.escalated_on == D(2026, 9, 11)  # 美姑 → 凉山州, not 四川
    assert top.escalated_to is None and top in first["nowhere"]  # no leading post above 四川 in this fixture
    audit = AuditEntry.objects.count()
    second = actions.escalate_overdue(today=D(2026, 9, 12))
    assert second["escalated"] == [] and AuditEntry.objects.count() == audit
    assert [i.post_id for i in items_for_posts([posts["liangshan"].pk])] == [posts["liangshan"].pk]
    ministry = Organisation.objects.get(kind="ministry")
    national_lead = actions.save_post(users["national"], office=ministry, name="司领导", is_lead=True)
    third = actions.escalate_overdue(today=D(2026, 9, 12))
    top.refresh_from_db()
    assert third["escalated"] == [top] and top.escalated_to == national_lead


def test_escalate_command_is_idempotent(posts, consultation, users):
    from io import StringIO

    from django.core.management import call_command

    actions.add_action_item(users["west_office"], consultation, decision="补报周报", owner_post=posts["meigu"], deadline=D(2026, 9, 10))
    out = StringIO()
    call_command("escalate_overdue", "--today", "2026-09-15", stdout=out)
    assert "1 escalated" in out.getvalue()
    out = StringIO()
    call_command("escalate_overdue", "--today", "2026-09-16", stdout=out)
    assert "0 escalated" in out.getvalue()


def test_my_items_shows_only_the_users_posts(posts, consultation, users, client_as):
    actions.add_action_item(users["west_office"], consultation, decision="县里的事", owner_post=posts["meigu"], deadline=D(2026, 9, 30))
    actions.add_action_item(users["west_office"], consultation, decision="县里另一岗位的事", owner_post=posts["meigu2"], deadline=D(2026, 9, 30))
    actions.add_action_item(users["west_office"], consultation, decision="省里的事", owner_post=posts["sichuan"], deadline=D(2026, 9, 5))
    county = client_as("county_office").get(reverse("my-items")).content.decode()
    assert "县里的事" in county and "县里另一岗位的事" not in county and "省里的事" not in county
    west = client_as("west_office").get(reverse("my-items")).content.decode()
    assert "省里的事" in west and "县里的事" not in west and "overdue" in west
    assert "You hold no post yet" in client_as("viewer").get(reverse("my-items")).content.decode()


def test_my_items_lists_overdue_first(posts, consultation, users):
    for title, deadline in (("later", D(2099, 1, 1)), ("overdue", D(2026, 9, 5)), ("sooner", D(2098, 1, 1))):
        actions.add_action_item(users["west_office"], consultation, decision=title, owner_post=posts["meigu"], deadline=deadline)
    assert [i.title for i in items_for_posts([posts["meigu"].pk])] == ["overdue", "sooner", "later"]


# --- bad input ----------------------------------------------------------------------


def test_decisions_refuse_bad_input(posts, consultation, users):
    w = users["west_office"]
    with pytest.raises(ValidationError) as e:
        actions.add_action_item(w, consultation, decision="x", owner_post=posts["meigu"], deadline=D(2026, 9, 3))
    assert "before the meeting" in errors_of(e)["deadline"][0]
    with pytest.raises(ValidationError) as e:
        actions.add_action_item(w, consultation, decision="x", owner_post=posts["zhejiang"], deadline=D(2026, 9, 30))
    assert "is a post of 浙江省东西部协作办公室" in errors_of(e)["owner_post"][0]
    with pytest.raises(ValidationError) as e:
        actions.add_action_item(w, consultation, decision=" ", owner_post=None)
    assert set(errors_of(e)) == {"decision", "owner_post", "deadline"}
    with pytest.raises(ValidationError) as e:
        actions.add_action_item(w, consultation, decision="x", owner_post=posts["meigu"], deadline=D(2026, 9, 30), working_days=3)
    assert "not both" in errors_of(e)["working_days"][0]
    far = actions.create_consultation(w, office=office("510000"), month=D(2099, 12, 1), meeting_date=D(2099, 12, 28))
    with pytest.raises(ValidationError) as e:  # a year the official calendar does not know yet
        actions.add_action_item(w, far, decision="x", owner_post=posts["meigu"], working_days=5)
    assert "no data for 2099" in errors_of(e)["working_days"][0] or "no data for 2100" in errors_of(e)["working_days"][0]
    assert ActionItem.objects.count() == 0


def test_consultations_refuse_bad_input(consultation, users):
    w = users["west_office"]
    with pytest.raises(ValidationError) as e:
        actions.create_consultation(w, office=office("510000"), month=D(2026, 9, 1), meeting_date=D(2026, 9, 20))
    assert "already has a consultation" in errors_of(e)["month"][0]
    with pytest.raises(ValidationError) as e:
        actions.create_consultation(w, office=office("510000"), month=D(2026, 10, 1), meeting_date=D(2026, 11, 2))
    assert "held in that month" in errors_of(e)["meeting_date"][0]
    firm = Organisation.objects.get(name="宁波甬美农业发展有限公司（演示）")
    with pytest.raises(ValidationError):
        actions.create_consultation(users["national"], office=firm, month=D(2026, 10, 1), meeting_date=D(2026, 10, 2))
    with pytest.raises(ValidationError) as e:
        actions.record_minutes(w, consultation, minutes="  ")
    assert "minutes" in errors_of(e)


def test_posts_refuse_bad_input(posts, users):
    n = users["national"]
    with pytest.raises(ValidationError) as e:
        actions.save_post(n, office=office("513436"), name="项目推进岗")
    assert "already has a post" in errors_of(e)["name"][0]
    with pytest.raises(ValidationError) as e:
        actions.save_post(n, office=office("513400"), name="副主任", is_lead=True)
    assert "already the leading post" in errors_of(e)["is_lead"][0]
    with pytest.raises(ValidationError) as e:
        actions.save_post(n, office=office("513436"), name="新岗", holders=[users["west_office"]])
    assert "west_office do not act for" in errors_of(e)["holders"][0]
    assert actions.save_post(n, posts["meigu"], name="项目推进岗", duties="改了").duties == "改了"  # keeping its own name is fine


# --- plans --------------------------------------------------------------------------


@pytest.fixture
def plan(users, pair):
    return actions.create_plan(users["east_office"], pairing=pair, title="三年行动计划", start_year=2024, end_year=2026, goals="目标")


def test_plan_cycle_evaluation_adjustment_acceptance(plan, users):
    e = users["east_office"]
    actions.evaluate_plan(e, plan, year=2024, rating="good", summary="好", evaluated_on=D(2025, 2, 1))
    adj = actions.adjust_plan(users["west_office"], plan, reason="提前完成", adjusted_on=D(2025, 7, 1), end_year=2027, goals="新目标")
    plan.refresh_from_db()
    assert plan.status == "adjusted" and plan.end_year == 2027
    assert [(str(label), a, b) for label, a, b in adj.changes()] == [("last year", 2026, 2027), ("goals", "目标", "新目标")]
    assert AuditEntry.objects.filter(object_type="rhythm.planadjustment", object_id=str(adj.pk)).exists()
    with pytest.raises(ValidationError) as exc:
        actions.accept_plan(e, plan, accepted_on=D(2026, 12, 1), result="passed", remarks="ok")
    assert "2027" in errors_of(exc)["accepted_on"][0]
    actions.accept_plan(e, plan, accepted_on=D(2027, 12, 20), result="passed", remarks="通过")
    plan.refresh_from_db()
    assert plan.status == "accepted"
    with pytest.raises(ValidationError):
        actions.evaluate_plan(e, plan, year=2025, rating="good", summary="x", evaluated_on=D(2026, 1, 5))


def test_plans_refuse_bad_input(plan, users, pair):
    e = users["east_office"]
    with pytest.raises(ValidationError) as exc:
        actions.create_plan(e, pairing=pair, title="x", start_year=2026, end_year=2024, goals="g")
    assert "before the first year" in errors_of(exc)["end_year"][0]
    with pytest.raises(ValidationError) as exc:
        actions.evaluate_plan(e, plan, year=2030, rating="good", summary="x", evaluated_on=D(2026, 1, 1))
    assert "2024–2026" in errors_of(exc)["year"][0]
    with pytest.raises(ValidationError) as exc:
        actions.evaluate_plan(e, plan, year=2026, rating="good", summary="x", evaluated_on=D(2025, 12, 1))
    assert "evaluated_on" in errors_of(exc)
    actions.evaluate_plan(e, plan, year=2024, rating="good", summary="x", evaluated_on=D(2025, 1, 1))
    with pytest.raises(ValidationError) as exc:
        actions.evaluate_plan(e, plan, year=2024, rating="poor", summary="x", evaluated_on=D(2025, 1, 2))
    assert "already been evaluated" in errors_of(exc)["year"][0]
    with pytest.raises(ValidationError) as exc:
        actions.adjust_plan(e, plan, reason="无变化", adjusted_on=D(2025, 6, 1))
    assert "nothing was changed" in errors_of(exc)["__all__"][0]
    with pytest.raises(ValidationError) as exc:
        actions.adjust_plan(e, plan, reason="", adjusted_on=D(2030, 6, 1), goals="x")
    assert set(errors_of(exc)) >= {"reason", "adjusted_on"}
    actions.adjust_plan(e, plan, reason="调整", adjusted_on=D(2025, 6, 1), goals="新")
    with pytest.raises(ValidationError) as exc:
        actions.adjust_plan(e, plan, reason="再调", adjusted_on=D(2025, 9, 1), goals="再新")
    assert "already had its mid-term adjustment" in errors_of(exc)["__all__"][0]


# --- who may do what ----------------------------------------------------------------

USERS = ("national", "east_office", "west_office", "county_office", "viewer", "auditor")


@pytest.mark.parametrize("target,allowed", [
    ("510000", {"national", "west_office"}),
    ("513436", {"national", "west_office"}),  # an office admin sets the posts of the offices below; editors do not
    ("330000", {"national", "east_office"}),
])
def test_post_permission_matrix(users, target, allowed):
    for name in USERS:
        if name in allowed:
            actions.save_post(users[name], office=office(target), name=f"岗位-{name}")
        else:
            with pytest.raises(PermissionDenied):
                actions.save_post(users[name], office=office(target), name=f"岗位-{name}")


def test_post_pages_answer_by_role(client_as):
    url = reverse("post-create") + f"?office={office('513436').pk}"
    expect = {"national": 200, "west_office": 200, "county_office": 403, "viewer": 403, "auditor": 403, "east_office": 404}
    assert {name: client_as(name).get(url).status_code for name in expect} == expect
    listing = reverse("post-list") + f"?office={office('513436').pk}"
    assert {n: client_as(n).get(listing).status_code for n in USERS} == {
        "national": 200, "east_office": 404, "west_office": 200, "county_office": 200, "viewer": 200, "auditor": 200}


def test_post_form_saves_through_the_action(client_as, users):
    url = reverse("post-create") + f"?office={office('513436').pk}"
    response = client_as("west_office").post(url, {"name": "监测岗", "duties": "监测", "holders": [users["county_office"].pk]})
    assert response.status_code == 302
    post = Post.objects.get(name="监测岗")
    assert list(post.holders.all()) == [users["county_office"]]
    refused = client_as("west_office").post(url, {"name": "另一岗", "holders": [users["viewer"].pk]})
    assert refused.status_code == 200 and "do not act for" in refused.content.decode()


@pytest.mark.parametrize("target,allowed", [
    ("510000", {"national", "west_office"}),
    ("513436", {"national", "west_office", "county_office"}),
    ("330000", {"national", "east_office"}),
])
def test_consultation_permission_matrix(users, target, allowed):
    for i, name in enumerate(USERS):
        month = D(2026, 1 + i, 1)
        if name in allowed:
            actions.create_consultation(users[name], office=office(target), month=month, meeting_date=month)
        else:
            with pytest.raises(PermissionDenied):
                actions.create_consultation(users[name], office=office(target), month=month, meeting_date=month)


def test_closing_an_item_is_for_its_post_or_its_office(posts, consultation, users):
    item = actions.add_action_item(users["west_office"], consultation, decision="x", owner_post=posts["meigu"], deadline=D(2026, 9, 30))
    for name in ("east_office", "viewer", "auditor"):
        with pytest.raises(PermissionDenied):
            actions.complete_action_item(users[name], item, done_on=D(2026, 9, 10), note="done")
    with pytest.raises(PermissionDenied):
        actions.add_action_item(users["county_office"], consultation, decision="x", owner_post=posts["meigu"], deadline=D(2026, 9, 30))
    actions.complete_action_item(users["county_office"], item, done_on=D(2026, 9, 10), note="done")


def test_consultation_pages(posts, consultation, users, client_as):
    url = consultation.get_absolute_url()
    assert {n: client_as(n).get(url).status_code for n in USERS} == {
        "national": 200, "east_office": 404, "west_office": 200, "county_office": 404, "viewer": 200, "auditor": 200}
    west = client_as("west_office")
    assert west.post(url, {"op": "compile"}).status_code == 302
    bad = west.post(url, {"op": "action", "decision": "x", "owner_post": posts["zhejiang"].pk, "deadline": "2026-09-30"})
    assert bad.status_code == 200 and "is a post of" in bad.content.decode()
    early = west.post(url, {"op": "action", "decision": "x", "owner_post": posts["meigu"].pk, "deadline": "2026-09-01"})
    assert "before the meeting" in early.content.decode()
    assert west.post(url, {"op": "action", "decision": "补报", "owner_post": posts["meigu"].pk, "deadline": "2026-09-30"}).status_code == 302
    assert client_as("viewer").post(url, {"op": "minutes", "minutes": "x"}).status_code == 403
    assert client_as("auditor").post(url, {"op": "compile"}).status_code == 403
    assert west.post(url, {"op": "minutes", "minutes": "纪要"}).status_code == 302
    xlsx = load_workbook(io.BytesIO(west.get(url, {"format": "xlsx"}).content))
    assert xlsx.sheetnames == ["agenda", "minutes", "decisions"]
    assert [r[0] for r in xlsx["decisions"].iter_rows(min_row=2, values_only=True)] == ["补报"]
    assert ("minutes", "纪要") in [tuple(r) for r in xlsx["minutes"].iter_rows(values_only=True)]
    create = reverse("consultation-create")
    assert {n: client_as(n).get(create).status_code for n in USERS} == {
        "national": 200, "east_office": 200, "west_office": 200, "county_office": 200, "viewer": 403, "auditor": 403}


def test_plan_permission_matrix(users, pair, client_as):
    allowed = {"national", "east_office", "west_office", "county_office"}
    for i, name in enumerate(USERS):
        if name in allowed:
            actions.create_plan(users[name], pairing=pair, title=f"计划{i}", start_year=2026, end_year=2028, goals="g")
        else:
            with pytest.raises(PermissionDenied):
                actions.create_plan(users[name], pairing=pair, title=f"计划{i}", start_year=2026, end_year=2028, goals="g")
    guangdong_pair = Pairing.objects.filter(kind="province", east_region__code="440000").first()
    with pytest.raises(PermissionDenied):
        actions.create_plan(users["west_office"], pairing=guangdong_pair, title="x", start_year=2026, end_year=2028, goals="g")
    plan = actions.create_plan(users["national"], pairing=guangdong_pair, title="广东计划", start_year=2026, end_year=2028, goals="g")
    assert client_as("west_office").get(plan.get_absolute_url()).status_code == 404
    assert client_as("viewer").post(plan.get_absolute_url(), {"op": "accept"}).status_code == 404
    mine = Pairing.objects.get(pk=pair.pk).plans.first()
    assert client_as("viewer").post(mine.get_absolute_url(), {"op": "evaluate"}).status_code == 403
    ok = client_as("east_office").post(mine.get_absolute_url(), {"op": "evaluate", "year": 2026, "rating": "good",
                                                                 "evaluated_on": "2026-03-01", "summary": "好"})
    assert ok.status_code == 302 and mine.evaluations.count() == 1


def test_every_page_renders_for_every_user(world, posts, consultation, users, client_as):
    from xiezuo.rhythm.demo import seed_rhythm_demo

    seed_rhythm_demo(today=TODAY)
    plan = actions.create_plan(users["national"], pairing=Pairing.objects.get(kind="county", west_region__code="513436"),
                               title="p", start_year=2026, end_year=2027, goals="g")
    pages = [reverse(n) for n in ("post-list", "my-items", "weekly-sheet", "consultation-list", "plan-list")]
    pages += [consultation.get_absolute_url(), plan.get_absolute_url(), reverse("weekly-sheet") + "?format=xlsx",
              reverse("post-list") + "?format=xlsx", reverse("plan-list") + "?format=xlsx"]
    for name in USERS:
        client = client_as(name)
        for url in pages:
            status = client.get(url).status_code
            assert status in (200, 404), (name, url, status)
            if url in pages[:5]:
                assert status == 200, (name, url)


def test_demo_seed_is_idempotent(users):
    from xiezuo.rhythm.demo import seed_rhythm_demo
    from xiezuo.rhythm.models import Consultation, Plan

    seed_rhythm_demo(today=TODAY)
    counts = (Post.objects.count(), Consultation.objects.count(), ActionItem.objects.count(), Plan.objects.count())
    seed_rhythm_demo(today=TODAY)
    assert (Post.objects.count(), Consultation.objects.count(), ActionItem.objects.count(), Plan.objects.count()) == counts
    assert counts[1] == 1 and counts[2] == 2
    assert ActionItem.objects.get(owner_post__name="项目推进岗").state(TODAY) == "overdue"


def test_an_office_given_a_decision_sees_only_its_decisions(world, posts, consultation, users, client_as):
    """美姑 cannot read 四川's meeting, until the meeting gives it a decision: then it sees that
    decision (to act on it), not the agenda or minutes, which speak of other counties."""
    url = consultation.get_absolute_url()
    w = users["west_office"]
    actions.compile_agenda(w, consultation, today=TODAY)
    actions.record_minutes(w, consultation, minutes="昭觉县问题讨论")
    county = client_as("county_office")
    assert county.get(url).status_code == 404
    mine = actions.add_action_item(w, consultation, decision="美姑的事", owner_post=posts["meigu"], deadline=D(2026, 9, 30))
    actions.add_action_item(w, consultation, decision="四川的事", owner_post=posts["sichuan"], deadline=D(2026, 9, 30))
    page = county.get(url).content.decode()
    assert "美姑的事" in page and "四川的事" not in page and "昭觉县问题讨论" not in page and 'data-testid="agenda"' not in page
    assert county.get(url, {"format": "xlsx"}).status_code == 403
    assert county.post(url, {"op": "compile"}).status_code == 403
    done = county.post(url, {"op": "complete", "item": mine.pk, "done_on": "2026-09-10", "done_note": "已办"})
    assert done.status_code == 302
    mine.refresh_from_db()
    assert mine.done_note == "已办"
    # the post one level up that an item was escalated to reaches it the same way
    other = actions.add_action_item(w, consultation, decision="逾期", owner_post=posts["meigu2"], deadline=D(2026, 9, 5))
    actions.escalate_overdue(today=D(2026, 9, 9))
    other.refresh_from_db()
    assert other.escalated_to == posts["liangshan"]


def test_the_daily_schedule_escalates_overdue_decisions(posts, consultation, users):
    """The same escalation as the command, as the Celery task beat runs every morning
    (eager here: no broker is configured)."""
    from xiezuo.celery import app
    from xiezuo.rhythm.tasks import escalate_overdue_items

    assert any(e["task"] == "rhythm.escalate_overdue" for e in app.conf.beat_schedule.values())
    item = actions.add_action_item(users["west_office"], consultation, decision="补报周报", owner_post=posts["meigu"],
                                   deadline=D(2026, 9, 10))
    assert escalate_overdue_items.delay("2026-09-15").get() == {"escalated": [item.pk], "nowhere": []}
    assert escalate_overdue_items("2026-09-16") == {"escalated": [], "nowhere": []}


def test_an_office_without_a_leading_post_gets_one_once_and_it_is_audited(users):
    from xiezuo.rhythm.actions import LEAD_POST_NAME, ensure_lead_posts

    office = Organisation.objects.get(kind="office", region__code="513436")
    Post.objects.filter(office=office).delete()
    first = ensure_lead_posts(None, [office])[office.pk]
    assert (first.name, first.is_lead) == (LEAD_POST_NAME, True)
    assert ensure_lead_posts(None, [office]) == {office.pk: first}
    assert AuditEntry.objects.filter(object_type="rhythm.post", object_id=str(first.pk), action="create").count() == 1
