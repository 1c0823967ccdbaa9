"""The county's household spreadsheet: all-or-nothing, every bad row named (check digit,
duplicates inside the file and against the registry, village out of area), masked output."""
import io

import pytest

from tests.support import xlsx
from xiezuo.core.importing import run_import
from xiezuo.households.importers import HouseholdImporter
from xiezuo.households.models import Household, Member

from .helpers import household, id_number, village

HEADERS = ["户编号", "村代码", "与户主关系", "姓名", "身份证号", "联系电话", "健康状况", "家庭住址", "脱贫户", "住房安全", "饮水安全"]


def row(number, relation, name, idn, v="513436101201"):
    return [number, v, relation, name, idn, "13800001234", "健康", "拉木村1组", "是", "是", "否"]


def run(user, rows):
    return run_import(HouseholdImporter(), user, io.BytesIO(xlsx(HEADERS, rows)))


@pytest.mark.django_db
def test_a_good_file_creates_households_with_members(users):
    village()
    result = run(users["county_office"], [row("A1", "户主", "阿依拉且", id_number()), row("A1", "配偶", "吉克阿呷", id_number()),
                                           row("A2", "户主", "沙马石者", id_number())])
    assert result.ok, result.errors
    assert Household.objects.filter(number__in=["A1", "A2"]).count() == 2
    a1 = Household.objects.get(number="A1")
    assert a1.size == 2 and not a1.water_safe


@pytest.mark.django_db
def test_every_bad_row_is_named_and_nothing_is_written(users):
    village()
    registered = household(users["county_office"], members=1, number="OLD").members.get()
    twice = id_number()
    bad_digit = id_number()[:17] + "0"
    if bad_digit == id_number()[:17]:
        pass
    good = id_number()
    wrong = good[:17] + ("1" if good[17] != "1" else "2")
    result = run(users["county_office"], [
        row("B1", "户主", "甲", twice),
        row("B1", "子女", "乙", twice),  # repeated in the file
        row("B2", "户主", "丙", wrong),  # check digit
        row("B3", "户主", "丁", registered.id_number),  # already in the registry
        row("B4", "户主", "戊", id_number(), v="520102001001"),  # not a village of the area
    ])
    assert not result.ok
    by_row = {(e.row, e.column) for e in result.errors}
    assert (3, "身份证号") in by_row and (4, "身份证号") in by_row and (5, "身份证号") in by_row and (6, "村代码") in by_row
    text = " ".join(e.reason for e in result.errors)
    assert "OLD" in text and registered.id_number not in text
    assert not Household.objects.filter(number__startswith="B").exists()
    assert Member.objects.count() == 1


@pytest.mark.django_db
def test_only_the_county_side_imports(users):
    village()
    result = run(users["east_office"], [row("C1", "户主", "甲", id_number())])
    assert not result.ok and not Household.objects.filter(number="C1").exists()
