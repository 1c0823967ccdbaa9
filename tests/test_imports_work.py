"""Excel imports of the work itself: projects, milestones, weekly reports, ledger postings and
dispatch records. All-or-nothing, every problem named by row, column and reason, every write
through the apps' actions (so permission, scoping and the audit log apply).

Workbooks are built in memory with openpyxl, the way an official fills in the template.
"""
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from xiezuo.users.models import Profile
from xiezuo.core.importing import DATA_SHEET, HELP_SHEET, build_template, run_import
from xiezuo.core.models import AuditEntry
from xiezuo.ledger import actions as ledger
from xiezuo.ledger.chain import verify
from xiezuo.ledger.importers import PostingImporter
from xiezuo.ledger.models import Entry, Posting
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.people.importers import DispatchImporter
from xiezuo.people.models import Dispatch
from xiezuo.projects.actions import create_project, set_milestones, transition
from xiezuo.core.importing import export_for_import
from xiezuo.projects.importers import MilestoneImporter, ProgressReportImporter, ProjectImporter
from xiezuo.projects.models import Milestone, ProgressReport, Project, ProjectPartner
from xiezuo.regions.models import Region
from xiezuo.web.imports import IMPORTERS

pytestmark = pytest.mark.django_db
D = datetime.date
WORK = (ProjectImporter, MilestoneImporter, ProgressReportImporter, PostingImporter, DispatchImporter)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def xlsx(headers, rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run(importer, user, headers, rows, **kwargs):
    return run_import(importer, user, xlsx(headers, rows), **kwargs)


def upload_of(content: bytes):
    return SimpleUploadedFile("import.xlsx", content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def problems(result):
    return {(e.row, e.column) for e in result.errors}


def reason(result, row, column):
    return " | ".join(e.reason for e in result.errors if e.row == row and e.column == column)


def counts(result):
    return (result.counts["created"], result.counts["updated"], result.counts["unchanged"])


def org(name):
    return Organisation.objects.get(name=name)


TODAY = timezone.localdate()
LAST_WEEK = TODAY - datetime.timedelta(days=7)


@pytest.fixture
def pair():
    return Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")


@pytest.fixture
def agreement(pair):
    return Agreement.objects.get(pairing=pair, year=TODAY.year)


@pytest.fixture
def project(users, pair):
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


# --- every kind: templates, readers refused, registration -----------------------------------


@pytest.mark.parametrize("importer_class", WORK)
def test_each_template_has_the_data_sheet_headers_and_money_explained(importer_class):
    importer = importer_class()
    wb = openpyxl.load_workbook(io.BytesIO(build_template(importer)))
    assert wb.sheetnames == [DATA_SHEET, HELP_SHEET]
    assert [c.value for c in wb[DATA_SHEET][1]] == [c.header for c in importer.columns]
    assert IMPORTERS[importer.slug].__class__ is importer_class
    for cell in wb[DATA_SHEET][1]:
        if "（元）" in cell.value:  # money columns say, on the header itself, that they are yuan to the fen
            assert "two decimal places" in cell.comment.text and "fractions of a fen" in cell.comment.text


@pytest.mark.parametrize("importer_class", WORK)
@pytest.mark.parametrize("name", ["viewer", "auditor"])
def test_readers_may_not_run_any_work_import(users, importer_class, name):
    importer = importer_class()
    with pytest.raises(PermissionDenied):
        run(importer, users[name], [importer.columns[0].header], [["x"]])


@pytest.mark.parametrize("slug", ["projects", "milestones", "progress-reports", "postings", "dispatches"])
def test_pages_serve_the_template_and_refuse_uploads_from_readers(client_as, slug):
    viewer = client_as("viewer")
    assert viewer.get(f"/imports/{slug}/").status_code == 200
    template = viewer.get(f"/imports/{slug}/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    upload = viewer.post(f"/imports/{slug}/", {"file": upload_of(xlsx(["项目编号"], [["x"]]))})
    assert upload.status_code == 403


def test_malformed_and_oversized_files_are_refused_whole(users, settings):
    importer = PostingImporter()
    result = run_import(importer, users["national"], b"this is not a workbook")
    assert not result.ok and result.errors[0].row is None and ".xlsx" in result.errors[0].reason
    settings.XIEZUO_MAX_IMPORT_BYTES = 2_000
    big = xlsx(["幂等键", "业务类型"], [[f"k{i}", "下达"] for i in range(500)])
    result = run_import(importer, users["national"], big)
    assert not result.ok and "larger than" in result.errors[0].reason
    assert not Posting.objects.filter(idempotency_key__startswith="k").exists()


def test_unknown_and_missing_columns_name_the_column(users):
    result = run(ProjectImporter(), users["national"], ["项目名称", "项目类别", "县级代码", "预算"], [["x", "产业协作", "513436", 1]])
    assert problems(result) == {(1, "预算"), (1, "计划开始日期"), (1, "计划完成日期")}


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
    assert "outside your area" in reason(result, 6, "结对编号")
    assert "outside your area" in reason(result, 7, "项目编号")
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
    assert "outside your area" in reason(result, 2, "项目编号")
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


# --- ledger postings ---------------------------------------------------------------------------

POSTING_HEADERS = ["幂等键", "业务类型", "结对编号", "协议年度", "项目编号", "拨付单位", "关联幂等键", "金额（元）", "日期", "摘要"]


def stages(pair, year, day=None):
    day = day or TODAY
    return [
        ["XD-1", "下达", pair.pk, year, None, None, None, "1000000.00", day, "第一批"],
        ["DW-1", "到位", None, None, None, None, "XD-1", None, day, None],
        ["BF-1", "拨付", None, None, "MG-001", None, None, 600000, day, None],
        ["ZC-1", "支出", None, None, "MG-001", None, None, "250000.5", None, "采购种薯"],
    ]


def test_all_four_stages_post_once_and_reimport_posts_nothing(users, pair, agreement, project):
    transition(users["county_office"], project, "in_progress")
    rows = stages(pair, agreement.year)
    result = run(PostingImporter(), users["national"], POSTING_HEADERS, rows)
    assert result.ok, result.errors
    assert counts(result) == (4, 0, 0)
    kinds = dict(Posting.objects.filter(idempotency_key__in=["XD-1", "DW-1", "BF-1", "ZC-1"]).values_list("idempotency_key", "amount_fen"))
    assert kinds == {"XD-1": 100_000_000, "DW-1": 100_000_000, "BF-1": 60_000_000, "ZC-1": 25_000_050}
    assert set(Posting.objects.filter(idempotency_key__in=kinds).values_list("via", flat=True)) == {"import"}
    entries, postings = Entry.objects.count(), Posting.objects.count()

    again = run(PostingImporter(), users["national"], POSTING_HEADERS, rows)
    assert again.ok and counts(again) == (0, 0, 4)
    assert (Entry.objects.count(), Posting.objects.count()) == (entries, postings)
    assert verify().ok

    importer = PostingImporter()
    exported = [importer.export_row(p) for p in Posting.objects.filter(idempotency_key__in=kinds).order_by("pk")]
    assert counts(run(importer, users["national"], importer.export_headers(), exported)) == (0, 0, 4)


def test_same_key_with_a_different_body_is_refused_for_that_row(users, pair, agreement):
    first = [["XD-2", "下达", pair.pk, agreement.year, None, None, None, 1000, TODAY, None]]
    assert run(PostingImporter(), users["east_office"], POSTING_HEADERS, first).ok
    rows = [["XD-3", "下达", pair.pk, agreement.year, None, None, None, 500, TODAY, None],
            ["XD-2", "下达", pair.pk, agreement.year, None, None, None, 2000, TODAY, None]]
    result = run(PostingImporter(), users["east_office"], POSTING_HEADERS, rows)
    assert problems(result) == {(3, "幂等键")}
    assert "different body" in reason(result, 3, "幂等键")
    assert not Posting.objects.filter(idempotency_key="XD-3").exists()


def test_repeated_key_in_one_file_is_refused(users, pair, agreement):
    rows = [["XD-4", "下达", pair.pk, agreement.year, None, None, None, 1000, TODAY, None]] * 2
    result = run(PostingImporter(), users["east_office"], POSTING_HEADERS, rows)
    assert problems(result) == {(3, "幂等键")} and "repeats row 2" in reason(result, 3, "幂等键")


def test_each_side_posts_only_its_own_steps(users, pair, agreement, project):
    transition(users["county_office"], project, "in_progress")
    alloc = ledger.allocate(users["east_office"], agreement=agreement, amount_fen=100_000_00, idempotency_key="XD-E")
    ledger.confirm_arrival(users["county_office"], allocation=alloc, arrived_on=TODAY, idempotency_key="DW-E")
    west_steps = [["DW-X", "到位", None, None, None, None, "XD-E", None, TODAY, None],
                  ["BF-X", "拨付", None, None, "MG-001", None, None, 100, TODAY, None],
                  ["ZC-X", "支出", None, None, "MG-001", None, None, 100, TODAY, None]]
    east = run(PostingImporter(), users["east_office"], POSTING_HEADERS, west_steps)
    assert problems(east) == {(2, "业务类型"), (3, "业务类型"), (4, "业务类型")}
    assert "only the western side" in reason(east, 2, "业务类型")
    assert "only the western side" in reason(east, 3, "业务类型")
    west = run(PostingImporter(), users["west_office"], POSTING_HEADERS,
               [["XD-W", "下达", pair.pk, agreement.year, None, None, None, 100, TODAY, None]])
    assert problems(west) == {(2, "业务类型")} and "only the eastern side" in reason(west, 2, "业务类型")
    county = run(PostingImporter(), users["county_office"], POSTING_HEADERS,
                 [["BF-C", "拨付", None, None, "MG-001", None, None, 100, TODAY, None]])
    assert county.ok and counts(county) == (1, 0, 0)
    assert not Posting.objects.filter(idempotency_key__in=["DW-X", "BF-X", "ZC-X", "XD-W"]).exists()


def test_bad_posting_rows_name_row_and_column_and_nothing_is_posted(users, pair, agreement, project):
    other_pair = Pairing.objects.get(kind="prefecture", east_region__code="440100", west_region__code="520100")
    rows = [
        ["XD-5", "下达", pair.pk, agreement.year, None, None, None, "100.00", TODAY, None],  # good
        ["XD-6", "下达", pair.pk, agreement.year, None, None, None, "100.005", TODAY, None],  # fraction of a fen
        ["XD-7", "下达", pair.pk, agreement.year, None, None, None, "-100", TODAY, None],  # negative
        ["XD-8", "下达", pair.pk, agreement.year, None, None, None, "一百元", TODAY, None],  # not a number
        ["XD-9", "下达", pair.pk, 1999, None, None, None, 100, TODAY, None],  # no agreement that year
        ["XD-10", "下达", pair.pk, agreement.year, "MG-001", None, None, 100, TODAY, None],  # project on an allocation
        ["XD-11", "下达", other_pair.pk, agreement.year, None, None, None, 100, TODAY, None],  # outside the area
        ["DW-12", "到位", None, None, None, None, "NO-SUCH-KEY", None, TODAY, None],  # unknown allocation
        ["DW-13", "到位", None, None, None, None, "XD-5", None, None, None],  # arrival without its date
        ["XD-14", "下达", pair.pk, agreement.year, None, None, None, 0, TODAY + datetime.timedelta(days=3), None],  # zero, future
        ["CX-15", "冲销", None, None, None, None, "XD-5", None, None, None],  # reversal without reason
    ]
    postings = Posting.objects.count()
    result = run(PostingImporter(), users["east_office"], POSTING_HEADERS, rows)
    assert problems(result) == {
        (3, "金额（元）"), (4, "金额（元）"), (5, "金额（元）"), (6, "协议年度"), (7, "项目编号"), (8, "结对编号"),
        (9, "关联幂等键"), (10, "日期"), (11, "日期"), (12, "摘要"),
    }
    assert "fen" in reason(result, 3, "金额（元）")
    assert "negative" in reason(result, 4, "金额（元）")
    assert "not an amount" in reason(result, 5, "金额（元）")
    assert "no agreement for 1999" in reason(result, 6, "协议年度")
    assert "not used by 下达 rows" in reason(result, 7, "项目编号")
    assert "outside your area" in reason(result, 8, "结对编号")
    assert "NO-SUCH-KEY" in reason(result, 9, "关联幂等键")
    assert "future" in reason(result, 11, "日期")
    assert Posting.objects.count() == postings


def test_reversal_by_import_and_a_whole_amount_check_on_arrival(users, pair, agreement):
    rows = [["XD-20", "下达", pair.pk, agreement.year, None, None, None, 300, TODAY, None],
            ["CX-20", "冲销", None, None, None, None, "XD-20", "300.00", TODAY, "金额录错"]]
    result = run(PostingImporter(), users["east_office"], POSTING_HEADERS, rows)
    assert result.ok and counts(result) == (2, 0, 0)
    assert Posting.objects.get(idempotency_key="CX-20").reversal_of == Posting.objects.get(idempotency_key="XD-20")
    wrong = run(PostingImporter(), users["county_office"], POSTING_HEADERS,
                [["DW-21", "到位", None, None, None, None, "XD-20", "200", TODAY, None]])
    assert problems(wrong) == {(2, "金额（元）")}


def test_an_arrival_of_an_allocation_refused_in_the_same_file_names_both_rows(users, pair, agreement):
    rows = [["XD-30", "下达", pair.pk, agreement.year, None, None, None, 100, TODAY, None],
            ["DW-30", "到位", None, None, None, None, "XD-30", None, TODAY, None]]
    result = run(PostingImporter(), users["west_office"], POSTING_HEADERS, rows)
    assert problems(result) == {(2, "业务类型"), (3, "关联幂等键")}
    assert "XD-30" in reason(result, 3, "关联幂等键")


# --- dispatch records --------------------------------------------------------------------------

DISPATCH_HEADERS = ["记录编号", "姓名", "身份证号", "人员类别", "派驻方向", "派出单位", "接收单位", "计划开始日期", "计划结束日期",
                    "实际开始日期", "实际结束日期"]


def dispatch_rows():
    school_e, school_w = org("宁波市鄞州区实验中学（演示）"), org("美姑县民族中学（演示）")
    return [
        ["RC-1", "王明", "330212198805061234", "教育人才", "东部→西部", school_e.credit_code, school_w.name, "2026-03-01", "2027-02-28",
         "2026-03-05", None],
        [None, "阿伍", None, "党政干部", "西部→东部", school_w.credit_code, school_e.credit_code, "2026-04-01", "2026-09-30", None, None],
    ]


def test_dispatches_create_update_and_keep_masked_id_numbers(users):
    rows = dispatch_rows()
    result = run(DispatchImporter(), users["county_office"], DISPATCH_HEADERS, rows)
    assert result.ok, result.errors
    assert counts(result) == (2, 0, 0)
    wang = Dispatch.objects.get(client_id="RC-1")
    assert (wang.kind, wang.direction, wang.id_number) == ("education", "e2w", "330212198805061234")
    assert AuditEntry.objects.filter(object_type="people.dispatch", via="import", username="county_office").count() == 2
    assert counts(run(DispatchImporter(), users["east_office"], DISPATCH_HEADERS, rows)) == (0, 0, 2)

    importer = DispatchImporter()
    exported = [importer.export_row(d) for d in Dispatch.objects.filter(person_name__in=["王明", "阿伍"]).order_by("pk")]
    assert exported[0][2] == "330212********1234"
    assert counts(run(importer, users["county_office"], importer.export_headers(), exported)) == (0, 0, 2)
    exported[1][2] = exported[1][10] = None  # blank cells keep the recorded values
    exported[0][11] = LAST_WEEK  # 王明 came home (实际结束日期)
    result = run(importer, users["county_office"], importer.export_headers(), exported)
    assert result.ok, result.errors
    assert counts(result) == (0, 1, 1)
    wang.refresh_from_db()
    assert wang.actual_end == LAST_WEEK and wang.id_number == "330212198805061234"


def test_one_bad_dispatch_row_writes_nothing(users):
    rows = dispatch_rows()
    rows[1][8] = "2026-03-01"  # planned end before planned start
    rows.append(["RC-3", "李四", "33021219880506123", "医疗人才", "东部→西部", rows[0][5], rows[0][6], "2026-03-01", "2026-09-01",
                 None, None])
    rows.append(["RC-4", "张三", None, "医疗人才", "东部→西部", "91330281MA0000000X", rows[0][6], "2026-03-01", "2026-09-01", None, None])
    result = run(DispatchImporter(), users["county_office"], DISPATCH_HEADERS, rows)
    assert problems(result) == {(3, "计划结束日期"), (4, "身份证号"), (5, "派出单位")}
    assert "before the planned start" in reason(result, 3, "计划结束日期")
    assert "17 digits" in reason(result, 4, "身份证号")
    assert not Dispatch.objects.filter(person_name__in=["王明", "阿伍", "李四", "张三"]).exists()


def test_dispatch_between_organisations_outside_the_area_is_refused(users):
    """A Guangdong office admin sees neither school; an office admin of 余姚 sees the
    昭觉 office (its pair) but records nothing between two organisations of other areas."""
    yuyao = Organisation.objects.get(kind="office", region__code="330281")
    zhaojue = Organisation.objects.get(kind="office", region__code="513431")
    user = get_user_model().objects.create_user("yy_office", password="x")
    Profile.objects.create(user=user, role="office_admin", organisation=yuyao)
    row = ["RC-9", "赵六", None, "农业技术人才", "东部→西部", org("宁波市鄞州区实验中学（演示）").credit_code, zhaojue.credit_code,
           "2026-03-01", "2026-09-01", None, None]
    result = run(DispatchImporter(), user, DISPATCH_HEADERS, [row])
    assert problems(result) == {(2, "派出单位")}
    assert "no organisation you can see" in reason(result, 2, "派出单位")
    ok = run(DispatchImporter(), user, DISPATCH_HEADERS, [row[:5] + [yuyao.credit_code] + row[6:]])
    assert ok.ok and counts(ok) == (1, 0, 0)
    national_record = run(DispatchImporter(), users["national"], DISPATCH_HEADERS,
                          [["RC-10"] + row[1:5] + [org("宁波市第一医院（演示）").credit_code, org("凉山州第一人民医院（演示）").credit_code]
                           + row[7:]])
    assert national_record.ok
    foreign = run(DispatchImporter(), user, DISPATCH_HEADERS, [["RC-10"] + row[1:5] + [yuyao.credit_code] + row[6:]])
    assert problems(foreign) == {(2, "记录编号")} and "outside your area" in reason(foreign, 2, "记录编号")


# --- the page ---------------------------------------------------------------------------------


def test_the_import_page_lists_every_problem_of_a_postings_file(client_as, pair, agreement):
    client = client_as("west_office")
    rows = [["XD-P", "下达", pair.pk, agreement.year, None, None, None, "100.001", TODAY, None]]
    response = client.post("/imports/postings/", {"file": upload_of(xlsx(POSTING_HEADERS, rows))})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="import-errors"' in body and "金额（元）" in body
    report = client.get("/imports/postings/errors.xlsx")
    assert report.status_code == 200
