"""Excel imports of pairings and agreements: created, ended, upserted by pairing and year;
overlaps, money, dates and unseen pairings refused.

Workbooks are built in memory with openpyxl, the way an official fills in the template.
"""
import datetime

import pytest
from django.utils import translation

from tests.support import problems, reason, run
from xiezuo.core.models import AuditEntry
from xiezuo.pairings.importers import AgreementImporter, PairingImporter
from xiezuo.pairings.models import Agreement, Pairing, PairingChange

pytestmark = pytest.mark.django_db
D = datetime.date

AGREEMENT_HEADERS = ["结对类型", "东部地区代码", "西部地区代码", "年度", "财政援助资金（元）", "选派党政干部（人）", "消费帮扶（元）", "签订日期"]
PAIRING_HEADERS = ["结对类型", "东部地区代码", "西部地区代码", "起始日期", "终止日期", "调整原因"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


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
