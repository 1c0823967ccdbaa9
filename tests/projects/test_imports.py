"""Excel imports of projects, milestones and weekly progress reports: all-or-nothing, every
problem named by row, column and reason, every write through the projects' actions (so
permission, scoping and the audit log apply).

Workbooks are built in memory with openpyxl, the way an official fills in the template.
"""
import datetime

import pytest
from django.utils import timezone, translation

from tests.support import counts, problems, reason, run
from tests.support import other_project, pair, project  # noqa: F401 (fixtures, defined once)
from xiezuo.core.importing import export_for_import, run_import
from xiezuo.core.models import AuditEntry
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Pairing
from xiezuo.projects.actions import set_milestones, transition
from xiezuo.projects.importers import MilestoneImporter, ProgressReportImporter, ProjectImporter
from xiezuo.projects.models import Milestone, ProgressReport, Project, ProjectPartner

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def org(name):
    return Organisation.objects.get(name=name)


TODAY = timezone.localdate()
LAST_WEEK = TODAY - datetime.timedelta(days=7)


# --- projects --------------------------------------------------------------------------------

PROJECT_HEADERS = ["项目编号", "项目名称", "项目类别", "县级代码", "结对编号", "计划开始日期", "计划完成日期", "状态",
                   "东部财政援助资金（元）", "地方配套资金（元）", "牵头单位"]


def test_a_good_projects_file_creates_updates_and_leaves_unchanged(users, pair, project):
    school = org("宁波市鄞州区实验中学（演示）")
    rows = [
        ["MG-002", "美姑县马铃薯种薯基地", "产业协作", "513436", pair.pk, D(2026, 3, 1), "2027-06-30", "实施中", "1,200,000.50", 0,
         school.credit_code],
        [None, "美姑县劳务技能培训", "劳务协作", 513436, None, "2026/04/01", D(2026, 12, 31), None, None, None, None],
        ["MG-001", "美姑县高山蔬菜基地", "产业协作", "513436", pair.pk, "2026-01-05", "2027-12-31", "实施中", 500000, None, None],
    ]
    before = AuditEntry.objects.filter(via="import").count()
    result = run(ProjectImporter(), users["county_office"], PROJECT_HEADERS, rows)
    assert result.ok, result.errors
    assert counts(result) == (2, 1, 0)
    seed = Project.objects.get(code="MG-002")
    assert seed.status == "in_progress" and seed.pairing == pair
    assert {b.source: b.amount_fen for b in seed.budget.all()} == {"east_fiscal": 120_000_050, "local_match": 0}
    assert ProjectPartner.objects.filter(project=seed, organisation=school, role="lead").exists()
    training = Project.objects.get(name="美姑县劳务技能培训")
    assert training.code.startswith("P2026513436") and training.planned_start == D(2026, 4, 1)
    assert Project.objects.get(code="MG-001").status == "in_progress"
    assert AuditEntry.objects.filter(via="import", username="county_office").count() > before

    again = run(ProjectImporter(), users["county_office"], PROJECT_HEADERS, rows)
    assert again.ok and counts(again) == (0, 0, 3)  # the row without a code finds its project by name in the county
    assert Project.objects.filter(name="美姑县劳务技能培训").count() == 1


def test_an_export_of_projects_reimports_as_unchanged(users, pair, project):
    importer = ProjectImporter()
    transition(users["county_office"], project, "in_progress")
    qs = Project.objects.filter(code="MG-001").prefetch_related("budget", "partners__organisation")
    result = run_import(importer, users["county_office"], export_for_import(importer, qs))
    assert result.ok, result.errors
    assert counts(result) == (0, 0, 1)


def test_one_bad_project_row_writes_nothing_and_names_row_field_reason(users, pair):
    rows = [
        ["MG-010", "好项目", "产业协作", "513436", pair.pk, "2026-03-01", "2026-12-31", None, 100, None, None],
        ["MG-011", "坏项目", "产业协作", "513436", pair.pk, "2026-03-01", "2026-12-31", None, "12.345", None, None],
        ["MG-012", "负数", "产业协作", "513436", pair.pk, "2026-03-01", "2026-12-31", None, -1, "abc", None],
    ]
    audit = AuditEntry.objects.count()
    result = run(ProjectImporter(), users["county_office"], PROJECT_HEADERS, rows)
    assert problems(result) == {(3, "东部财政援助资金（元）"), (4, "东部财政援助资金（元）"), (4, "地方配套资金（元）")}
    assert "fen" in reason(result, 3, "东部财政援助资金（元）")
    assert "negative" in reason(result, 4, "东部财政援助资金（元）")
    assert "not an amount" in reason(result, 4, "地方配套资金（元）")
    assert not Project.objects.filter(code__startswith="MG-01").exists()
    assert AuditEntry.objects.count() == audit


def test_projects_refused_by_the_actions_roll_back_the_rows_before(users, pair):
    rows = [
        ["MG-020", "好项目", "产业协作", "513436", pair.pk, "2026-03-01", "2026-12-31", None, None, None, None],
        ["MG-021", "直接完工", "产业协作", "513436", pair.pk, "2026-03-01", "2026-12-31", "已完工", None, None, None],
        ["MG-022", "结束早于开始", "产业协作", "513436", pair.pk, "2026-03-01", "2026-01-31", None, None, None, None],
    ]
    result = run(ProjectImporter(), users["county_office"], PROJECT_HEADERS, rows)
    assert problems(result) == {(3, "状态"), (4, "计划完成日期")}
    assert "cannot become completed" in reason(result, 3, "状态")
    assert "before the planned start" in reason(result, 4, "计划完成日期")
    assert not Project.objects.filter(code__startswith="MG-02").exists()


def test_codes_unknown_or_out_of_scope_are_named(users, pair, other_project):
    stranger_pair = Pairing.objects.get(kind="county", east_region__code="330324", west_region__code="510822")
    rows = [
        ["MG-030", "未知县", "产业协作", "999999", None, "2026-03-01", "2026-12-31", None, None, None, None],
        ["MG-031", "州不是县", "产业协作", "513400", None, "2026-03-01", "2026-12-31", None, None, None, None],
        ["MG-032", "别人的县", "产业协作", "513431", None, "2026-03-01", "2026-12-31", None, None, None, None],
        ["MG-033", "未知结对", "产业协作", "513436", 999999, "2026-03-01", "2026-12-31", None, None, None, None],
        ["MG-034", "别人的结对", "产业协作", "513436", stranger_pair.pk, "2026-03-01", "2026-12-31", None, None, None, None],
        ["ZJ-001", "昭觉县肉牛养殖", "产业协作", "513431", None, "2026-01-05", "2026-12-31", None, None, None, None],
        ["MG-035", "未知单位", "产业协作", "513436", None, "2026-03-01", "2026-12-31", None, None, None, "91330212MA2H3K4L5H"],
    ]
    result = run(ProjectImporter(), users["county_office"], PROJECT_HEADERS, rows)
    assert problems(result) == {(2, "县级代码"), (3, "县级代码"), (4, "县级代码"), (5, "结对编号"), (6, "结对编号"),
                                (7, "项目编号"), (8, "牵头单位")}
    assert "no region has the code 999999" in reason(result, 2, "县级代码")
    assert "not a county" in reason(result, 3, "县级代码")
    assert "may not create projects" in reason(result, 4, "县级代码")
    assert "no pairing has the number 999999" in reason(result, 5, "结对编号")
    # what lies outside the area is answered like what does not exist, and never named
    assert f"no pairing has the number {stranger_pair.pk}" in reason(result, 6, "结对编号")
    assert stranger_pair.east_region.name not in reason(result, 6, "结对编号")
    assert "already in use" in reason(result, 7, "项目编号") and "outside" not in reason(result, 7, "项目编号")
    assert "no organisation you can see" in reason(result, 8, "牵头单位")


def test_east_may_create_a_project_only_under_its_own_pairing(users, pair):
    row = ["MG-040", "鄞州援建冷库", "产业协作", "513436", pair.pk, "2026-03-01", "2026-12-31", None, None, None, None]
    assert run(ProjectImporter(), users["east_office"], PROJECT_HEADERS, [row]).ok
    without_pairing = run(ProjectImporter(), users["east_office"], PROJECT_HEADERS, [["MG-041", "无结对"] + row[2:4] + [None] + row[5:]])
    assert problems(without_pairing) == {(2, "县级代码")}


def test_a_recorded_project_is_updated_through_update_project_but_keeps_its_county(users, pair, project):
    row = ["MG-001", "美姑县高山蔬菜基地（二期）", "产业协作", "513436", None, "2026-01-05", "2028-12-31", None, 600000, 80000, None]
    result = run(ProjectImporter(), users["east_office"], PROJECT_HEADERS, [row])
    assert result.ok, result.errors
    assert counts(result) == (0, 1, 0)
    updated = Project.objects.get(code="MG-001")
    assert (updated.name, updated.planned_end, updated.pairing) == ("美姑县高山蔬菜基地（二期）", D(2028, 12, 31), pair)  # blank pairing kept
    assert {b.source: b.amount_fen for b in updated.budget.all()} == {"east_fiscal": 60_000_000, "local_match": 8_000_000}
    assert AuditEntry.objects.filter(object_type="projects.project", object_id=str(project.pk), via="import", username="east_office").exists()

    moved = run(ProjectImporter(), users["national"], PROJECT_HEADERS, [["MG-001"] + row[1:3] + ["513431"] + row[4:]])
    assert problems(moved) == {(2, "县级代码")}
    assert "county cannot be changed" in reason(moved, 2, "县级代码") and "513436" in reason(moved, 2, "县级代码")


def test_dry_run_reports_counts_and_writes_nothing(users, pair):
    row = ["MG-050", "试运行", "产业协作", "513436", pair.pk, "2026-03-01", "2026-12-31", None, None, None, None]
    result = run(ProjectImporter(), users["county_office"], PROJECT_HEADERS, [row], dry_run=True)
    assert result.ok and result.dry_run and counts(result) == (1, 0, 0)
    assert not Project.objects.filter(code="MG-050").exists()


# --- milestones ------------------------------------------------------------------------------

MILESTONE_HEADERS = ["项目编号", "序号", "里程碑名称", "计划日期", "实际完成日期"]


def test_milestones_create_then_unchanged_then_reached(users, project):
    rows = [["MG-001", 1, "选址", "2026-02-01", None], ["MG-001", 2, "大棚建成", D(2026, 6, 30), None],
            ["MG-001", 3, "首批上市", "2026-09-30", None]]
    result = run(MilestoneImporter(), users["county_office"], MILESTONE_HEADERS, rows)
    assert result.ok, result.errors
    assert counts(result) == (3, 0, 0)
    assert list(project.milestones.values_list("seq", "name")) == [(1, "选址"), (2, "大棚建成"), (3, "首批上市")]
    assert counts(run(MilestoneImporter(), users["county_office"], MILESTONE_HEADERS, rows)) == (0, 0, 3)

    reached = [["MG-001", 1, "选址", "2026-02-01", "2026-02-03"]]  # a partial file: only the milestone reached
    result = run(MilestoneImporter(), users["east_office"], MILESTONE_HEADERS, reached)
    assert result.ok and counts(result) == (0, 1, 0)
    assert Milestone.objects.get(project=project, seq=1).actual_date == D(2026, 2, 3)
    importer = MilestoneImporter()
    exported = [importer.export_row(m) for m in Milestone.objects.filter(project=project).select_related("project")]
    assert counts(run(importer, users["county_office"], importer.export_headers(), exported)) == (0, 0, 3)


def test_one_bad_milestone_row_writes_nothing(users, project):
    rows = [["MG-001", 1, "选址", "2026-02-01", None], ["MG-001", 2, "大棚建成", "2026-01-15", None],
            ["MG-001", 3, "首批上市", "2026-09-30", "2026-13-01"]]
    result = run(MilestoneImporter(), users["county_office"], MILESTONE_HEADERS, rows)
    assert problems(result) == {(3, "计划日期"), (4, "实际完成日期")}
    assert "planned before milestone 1" in reason(result, 3, "计划日期")
    assert "not a date" in reason(result, 4, "实际完成日期")
    assert not project.milestones.exists()


def test_milestone_gaps_out_of_order_reaching_and_replanning_after_reaching(users, project):
    set_milestones(users["county_office"], project, [("选址", D(2026, 2, 1)), ("建成", D(2026, 6, 30))])
    gap = run(MilestoneImporter(), users["county_office"], MILESTONE_HEADERS, [["MG-001", 4, "上市", "2026-09-30", None]])
    assert problems(gap) == {(2, "序号")} and "gap" in reason(gap, 2, "序号")
    early = run(MilestoneImporter(), users["county_office"], MILESTONE_HEADERS, [["MG-001", 2, "建成", "2026-06-30", "2026-06-01"]])
    assert problems(early) == {(2, "实际完成日期")} and "milestone 1" in reason(early, 2, "实际完成日期")
    assert run(MilestoneImporter(), users["county_office"], MILESTONE_HEADERS, [["MG-001", 1, "选址", "2026-02-01", "2026-02-02"]]).ok
    replan = run(MilestoneImporter(), users["county_office"], MILESTONE_HEADERS, [["MG-001", 3, "上市", "2026-09-30", None]])
    assert problems(replan) == {(2, "序号")} and "already reached" in reason(replan, 2, "序号")


def test_milestones_of_a_project_outside_the_area_or_unknown(users, project, other_project):
    rows = [["ZJ-001", 1, "选址", "2026-02-01", None], ["NOPE-1", 1, "选址", "2026-02-01", None]]
    result = run(MilestoneImporter(), users["county_office"], MILESTONE_HEADERS, rows)
    assert problems(result) == {(2, "项目编号"), (3, "项目编号")}
    assert "no project has the code" in reason(result, 2, "项目编号")  # like an unknown code: nothing told
    assert "no project has the code" in reason(result, 3, "项目编号")


# --- weekly progress reports -------------------------------------------------------------------

REPORT_HEADERS = ["项目编号", "周次", "完成进度（%）", "本周完成情况", "存在问题"]


def test_reports_create_amend_and_leave_unchanged(users, project):
    monday = LAST_WEEK - datetime.timedelta(days=LAST_WEEK.weekday())
    iso = monday.isocalendar()
    rows = [["MG-001", LAST_WEEK, 30, "完成土地平整", None],
            ["MG-001", f"{iso[0]}-W{iso[1] - 1:02d}" if iso[1] > 1 else "2026-W01", "20%", "完成选址", "雨季"]]
    result = run(ProgressReportImporter(), users["county_office"], REPORT_HEADERS, rows)
    assert result.ok, result.errors
    assert counts(result) == (2, 0, 0)
    report = ProgressReport.objects.get(project=project, week=monday)
    assert (report.percent, report.done) == (30, "完成土地平整")
    assert Project.objects.get(pk=project.pk).percent_done == 30
    assert counts(run(ProgressReportImporter(), users["east_office"], REPORT_HEADERS, rows)) == (0, 0, 2)
    amended = run(ProgressReportImporter(), users["east_office"], REPORT_HEADERS, [["MG-001", monday, 35, None, None]])
    assert counts(amended) == (0, 1, 0)
    report.refresh_from_db()
    assert (report.percent, report.done) == (35, "完成土地平整")  # a blank text cell keeps the recorded text
    importer = ProgressReportImporter()
    exported = [importer.export_row(r) for r in ProgressReport.objects.filter(project=project).select_related("project")]
    assert counts(run(importer, users["county_office"], importer.export_headers(), exported)) == (0, 0, 2)


def test_one_bad_report_row_writes_nothing(users, project, other_project):
    transition(users["national"], other_project, "cancelled")
    rows = [["MG-001", LAST_WEEK, 30, None, None], ["MG-001", TODAY + datetime.timedelta(days=14), 40, None, None],
            ["MG-001", "2026-01-12", 120, None, None], ["MG-001", "2026-01-19", 12.5, None, None],
            ["ZJ-001", "2026-01-12", 10, None, None]]
    result = run(ProgressReportImporter(), users["national"], REPORT_HEADERS, rows)
    assert problems(result) == {(3, "周次"), (4, "完成进度（%）"), (5, "完成进度（%）"), (6, "项目编号")}
    assert "has not begun" in reason(result, 3, "周次")
    assert "between 0 and 100" in reason(result, 4, "完成进度（%）")
    assert "whole" in reason(result, 5, "完成进度（%）")
    assert "cancelled" in reason(result, 6, "项目编号")
    assert not ProgressReport.objects.filter(project__in=[project, other_project]).exists()


def test_reports_are_applied_together_audited_as_the_importer_and_leave_no_receipts(users, project, other_project):
    """A workbook of reports is applied at once (the bulk ingestion's checks and writes): each
    report is audited as the importing user via the import, no ingestion receipt is kept (the
    rows have no client ids), and a dry run writes nothing."""
    from xiezuo.core.models import IngestReceipt

    weeks = [LAST_WEEK - datetime.timedelta(days=7 * k) for k in range(3)]
    rows = [[code, week, 10 + i, f"第{i}周", None] for i, week in enumerate(weeks) for code in ("MG-001", "ZJ-001")]
    receipts, audited = IngestReceipt.objects.count(), AuditEntry.objects.count()
    dry = run(ProgressReportImporter(), users["national"], REPORT_HEADERS, rows, dry_run=True)
    assert dry.ok and counts(dry) == (6, 0, 0)
    assert not ProgressReport.objects.filter(project__in=[project, other_project]).exists()
    assert AuditEntry.objects.count() == audited
    result = run(ProgressReportImporter(), users["national"], REPORT_HEADERS, rows)
    assert result.ok and counts(result) == (6, 0, 0)
    assert ProgressReport.objects.filter(project__in=[project, other_project]).count() == 6
    entries = AuditEntry.objects.filter(object_type__iendswith="progressreport").order_by("-id")[:6]
    assert {(e.action, e.via, e.username) for e in entries} == {("create", "import", "national")}
    assert IngestReceipt.objects.count() == receipts
    # the latest week's percent is the project's, as single reports leave it
    assert Project.objects.get(pk=project.pk).percent_done == 10
