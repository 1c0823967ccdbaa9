"""The closed loop: rules that turn scores and late work into consequences, orders with
working-day deadlines, closure and verification, escalation one office up.

Scores here are written as fixtures (the engine's input is the stored scorecards, however
they were computed); a last test runs the real recomputation and the rules together
through the Celery task. The demo places: 美姑县 513436 (office 美姑县东西部协作办公室,
user county_office) under 凉山州 513400 (its office, no demo user) under 四川省 510000
(west_office, viewer); the pairing 鄞州区 330212 — 美姑县.
"""
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.support import office
from xiezuo.assessment import loop, offices, orders, rules
from xiezuo.assessment.choices import OrderStatus, RuleKind
from xiezuo.assessment.models import (Computation, ConsequenceRule, Incentive, IndicatorSystem, InterventionTicket, OrderEscalation,
                                      PerformanceWarning, RectificationOrder, RestructuringProposal, Score)
from xiezuo.core.periods import Period
from xiezuo.core.scoping import visible
from xiezuo.pairings.models import Pairing
from xiezuo.projects.actions import complete_milestone, create_project, submit_report, transition
from xiezuo.regions.models import Region
from xiezuo.rhythm.actions import LEAD_POST_NAME
from xiezuo.rhythm.items import items_for_posts
from xiezuo.rhythm.models import Post

pytestmark = pytest.mark.django_db
D = datetime.date
MEIGU = "513436"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def indicator_system(db):
    """Version 1 of the indicator system (a data migration makes it; a browser test's
    flush of every table may have removed it)."""
    from xiezuo.assessment.defaults import seed
    from xiezuo.assessment.models import GradeCutoffs, Indicator

    seed(IndicatorSystem, Indicator, GradeCutoffs)


def quarters(*labels):
    return [Period.parse(label) for label in labels]


def put_score(code, period, grade, system=None, composite="50"):
    """A stored county score for `period` with `grade` (the engine's input)."""
    system = system or IndicatorSystem.current()
    region = Region.objects.get(code=code)
    run, _ = Computation.objects.get_or_create(system=system, period_kind=period.kind, period_start=period.start,
                                               defaults=dict(period_end=period.end, period_label=period.label, as_of=period.end))
    score, _ = Score.objects.update_or_create(
        system=system, subject_key=f"region:{code}", period_kind=period.kind, period_start=period.start,
        defaults=dict(computation=run, level="county", region=region, west_prefix=code, period_end=period.end,
                      period_label=period.label, as_of=period.end, peer_group="key", composite=composite, grade=grade))
    return score


def grades(code, pairs):
    return [put_score(code, Period.parse(label), grade) for label, grade in pairs]


def apply(label, today=None, codes=None):
    period = Period.parse(label)
    return loop.apply_rules(period, today=today or period.end, codes=codes)


# --- rules as data ---------------------------------------------------------------------------


def test_default_rules_are_created_once():
    rules.ensure_default_rules()
    n = ConsequenceRule.objects.count()
    assert n == len(rules.DEFAULT_RULES)
    assert rules.ensure_default_rules() == 0
    assert ConsequenceRule.objects.count() == n
    assert {r.kind for r in ConsequenceRule.objects.all()} == set(RuleKind.values)


def test_only_the_national_coordinator_edits_rules_and_each_edit_is_a_revision(users):
    from xiezuo.core.models import AuditEntry

    rules.ensure_default_rules()
    rule = ConsequenceRule.objects.get(code="incentive-good-2")
    for name in ("west_office", "county_office", "viewer", "auditor", "east_office"):
        with pytest.raises(PermissionDenied):
            rules.update_rule(users[name], rule, count=3)
    updated = rules.update_rule(users["national"], rule, count=3)
    assert (updated.count, updated.revision, updated.updated_by) == (3, 2, users["national"])
    entry = AuditEntry.objects.filter(object_type="assessment.consequencerule", object_id=str(rule.pk)).latest("id")
    assert entry.before["count"] == 2 and entry.after["count"] == 3 and entry.username == "national"
    assert rules.update_rule(users["national"], updated, count=3).revision == 2  # no change, no revision
    warning = ConsequenceRule.objects.get(code="warning-poor")
    with pytest.raises(ValidationError) as exc:
        rules.update_rule(users["national"], warning, levels=[2, 1, 3])
    assert "levels" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        rules.update_rule(users["national"], rule, benefit="", count=0)
    assert {"benefit", "count"} <= set(exc.value.error_dict)


# --- score rules at their boundaries -----------------------------------------------------------


def test_incentive_needs_n_consecutive_good_periods_and_fires_once_per_streak():
    rules.ensure_default_rules()  # incentive-good-2: 好 in 2 consecutive quarters
    grades(MEIGU, [("2025Q1", "fair"), ("2025Q2", "good")])
    assert apply("2025Q2").created.get(RuleKind.INCENTIVE, 0) == 0  # N-1 = 1 period
    s3 = put_score(MEIGU, Period.parse("2025Q3"), "good")
    assert apply("2025Q3").created[RuleKind.INCENTIVE] == 1  # N = 2 periods
    incentive = Incentive.objects.get()
    assert incentive.benefit == "绿色信贷额度优先" and incentive.streak == 2 and incentive.period_label == "2025Q3"
    assert set(incentive.scores.values_list("period_label", flat=True)) == {"2025Q2", "2025Q3"}
    assert [e["period"] for e in incentive.evidence["scores"]] == ["2025Q3", "2025Q2"]
    assert incentive.evidence["scores"][0]["computation"] == s3.computation_id
    assert incentive.owner_office == office(MEIGU) and incentive.owner_post.is_lead
    assert apply("2025Q3").total == 0  # idempotent
    put_score(MEIGU, Period.parse("2025Q4"), "good")
    assert apply("2025Q4").created.get(RuleKind.INCENTIVE, 0) == 0  # the same streak goes on
    grades(MEIGU, [("2026Q1", "fairly_good"), ("2026Q2", "good"), ("2026Q3", "good")])
    apply("2026Q2")
    assert apply("2026Q3").created[RuleKind.INCENTIVE] == 1  # a new streak
    assert Incentive.objects.count() == 2


def test_warning_level_follows_the_consecutive_count():
    rules.ensure_default_rules()  # levels 1, 2, 3 at 1, 2, 3 consecutive 较差
    grades(MEIGU, [("2025Q1", "poor"), ("2025Q2", "poor"), ("2025Q3", "poor"), ("2025Q4", "poor"),
                   ("2026Q1", "fair"), ("2026Q2", "poor")])
    for label in ("2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2"):
        apply(label)
    got = {w.period_label: (w.level, w.streak) for w in PerformanceWarning.objects.all()}
    assert got == {"2025Q1": (1, 1), "2025Q2": (2, 2), "2025Q3": (3, 3), "2025Q4": (3, 4), "2026Q2": (1, 1)}
    assert apply("2025Q4").total == 0
    # the reason names the county and the grade in the platform's language, not the subject's key
    meigu = Region.objects.get(code=MEIGU)
    reason = PerformanceWarning.objects.get(period_label="2025Q3").reason
    assert reason == f"{meigu.name}（{MEIGU}） 2025Q3：综合等级为“较差”（连续3期）"
    assert "region:" not in reason


def test_restructuring_proposal_after_m_poor_periods_goes_one_level_up():
    rules.ensure_default_rules()  # restructure-poor-3
    grades(MEIGU, [("2025Q1", "poor"), ("2025Q2", "poor")])
    apply("2025Q1")
    apply("2025Q2")
    assert not RestructuringProposal.objects.exists()  # M-1 = 2
    put_score(MEIGU, Period.parse("2025Q3"), "poor")
    apply("2025Q3")
    proposal = RestructuringProposal.objects.get()
    assert proposal.streak == 3 and proposal.scores.count() == 3
    assert proposal.owner_office == office("513400")  # 凉山州, which can change a county pairing
    assert proposal.pairing == Pairing.objects.get(kind="county", east_region__code="330212", west_region__code=MEIGU)
    assert proposal.region.code == MEIGU


def test_the_newest_version_that_scored_a_period_decides():
    rules.ensure_default_rules()
    v1 = IndicatorSystem.current()
    v9 = IndicatorSystem.objects.create(number=99, is_current=False)
    put_score(MEIGU, Period.parse("2025Q1"), "poor", system=v1)
    put_score(MEIGU, Period.parse("2025Q1"), "good", system=v9)
    apply("2025Q1", codes=["warning-poor"])
    assert not PerformanceWarning.objects.exists()


# --- late milestones → rectification orders ---------------------------------------------------


def late_project(users, planned=D(2025, 9, 1), name="高山蔬菜基地"):
    county = users["county_office"]
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code=MEIGU)
    p = create_project(county, name=name, category="industry", county=Region.objects.get(code=MEIGU), pairing=pair,
                       planned_start=D(2025, 3, 1), planned_end=D(2025, 12, 31),
                       milestones=[("选址", D(2025, 4, 1)), ("大棚建成", planned)])
    transition(county, p, "in_progress", on=D(2025, 3, 1))
    complete_milestone(county, p.milestones.get(seq=1), D(2025, 4, 1))
    return p


def test_a_milestone_late_by_more_than_d_days_gets_an_order_with_a_working_day_deadline(users):
    rules.ensure_default_rules()  # late-milestone: more than 15 days late → 10 working days, province issues
    p = late_project(users, planned=D(2025, 9, 15))
    m = p.milestones.get(seq=2)
    assert apply("2025Q3", today=D(2025, 9, 30)).created.get(RuleKind.LATE, 0) == 0  # 15 days: not more than D
    r = loop.apply_rules(Period.parse("2025Q4"), today=D(2025, 10, 1))  # 16 days late, issued in the holiday
    assert r.created[RuleKind.LATE] == 1
    order = RectificationOrder.objects.get()
    assert order.milestone == m and order.project == p and order.region.code == MEIGU
    assert order.evidence["milestone"]["days_late"] == 16 and order.evidence["milestone"]["planned_date"] == "2025-09-15"
    # the reason in the platform's language (Chinese by default), naming the facts
    assert order.reason == f"{p.code} 第2个里程碑“{m.name}”：计划 2025-09-15 完成，截至 2025-10-01 仍未完成（逾期 16 天）"
    assert order.owner_office == office(MEIGU) and order.issuer_office == office("510000")
    assert order.owner_post == Post.objects.get(office=office(MEIGU), is_lead=True)
    assert order.owner_post.name == LEAD_POST_NAME
    # Issued 1 October 2025 (holiday): 10 working days are 9, 10, 11 (make-up Saturday), 13–17, 20, 21 October.
    assert (order.issued_on, order.working_days, order.deadline) == (D(2025, 10, 1), 10, D(2025, 10, 21))
    assert order.status == OrderStatus.ISSUED and order.rule_revision == 1
    # Idempotent: again the same day, another day, another period.
    assert loop.apply_rules(Period.parse("2025Q4"), today=D(2025, 10, 1)).total == 0
    assert loop.apply_rules(Period.parse("2025Q4"), today=D(2025, 10, 20)).created.get(RuleKind.LATE, 0) == 0
    assert RectificationOrder.objects.count() == 1 and Post.objects.filter(office=office(MEIGU), is_lead=True).count() == 1


def test_deadline_across_national_day_counts_the_make_up_working_days(users):
    rules.ensure_default_rules()
    rule = ConsequenceRule.objects.get(code="late-milestone")
    rules.update_rule(users["national"], rule, working_days=3)
    late_project(users, planned=D(2025, 9, 1))
    loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 9, 30))
    order = RectificationOrder.objects.get()
    assert order.deadline == D(2025, 10, 11)  # 9, 10 and the make-up Saturday 11 October
    assert order.rule_revision == 2 and order.rule_snapshot["working_days"] == 3
    rules.update_rule(users["national"], rule, working_days=1)
    late_project(users, planned=D(2025, 9, 1), name="第二个项目")
    loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 9, 26))
    second = RectificationOrder.objects.exclude(pk=order.pk).get()
    assert second.deadline == D(2025, 9, 28)  # Friday + 1 working day = the make-up Sunday
    assert order.deadline == D(2025, 10, 11)  # an edit does not move an issued order


def test_reached_cancelled_and_completed_work_gets_no_order(users):
    rules.ensure_default_rules()
    p = late_project(users)
    complete_milestone(users["county_office"], p.milestones.get(seq=2), D(2025, 9, 25))  # reached, if late
    q = late_project(users, name="已取消项目")
    transition(users["county_office"], q, "cancelled", on=D(2025, 9, 2))
    loop.apply_rules(Period.parse("2025Q4"), today=D(2025, 10, 20))
    assert not RectificationOrder.objects.exists()


# --- escalation ---------------------------------------------------------------------------


def an_order(users, today=D(2025, 9, 30), working_days=3):
    rules.ensure_default_rules()
    rule = ConsequenceRule.objects.get(code="late-milestone")
    if rule.working_days != working_days:
        rules.update_rule(users["national"], rule, working_days=working_days)
    late_project(users, planned=D(2025, 9, 1))
    loop.apply_rules(Period.containing("quarter", today), today=today)
    return RectificationOrder.objects.get()


def test_an_overdue_order_escalates_one_level_up_once_per_level(users):
    order = an_order(users)  # deadline 11 October 2025, 3 working days per round
    assert loop.escalate_overdue(D(2025, 10, 11)) == []  # due today: not overdue yet
    made = loop.escalate_overdue(D(2025, 10, 12))
    assert len(made) == 1
    esc = made[0]
    assert esc.level == 1 and esc.from_post == order.owner_post and esc.overdue_since == D(2025, 10, 12)
    assert esc.to_post == Post.objects.get(office=office("513400"), is_lead=True)  # 凉山州's lead post, created
    assert loop.escalate_overdue(D(2025, 10, 12)) == [] and loop.escalate_overdue(D(2025, 10, 15)) == []
    order.refresh_from_db()
    assert (order.escalation_level, order.escalated_to) == (1, esc.to_post)
    # Three more working days (13, 14, 15 October) later it goes up to the province.
    made = loop.escalate_overdue(D(2025, 10, 16))
    assert [(e.level, e.to_post.office.region.code) for e in made] == [(2, "510000")]
    # Not run for a long while: the remaining step to the national coordinator, once.
    made = loop.escalate_overdue(D(2025, 12, 1))
    assert [(e.level, e.to_post.office.kind) for e in made] == [(3, "ministry")]
    assert loop.escalate_overdue(D(2025, 12, 31)) == []  # nobody above the ministry
    assert OrderEscalation.objects.filter(order=order).count() == 3
    # The escalated-to posts see the order among their items.
    for e in OrderEscalation.objects.filter(order=order):
        assert any(i.url.endswith(f"/{order.pk}/") for i in items_for_posts([e.to_post_id]))


def test_a_submitted_closure_stops_escalation(users):
    order = an_order(users)
    orders.submit_closure(users["county_office"], order, text="大棚已建成，附验收照片")
    assert loop.escalate_overdue(D(2025, 11, 30)) == []
    order.refresh_from_db()
    assert not order.is_overdue(D(2025, 11, 30))


# --- closure and verification --------------------------------------------------------------


def test_only_the_owner_office_closes_and_only_the_issuer_verifies(users):
    order = an_order(users)
    for name in ("west_office", "east_office", "viewer", "auditor", "national"):
        with pytest.raises(PermissionDenied):
            orders.submit_closure(users[name], order, text="done")
    with pytest.raises(ValidationError):
        orders.submit_closure(users["county_office"], order, text="  ")
    with pytest.raises(ValidationError):  # nothing to verify yet
        orders.verify_closure(users["west_office"], order, accept=True)
    pdf = SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    closure = orders.submit_closure(users["county_office"], order, text="大棚已建成", attachment=pdf)
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED and closure.attachment_name == "验收报告.pdf"
    assert closure.attachment.read() == b"%PDF-1.4 evidence"
    with pytest.raises(ValidationError):  # submitted already
        orders.submit_closure(users["county_office"], order, text="again")
    for name in ("county_office", "east_office", "viewer", "auditor"):
        with pytest.raises(PermissionDenied):
            orders.verify_closure(users[name], order, accept=True)
    with pytest.raises(ValidationError) as exc:  # sending back needs a reason
        orders.verify_closure(users["west_office"], order, accept=False)
    assert "note" in exc.value.error_dict
    orders.verify_closure(users["west_office"], order, accept=False, note="缺少验收照片")
    order.refresh_from_db()
    assert order.status == OrderStatus.SENT_BACK and order.closures.get().decision == "sent_back"
    orders.submit_closure(users["county_office"], order, text="补充验收照片",
                          attachment=SimpleUploadedFile("照片.png", b"\x89PNG", content_type="image/png"))
    orders.verify_closure(users["west_office"], order, accept=True, note="同意销号")
    order.refresh_from_db()
    assert order.status == OrderStatus.VERIFIED and order.verified_by == users["west_office"]
    assert [c.decision for c in order.closures.all()] == ["sent_back", "accepted"]
    with pytest.raises(ValidationError):
        orders.verify_closure(users["west_office"], order, accept=True)
    with pytest.raises(ValidationError):
        orders.submit_closure(users["county_office"], order, text="late")


def test_the_national_coordinator_may_verify_and_bad_files_are_refused(users):
    order = an_order(users)
    with pytest.raises(ValidationError) as exc:
        orders.submit_closure(users["county_office"], order, text="x", attachment=SimpleUploadedFile("a.exe", b"MZ"))
    assert "attachment" in exc.value.error_dict
    orders.submit_closure(users["county_office"], order, text="done")
    orders.verify_closure(users["national"], order, accept=True)
    order.refresh_from_db()
    assert order.status == OrderStatus.VERIFIED


def test_who_sees_which_order(users):
    order = an_order(users)
    User = get_user_model()
    from xiezuo.users.models import Profile

    other = User.objects.create_user("zhaojue_office")
    Profile.objects.create(user=other, role="office_editor", organisation=office("513431"))
    seen = {name: visible(users[name], RectificationOrder.objects.all()).filter(pk=order.pk).exists()
            for name in ("national", "auditor", "west_office", "viewer", "county_office", "east_office")}
    assert seen == {"national": True, "auditor": True, "west_office": True, "viewer": True, "county_office": True,
                    "east_office": True}  # the eastern side of the project's pairing
    assert not visible(other, RectificationOrder.objects.all()).exists()


# --- tickets ---------------------------------------------------------------------------------


def test_no_report_for_three_weeks_opens_one_ticket(users):
    rules.ensure_default_rules()  # no-report-3w
    p = late_project(users)
    submit_report(users["county_office"], p, week=D(2025, 9, 1), percent=40)  # the week of Monday 1 September
    # Checked on Monday 22 September: weeks of 1, 8, 15 September → the last three weeks are 1, 8, 15: reported on the 1st.
    loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 9, 22), codes=["no-report-3w"])
    assert not InterventionTicket.objects.exists()
    loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 9, 29), codes=["no-report-3w"])  # 8, 15, 22 without a report
    ticket = InterventionTicket.objects.get()
    assert ticket.signal == "no_report" and ticket.project == p and ticket.owner_office == office(MEIGU)
    assert ticket.evidence["project"]["last_report_week"] == "2025-09-01"
    assert ticket.reason == f"{p.code}：最近一次周报 2025-09-01，自 2025-09-08 起未再报送（核查日期 2025-09-29）"
    assert ticket.deadline == D(2025, 10, 10)  # 3 working days from 29 September: 30 September, 9 and 10 October
    loop.apply_rules(Period.parse("2025Q4"), today=D(2025, 10, 6), codes=["no-report-3w"])
    assert InterventionTicket.objects.count() == 1
    t = orders.resolve_ticket(users["county_office"], ticket, resolution="已督促项目单位补报")
    assert t.status == "resolved"
    with pytest.raises(PermissionDenied):
        orders.resolve_ticket(users["viewer"], ticket, resolution="x")


def test_professional_who_left_early_opens_a_ticket(users):
    from xiezuo.people.actions import save_dispatch

    rules.ensure_default_rules()
    save_dispatch(users["county_office"], person_name="张医生", kind="medical", direction="e2w", from_org=office("330212"),
                  to_org=office(MEIGU), planned_start=D(2025, 1, 1), planned_end=D(2025, 12, 31),
                  actual_start=D(2025, 1, 1), actual_end=D(2025, 8, 31))
    save_dispatch(users["county_office"], person_name="李干部", kind="cadre", direction="e2w", from_org=office("330212"),
                  to_org=office(MEIGU), planned_start=D(2025, 1, 1), planned_end=D(2025, 12, 31),
                  actual_start=D(2025, 1, 1), actual_end=D(2025, 8, 31))
    loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 9, 30), codes=["left-early"])
    ticket = InterventionTicket.objects.get()
    assert ticket.signal == "left_early" and ticket.dispatch.person_name == "张医生" and ticket.evidence["dispatch"]["days_early"] == 122
    assert ticket.owner_office == office(MEIGU)
    assert ticket.reason == "张医生（医疗人才）于 2025-08-31 离岗，服务期至 2025-12-31（提前 122 天）"


def test_items_of_a_post_list_its_open_orders_warnings_and_tickets(users):
    order = an_order(users)
    put_score(MEIGU, Period.parse("2025Q3"), "poor")
    loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 9, 30))
    post = Post.objects.get(office=office(MEIGU), is_lead=True)
    found = items_for_posts([post.pk])
    kinds = sorted(str(i.kind) for i in found)
    assert len([i for i in found if i.url.endswith(f"/{order.pk}/")]) == 1
    assert len(kinds) >= 2 and all(i.post_id == post.pk for i in found)
    orders.submit_closure(users["county_office"], order, text="ok")
    orders.verify_closure(users["west_office"], order, accept=True)
    assert not [i for i in items_for_posts([post.pk]) if i.url.endswith(f"/{order.pk}/")]
    assert [i for i in items_for_posts([post.pk], open_only=False) if i.url.endswith(f"/{order.pk}/")]


# --- the background task ---------------------------------------------------------------------


def test_recompute_then_apply_runs_as_a_celery_task_eagerly(users):
    from xiezuo.assessment import tasks

    late_project(users, planned=D(2025, 5, 1))
    result = tasks.recompute_and_apply.delay("2025Q2", as_of="2025-07-15", today="2025-07-15").get()
    assert result["recompute"]["scores"] > 0 and result["rules"]["created"][RuleKind.LATE] == 1
    again = tasks.recompute_and_apply.delay("2025Q2", as_of="2025-07-15", today="2025-07-15").get()
    assert again["rules"]["total"] == 0
    order = RectificationOrder.objects.get()
    assert order.issued_on == D(2025, 7, 15)
    made = tasks.escalate_overdue.delay("2025-12-01").get()
    assert made["escalated"] >= 1


def test_the_loop_command_is_idempotent(users):
    from io import StringIO

    from django.core.management import call_command

    late_project(users, planned=D(2025, 9, 1))
    out = StringIO()
    call_command("loop", "apply", "2025Q3", "--today", "2025-09-30", stdout=out)
    assert "late 1" in out.getvalue()
    out = StringIO()
    call_command("loop", "apply", "2025Q3", "--today", "2025-09-30", stdout=out)
    assert "nothing new" in out.getvalue()
    out = StringIO()
    call_command("loop", "escalate", "--today", "2025-11-03", stdout=out)
    assert out.getvalue().strip() == "1 escalations"  # 10 working days to 21 October; level 2 is due 4 November
    call_command("loop", "escalate", "--today", "2025-11-03", stdout=out)
    assert RectificationOrder.objects.get().escalations.count() == 1


def test_funds_not_arrived_after_the_due_date_open_a_ticket_for_the_receiving_office(users):
    from xiezuo.ledger import actions as ledger
    from xiezuo.pairings.models import Agreement

    rules.ensure_default_rules()  # arrival-overdue: more than 1 day past the due date
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code=MEIGU)
    agreement = Agreement.objects.get(pairing=pair, year=2025)  # funds due 30 June 2025 (demo)
    late = ledger.allocate(users["east_office"], agreement=agreement, amount_fen=500_000, idempotency_key="loop-a1",
                           booked_on=D(2025, 5, 1))
    arrived = ledger.allocate(users["east_office"], agreement=agreement, amount_fen=300_000, idempotency_key="loop-a2",
                              booked_on=D(2025, 5, 1))
    ledger.confirm_arrival(users["county_office"], allocation=arrived, arrived_on=D(2025, 6, 20), idempotency_key="loop-r2")
    loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 7, 1), codes=["arrival-overdue"])
    assert not InterventionTicket.objects.exists()  # one day past: not more than the threshold
    loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 7, 2), codes=["arrival-overdue"])
    ticket = InterventionTicket.objects.get()
    assert ticket.posting == late and ticket.owner_office == office(MEIGU) and ticket.pairing == pair
    assert ticket.evidence["posting"]["amount_fen"] == 500_000 and ticket.evidence["posting"]["due_date"] == "2025-06-30"
    assert ticket.reason == f"下达资金 #{late.pk}（¥5,000.00）应于 2025-06-30 前到位，截至 2025-07-02 仍未到位"
    loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 7, 20), codes=["arrival-overdue"])
    assert InterventionTicket.objects.count() == 1


def test_an_uncovered_calendar_year_issues_no_order_with_a_guessed_deadline(users):
    from xiezuo.rhythm.workdays import covered_years

    rules.ensure_default_rules()
    late_project(users, planned=D(2025, 9, 1))
    beyond = D(covered_years()[1] + 1, 3, 2)
    result = loop.apply_rules(Period.containing("quarter", beyond), today=beyond, codes=["late-milestone"])
    assert not RectificationOrder.objects.exists()
    assert result.skipped and "covers" in result.skipped[0][1]


def test_the_engine_places_items_as_the_offices_module_does():
    """The engine walks the tree in memory; it must agree with `offices`, the rule written
    down once."""
    from xiezuo.assessment.choices import IssuerLevel
    from xiezuo.orgs.models import Organisation

    run = loop.Applied("test")
    for code in (MEIGU, "513400", "510000", "330212", "513431", "110108", "659001"):
        region = Region.objects.get(code=code)
        assert run.office(region) == offices.office_for_region(region), code
    for office_ in Organisation.objects.filter(kind__in=("office", "ministry")):
        assert run.parent(office_) == offices.parent_office(office_)
        for level in IssuerLevel.values:
            assert run.issuer(office_, level) == offices.issuer_for(office_, level), (office_, level)
