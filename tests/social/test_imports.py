"""Excel import of needs: all or nothing, every bad row named."""
import pytest

from tests.support import counts, problems, run
from xiezuo.social.importers import NeedImporter
from xiezuo.social.models import Need

pytestmark = pytest.mark.django_db
HEADERS = ["县级代码", "村", "类别", "需求描述", "预算（元）", "受益人数", "挂职干部记录编号"]


def test_needs_import(users, sw, english):
    cadre = sw["cadre"].pk
    rows = [["513436", "依果觉乡", "医疗救助", "村卫生室缺少血压计和药品柜", "8000", "300", cadre],
            ["513436", "", "吃饭", "联系 13812345678", "-1", "0", 999999],
            ["330212", "某村", "技能培训", "电工培训", "1000", "20", cadre]]
    result = run(NeedImporter(), users["county_office"], HEADERS, rows)
    assert not result.ok and Need.objects.count() == 1  # only the fixture's
    got = problems(result)
    assert {(3, "村"), (3, "类别"), (3, "预算（元）")} <= got  # parse errors first: the row is named, its look-ups wait
    assert (4, "县级代码") in got
    result = run(NeedImporter(), users["county_office"], HEADERS, rows[:1])
    assert result.ok and counts(result) == (1, 0, 0)
    refused = run(NeedImporter(), users["east_office"], HEADERS, rows[:1])
    assert not refused.ok
