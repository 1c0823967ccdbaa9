"""Excel imports, the machinery every importer shares: the file itself (headers, not a
workbook, too large, zip bombs, the template's round trip), and for every kind of import its
template, readers refused, malformed files refused whole.

Workbooks are built in memory with openpyxl, the way an official fills in the template.
"""
import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tests.support import problems, reason, run, xlsx
from xiezuo.core.importing import DATA_SHEET, HELP_SHEET, build_template, run_import
from xiezuo.ledger.importers import PostingImporter
from xiezuo.ledger.models import Posting
from xiezuo.pairings.importers import AgreementImporter
from xiezuo.people.importers import DispatchImporter
from xiezuo.projects.importers import MilestoneImporter, ProgressReportImporter, ProjectImporter
from xiezuo.regions.importers import RegionFactImporter
from xiezuo.regions.models import RegionFact
from xiezuo.web.imports import IMPORTERS

pytestmark = pytest.mark.django_db

FACT_HEADERS = ["地区代码", "年度", "人口（人）", "农村居民人均可支配收入（元）", "第一产业占比（%）", "第二产业占比（%）", "第三产业占比（%）"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


WORK = (ProjectImporter, MilestoneImporter, ProgressReportImporter, PostingImporter, DispatchImporter)

def upload_of(content: bytes):
    return SimpleUploadedFile("import.xlsx", content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- the file itself --------------------------------------------------------------------------


def test_missing_and_unknown_headers_are_named(users):
    result = run(RegionFactImporter(), users["national"], ["地区代码", "人口（人）", "人口数"], [["513436", 1, 1]])
    assert problems(result) == {(1, "年度"), (1, "人口数")}
    assert "missing" in reason(result, 1, "年度") and "unknown column" in reason(result, 1, "人口数")
    # half-width brackets and a trailing * are tolerated
    ok = run(RegionFactImporter(), users["national"], ["地区代码*", "年度", "人口(人)"], [["513436", 2026, 1]])
    assert ok.ok, ok.errors


def test_files_that_are_not_workbooks_are_refused(users):
    importer = RegionFactImporter()
    csv = run_import(importer, users["national"], "地区代码,年度\n513436,2026\n".encode())
    assert "not an Excel workbook" in csv.errors[0].reason
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<not xml")
        zf.writestr("xl/workbook.xml", "garbage")
    corrupt = run_import(importer, users["national"], buf.getvalue())
    assert "could not be read" in corrupt.errors[0].reason
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w/>")
    assert "not an Excel workbook" in run_import(importer, users["national"], docx.getvalue()).errors[0].reason
    assert "empty" in run_import(importer, users["national"], b"").errors[0].reason


def test_oversized_files_too_many_rows_and_zip_bombs_are_refused(users, settings):
    importer = RegionFactImporter()
    data = xlsx(FACT_HEADERS, [["513436", 2026, 1, 1, None, None, None]] * 3)
    settings.XIEZUO_MAX_IMPORT_BYTES = len(data) - 1
    assert "larger than" in run_import(importer, users["national"], data).errors[0].reason
    settings.XIEZUO_MAX_IMPORT_BYTES = 5 * 1024 * 1024
    settings.XIEZUO_MAX_IMPORT_ROWS = 2
    assert "more than 2 rows" in run_import(importer, users["national"], data).errors[0].reason
    settings.XIEZUO_MAX_IMPORT_ROWS = 20000

    bomb = io.BytesIO(data)
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", b"\0" * (8 * 1024 * 1024))
    assert len(bomb.getvalue()) < 100_000
    settings.XIEZUO_MAX_IMPORT_UNPACKED_BYTES = 4 * 1024 * 1024
    result = run_import(importer, users["national"], bomb.getvalue())
    assert "unpacks to" in result.errors[0].reason
    assert not RegionFact.objects.filter(year=2026).exists()


def test_the_template_round_trips_and_its_example_row_is_refused(users):
    for importer in IMPORTERS.values():
        wb = openpyxl.load_workbook(io.BytesIO(build_template(importer)))
        assert wb.sheetnames == [DATA_SHEET, HELP_SHEET]
        assert [c.value for c in wb[DATA_SHEET][1]] == [c.header for c in importer.columns]
        assert wb[DATA_SHEET].max_row == 1
    wb = openpyxl.load_workbook(io.BytesIO(build_template(AgreementImporter())))
    lists = [dv.formula1 for dv in wb[DATA_SHEET].data_validations.dataValidation]
    assert any("县—县" in f for f in lists)
    empty = run_import(AgreementImporter(), users["national"], build_template(AgreementImporter()))
    assert "no rows" in empty.errors[0].reason

    # An official copies the example block from 说明 (with its 示例 marker) onto the data sheet.
    template = openpyxl.load_workbook(io.BytesIO(build_template(RegionFactImporter())))
    help_rows = list(template[HELP_SHEET].iter_rows(values_only=True))
    example = next(r for r in help_rows if r and r[0] == "示例")
    headers = help_rows[help_rows.index(example) - 1]
    result = run(RegionFactImporter(), users["national"], list(headers), [list(example)])
    assert problems(result) == {(2, "")} and "example row" in result.errors[0].reason


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
