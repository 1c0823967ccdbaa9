"""Excel imports: all-or-nothing, every problem named by row, column and reason.

Workbooks are built in memory with openpyxl, the way an official fills in the template.
"""
import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from xiezuo.core.importing import DATA_SHEET, HELP_SHEET, build_template, run_import
from xiezuo.core.models import AuditEntry
from xiezuo.orgs.credit_code import make_credit_code
from xiezuo.orgs.importers import OrganisationImporter
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.importers import AgreementImporter, PairingImporter
from xiezuo.pairings.models import Agreement, Pairing, PairingChange
from xiezuo.regions.importers import KeyAssistanceImporter, RegionFactImporter
from xiezuo.regions.models import Region, RegionFact
from xiezuo.web.imports import IMPORTERS

pytestmark = pytest.mark.django_db
D = datetime.date

FACT_HEADERS = ["地区代码", "年度", "人口（人）", "农村居民人均可支配收入（元）", "第一产业占比（%）", "第二产业占比（%）", "第三产业占比（%）"]
AGREEMENT_HEADERS = ["结对类型", "东部地区代码", "西部地区代码", "年度", "财政援助资金（元）", "选派党政干部（人）", "消费帮扶（元）", "签订日期"]
ORG_HEADERS = ["单位名称", "单位类型", "所在地区代码", "统一社会信用代码"]
PAIRING_HEADERS = ["结对类型", "东部地区代码", "西部地区代码", "起始日期", "终止日期", "调整原因"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


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


def audit_count():
    return AuditEntry.objects.count()


# --- region facts -------------------------------------------------------------------------


def test_a_good_facts_file_imports_every_row_with_audit_entries_via_import(users):
    rows = [
        ["513436", 2026, 290000, 16000, 18.5, 36.2, 45.3],
        [513431, "2026", "301,000", "15800", "20", "30", "50"],  # numbers typed as text, codes as numbers
        ["510000", 2025, None, 18000, None, None, None],  # a recorded year: only the given figure changes
    ]
    before = RegionFact.objects.get(region__code="510000", year=2025)
    result = run(RegionFactImporter(), users["national"], FACT_HEADERS, rows)
    assert result.ok, result.errors
    assert (result.rows, result.counts["created"], result.counts["updated"]) == (3, 2, 1)
    fact = RegionFact.objects.get(region__code="513436", year=2026)
    assert (fact.population, fact.rural_income_yuan, fact.primary_share) == (290000, 16000, Decimal("18.50"))
    assert RegionFact.objects.get(region__code="513431", year=2026).population == 301000
    after = RegionFact.objects.get(region__code="510000", year=2025)
    assert after.rural_income_yuan == 18000 and after.population == before.population
    entries = AuditEntry.objects.filter(object_type="regions.regionfact", via="import", username="national")
    assert entries.count() == 3


def test_one_bad_row_among_good_ones_writes_nothing_and_names_row_column_reason(users):
    rows = [
        ["513436", 2026, 290000, 16000, None, None, None],
        ["513431", 2026, -5, 15800, None, None, None],
        ["513429", 2026, 100, 15000, None, None, None],
    ]
    count = audit_count()
    result = run(RegionFactImporter(), users["national"], FACT_HEADERS, rows)
    assert not result.ok
    assert problems(result) == {(3, "人口（人）")}
    assert "negative" in reason(result, 3, "人口（人）")
    assert not RegionFact.objects.filter(year=2026).exists()
    assert audit_count() == count


def test_an_error_raised_by_the_action_rolls_back_rows_already_written(users):
    # Shares that do not add up to 100 are refused by save_region_fact itself, after row 2 was written.
    rows = [["513436", 2026, 290000, 16000, None, None, None], ["513431", 2026, 1, 1, 50, 30, 30]]
    result = run(RegionFactImporter(), users["national"], FACT_HEADERS, rows)
    assert problems(result) == {(3, "第三产业占比（%）")}
    assert "100" in reason(result, 3, "第三产业占比（%）")
    assert not RegionFact.objects.filter(year=2026).exists()
    assert result.counts["created"] == 0


def test_unknown_and_malformed_codes_and_a_name_that_does_not_match(users):
    headers = ["地区代码", "地区名称", "年度", "人口（人）"]
    rows = [["999999", None, 2026, 1], ["51343", None, 2026, 1], ["513436", "昭觉县", 2026, 1], ["513436000000", "美姑县", 2026, 1]]
    result = run(RegionFactImporter(), users["national"], headers, rows)
    assert problems(result) == {(2, "地区代码"), (3, "地区代码"), (4, "地区名称")}
    assert "no region has the code 999999" in reason(result, 2, "地区代码")
    assert "six-digit" in reason(result, 3, "地区代码")
    assert "美姑县" in reason(result, 4, "地区名称")


def test_county_office_importing_facts_outside_its_county_is_refused_for_that_row(users):
    rows = [["513436", 2026, 290000, 16000, None, None, None], ["513431", 2026, 1000, 15000, None, None, None]]
    result = run(RegionFactImporter(), users["county_office"], FACT_HEADERS, rows)
    assert problems(result) == {(3, "地区代码")}
    assert "may not change the facts" in reason(result, 3, "地区代码")
    assert not RegionFact.objects.filter(year=2026).exists()
    ok = run(RegionFactImporter(), users["county_office"], FACT_HEADERS, rows[:1])
    assert ok.ok and RegionFact.objects.filter(region__code="513436", year=2026).exists()
    assert AuditEntry.objects.filter(object_type="regions.regionfact", via="import", username="county_office").count() == 1


def test_duplicate_rows_are_an_error_for_the_second(users):
    rows = [["513436", 2026, 1, 1, None, None, None], ["513431", 2026, 1, 1, None, None, None], ["513436", 2026, 2, 2, None, None, None]]
    result = run(RegionFactImporter(), users["national"], FACT_HEADERS, rows)
    assert problems(result) == {(4, "地区代码")}
    assert "repeats row 2" in reason(result, 4, "地区代码")


def test_percentage_formatted_cells_are_read_as_percentages(users):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws.append(["地区代码", "年度", "第一产业占比（%）", "第二产业占比（%）", "第三产业占比（%）"])
    ws.append(["513436", 2026, 0.185, 0.362, 0.453])
    for cell in ws[2][2:]:
        cell.number_format = "0.0%"
    buf = io.BytesIO()
    wb.save(buf)
    result = run_import(RegionFactImporter(), users["national"], buf.getvalue())
    assert result.ok, result.errors
    assert RegionFact.objects.get(region__code="513436", year=2026).primary_share == Decimal("18.50")


def test_dry_run_checks_everything_and_writes_nothing(users):
    rows = [["513436", 2026, 290000, 16000, None, None, None]]
    count = audit_count()
    result = run(RegionFactImporter(), users["national"], FACT_HEADERS, rows, dry_run=True)
    assert result.ok and result.dry_run and result.counts["created"] == 1 and not result.written
    assert not RegionFact.objects.filter(year=2026).exists()
    assert audit_count() == count
    # the actions run in the dry run too, so their refusals are reported
    refused = run(RegionFactImporter(), users["county_office"], FACT_HEADERS, [["513431", 2026, 1, 1, None, None, None]], dry_run=True)
    assert problems(refused) == {(2, "地区代码")}


# --- key assistance -------------------------------------------------------------------------


def test_key_assistance_is_national_only_and_checks_each_county(users):
    headers = ["县级代码", "县名称", "国家乡村振兴重点帮扶县"]
    for name in ("west_office", "county_office", "viewer", "auditor"):
        with pytest.raises(Exception) as exc:
            run(KeyAssistanceImporter(), users[name], headers, [["513432", None, "是"]])
        assert exc.typename == "PermissionDenied"
    result = run(KeyAssistanceImporter(), users["national"], headers, [["513432", "喜德县", "是"], ["513436", None, "否"]])
    assert result.ok, result.errors
    assert Region.objects.get(code="513432").key_assistance and not Region.objects.get(code="513436").key_assistance
    assert AuditEntry.objects.filter(object_type="regions.region", via="import", object_id=str(Region.objects.get(code="513432").pk)).exists()

    bad = run(KeyAssistanceImporter(), users["national"], headers,
              [["510000", None, "是"], ["330203", None, "是"], ["513401", None, "maybe"], ["513431", None, "否"]])
    assert problems(bad) == {(2, "县级代码"), (3, "县级代码"), (4, "国家乡村振兴重点帮扶县")}
    assert "not a county" in reason(bad, 2, "县级代码")
    assert "western" in reason(bad, 3, "县级代码")
    assert Region.objects.get(code="513431").key_assistance  # row 5 was fine but nothing was written


# --- organisations --------------------------------------------------------------------------


def test_organisations_create_and_update_with_checked_credit_codes(users):
    code = make_credit_code("91513436MA6X0001A")
    existing = Organisation.objects.get(name="美姑县民族中学（演示）")
    rows = [["美姑县农民专业合作社联合社", "企业", "513436", code], [existing.name, "学校", "513436", None]]
    result = run(OrganisationImporter(), users["county_office"], ORG_HEADERS, rows)
    assert result.ok, result.errors
    assert (result.counts["created"], result.counts["unchanged"]) == (1, 1)
    org = Organisation.objects.get(credit_code=code)
    assert (org.name, org.kind, org.region.code) == ("美姑县农民专业合作社联合社", "enterprise", "513436")
    assert AuditEntry.objects.filter(object_type="orgs.organisation", object_id=str(org.pk), via="import").exists()

    renamed = run(OrganisationImporter(), users["county_office"], ORG_HEADERS, [["美姑县农民合作社联合社", "企业", "513436", code]])
    assert renamed.counts["updated"] == 1
    assert Organisation.objects.get(credit_code=code).name == "美姑县农民合作社联合社"


def test_organisation_errors_wrong_check_character_kind_scope_and_repeats(users):
    good = make_credit_code("91513436MA6X0002B")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [
        ["甲公司", "企业", "513436", good],
        ["乙公司", "企业", "513436", wrong],
        ["丙公司", "工厂", "513436", None],
        ["丁公司", "企业", "513431", None],  # outside 美姑县
        ["戊公司", "企业", "513436", good],  # same credit code as row 2
    ]
    result = run(OrganisationImporter(), users["county_office"], ORG_HEADERS, rows)
    assert problems(result) == {(3, "统一社会信用代码"), (4, "单位类型"), (5, "所在地区代码"), (6, "统一社会信用代码")}
    assert "wrong check character" in reason(result, 3, "统一社会信用代码")
    assert "is not one of" in reason(result, 4, "单位类型")
    assert "repeats row 2" in reason(result, 6, "统一社会信用代码")
    assert not Organisation.objects.filter(name="甲公司").exists()


# --- pairings -------------------------------------------------------------------------------


def test_pairings_create_end_and_refuse_overlaps(users):
    existing = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    rows = [
        ["县—县", "330203", "513432", "2025-01-01", None, "浙川协作新增结对"],
        ["county", 330281, 513431, datetime.datetime(2021, 1, 1), "2026-12-31", "调整为新结对"],  # ends a recorded pairing
    ]
    result = run(PairingImporter(), users["national"], PAIRING_HEADERS, rows)
    assert result.ok, result.errors
    assert (result.counts["created"], result.counts["updated"]) == (1, 1)
    made = Pairing.objects.get(kind="county", east_region__code="330203", west_region__code="513432")
    assert made.valid_from == D(2025, 1, 1) and made.changes.get().reason == "浙川协作新增结对"
    ended = Pairing.objects.get(kind="county", east_region__code="330281", west_region__code="513431")
    assert ended.valid_to == D(2026, 12, 31)
    assert PairingChange.objects.filter(pairing=ended, kind="ended", reason="调整为新结对").exists()
    assert AuditEntry.objects.filter(object_type="pairings.pairing", object_id=str(made.pk), via="import").exists()

    bad = run(PairingImporter(), users["national"], PAIRING_HEADERS, [
        ["县—县", "330212", "513436", "2024-01-01", None, None],  # overlaps the recorded pairing
        ["县—县", "330203", "513432", "2025-01-01", "2030-01-01", None],  # changes a pairing without a reason
        ["县—县", "330203", "513401", "2024-01-01", None, None],
        ["县—县", "330203", "513401", "2024-01-01", None, None],  # the same row twice
        ["县—县", "330203", "510000", "2024-01-01", None, None],  # wrong level
    ])
    assert problems(bad) == {(2, "起始日期"), (3, "调整原因"), (5, "起始日期"), (6, "西部地区代码")}
    assert f"#{existing.pk}" in reason(bad, 2, "起始日期")
    assert "repeats row 4" in reason(bad, 5, "起始日期")
    assert not Pairing.objects.filter(west_region__code="513401").exists()


def test_pairing_permissions_are_the_actions(users):
    rows = [["省—省", "330000", "520000", "2025-01-01", None, None]]
    result = run(PairingImporter(), users["east_office"], PAIRING_HEADERS, rows)
    assert problems(result) == {(2, "东部地区代码、西部地区代码")}
    assert "may not" in reason(result, 2, "东部地区代码、西部地区代码")


# --- agreements -----------------------------------------------------------------------------


def test_agreements_upsert_by_pairing_and_year(users):
    pairing = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    rows = [
        ["县—县", "330212", "513436", 2026, "1,234,567.89", 3, 2500000, "2026-03-20"],  # recorded: updated
        ["县—县", "330212", "513436", 2027, 6000000, None, "0.5", datetime.datetime(2027, 3, 1)],  # new
    ]
    result = run(AgreementImporter(), users["county_office"], AGREEMENT_HEADERS, rows)
    assert result.ok, result.errors
    assert (result.counts["updated"], result.counts["created"]) == (1, 1)
    a26 = Agreement.objects.get(pairing=pairing, year=2026)
    assert (a26.fiscal_aid_fen, a26.cadres, a26.consumption_fen, a26.signed_on) == (123456789, 3, 250000000, D(2026, 3, 20))
    assert a26.professionals == 20  # not in the file: kept
    a27 = Agreement.objects.get(pairing=pairing, year=2027)
    assert (a27.fiscal_aid_fen, a27.cadres, a27.consumption_fen) == (600000000, 0, 50)
    assert AuditEntry.objects.filter(object_type="pairings.agreement", via="import", username="county_office").count() == 2
    again = run(AgreementImporter(), users["county_office"], AGREEMENT_HEADERS, rows)
    assert again.ok and again.counts["unchanged"] == 2


def test_agreement_errors_money_dates_duplicates_and_unseen_pairings(users):
    rows = [
        ["县—县", "330212", "513436", 2027, "-5", None, None, None],
        ["县—县", "330212", "513436", 2028, "1.234", None, None, None],
        ["县—县", "330212", "513436", 2029, 1, None, 1, "30/06/2029"],
        ["县—县", "330212", "513436", 2030, 1, None, None, None],
        ["县—县", "330212", "513436", 2030, 2, None, None, None],
        ["县—县", "330281", "513431", 2027, 1, None, None, None],  # not the county office's pair
        ["县—县", "330212", "513436", 2019, 1, None, None, None],  # before the pairing began
    ]
    result = run(AgreementImporter(), users["county_office"], AGREEMENT_HEADERS, rows)
    pairing_cols = "结对类型、东部地区代码、西部地区代码"
    assert problems(result) == {(2, "财政援助资金（元）"), (3, "财政援助资金（元）"), (4, "签订日期"), (6, "年度"),
                                (7, pairing_cols), (8, pairing_cols)}
    assert "negative" in reason(result, 2, "财政援助资金（元）")
    assert "two decimal places" in reason(result, 3, "财政援助资金（元）")
    assert "YYYY-MM-DD" in reason(result, 4, "签订日期")
    assert "repeats row 5" in reason(result, 6, "年度")
    assert "that you can see" in reason(result, 7, pairing_cols)
    assert not Agreement.objects.filter(year__gte=2027).exists()


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


# --- pages --------------------------------------------------------------------------------------


def upload(client, kind, data, dry_run=False):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    body = {"file": SimpleUploadedFile("数据.xlsx", data)}
    if dry_run:
        body["dry_run"] = "on"
    client.cookies["django_language"] = "en"  # the language switch; pages ignore Accept-Language
    return client.post(reverse("import-run", args=[kind]), body)


def test_pages_list_run_and_report(client_as):
    from django.urls import reverse

    client = client_as("county_office")
    client.cookies["django_language"] = "en"
    index = client.get(reverse("import-index"))
    assert index.status_code == 200
    assert reverse("import-run", args=["agreements"]) in index.content.decode()
    assert reverse("import-run", args=["key-assistance"]) not in index.content.decode()
    template = client.get(reverse("import-template", args=["region-facts"]))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxmlformats")

    bad = upload(client, "region-facts", xlsx(FACT_HEADERS, [["513436", 2026, 1, 1, None, None, None], ["513431", 2026, 1, 1, None, None, None]]))
    page = bad.content.decode()
    assert bad.status_code == 200 and "Nothing was imported" in page and "地区代码" in page
    assert not RegionFact.objects.filter(year=2026).exists()
    report = client.get(reverse("import-errors", args=["region-facts"]))
    assert report.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(report.content)).active.iter_rows(values_only=True))
    assert rows[1][:2] == (3, "地区代码") and "may not change" in rows[1][2]

    dry = upload(client, "region-facts", xlsx(FACT_HEADERS, [["513436", 2026, 1, 1, None, None, None]]), dry_run=True)
    assert "Dry run" in dry.content.decode() and not RegionFact.objects.filter(year=2026).exists()
    good = upload(client, "region-facts", xlsx(FACT_HEADERS, [["513436", 2026, 1, 1, None, None, None]]))
    assert "Imported 1 row" in good.content.decode()
    fact = RegionFact.objects.get(region__code="513436", year=2026)
    assert AuditEntry.objects.get(object_type="regions.regionfact", object_id=str(fact.pk)).via == "import"
    assert client.get(reverse("import-errors", args=["region-facts"])).status_code == 404  # the last run had none


def test_pages_refuse_readers_and_keep_key_assistance_national(client_as):
    from django.urls import reverse

    data = xlsx(FACT_HEADERS, [["510000", 2026, 1, 1, None, None, None]])
    for name in ("viewer", "auditor"):
        client = client_as(name)
        page = client.get(reverse("import-run", args=["region-facts"]))
        assert page.status_code == 200 and b'type="file"' not in page.content
        assert upload(client, "region-facts", data).status_code == 403
    assert not RegionFact.objects.filter(year=2026).exists()

    ka = xlsx(["县级代码", "国家乡村振兴重点帮扶县"], [["513432", "是"]])
    west = client_as("west_office")
    assert west.get(reverse("import-run", args=["key-assistance"])).status_code == 403
    assert upload(west, "key-assistance", ka).status_code == 403
    assert client_as("west_office").get(reverse("import-run", args=["no-such-thing"])).status_code == 404
    national = client_as("national")
    assert reverse("import-run", args=["key-assistance"]) in national.get(reverse("import-index")).content.decode()
    assert "Imported 1 row" in upload(national, "key-assistance", ka).content.decode()
    assert Region.objects.get(code="513432").key_assistance
    assert client_as(None).get(reverse("import-index")).status_code == 302
