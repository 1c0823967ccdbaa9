"""Excel imports of region facts and key assistance: all-or-nothing, every problem named by
row, column and reason.

Workbooks are built in memory with openpyxl, the way an official fills in the template.
"""
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from tests.support import problems, reason, run
from xiezuo.core.importing import DATA_SHEET, run_import
from xiezuo.core.models import AuditEntry
from xiezuo.regions.importers import KeyAssistanceImporter, RegionFactImporter
from xiezuo.regions.models import Region, RegionFact

pytestmark = pytest.mark.django_db

FACT_HEADERS = ["地区代码", "年度", "人口（人）", "农村居民人均可支配收入（元）", "第一产业占比（%）", "第二产业占比（%）", "第三产业占比（%）"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


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
