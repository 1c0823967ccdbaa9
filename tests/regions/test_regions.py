"""The GB/T 2260 tree and the tier classifications, loaded from real data."""
import pytest

from xiezuo.regions.loader import load_former_poverty, load_tree
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db


def test_tree_has_every_level_and_no_junk_rows():
    assert Region.objects.filter(level="province").count() == 34
    assert not Region.objects.filter(code__startswith="99").exists()
    assert Region.objects.get(code="510000").name == "四川省"
    assert Region.objects.get(code="513436").parent.code == "513400"


def test_county_level_units_directly_under_a_province_get_the_province_as_parent():
    jiyuan = Region.objects.get(code="419001")
    assert jiyuan.level == "county"
    assert jiyuan.parent.code == "410000"
    assert jiyuan.prefix == "419001"


def test_eight_east_and_ten_west_provinces():
    east = set(Region.objects.filter(level="province", role="east").values_list("name", flat=True))
    west = set(Region.objects.filter(level="province", role="west").values_list("name", flat=True))
    assert len(east) == 8 and "浙江省" in east
    assert len(west) == 10 and "四川省" in west
    # roles are inherited down the tree
    assert Region.objects.get(code="513436").role == "west"


def test_taiwan_hong_kong_macao_are_loaded_but_outside_cooperation():
    for code in ("710000", "810000", "820000"):
        region = Region.objects.get(code=code)
        assert region.role == "none"
        assert not region.cooperates


def test_former_poverty_counties_reported_and_matched_safely():
    report = {row.code: row for row in load_former_poverty()}
    assert len(report) == 832
    assert report["540530"].outcome == "name"  # 错那县 became 错那市 with a new code
    assert "540581" in report["540530"].matched
    assert report["130881"].outcome == "code_renamed"  # 平泉县 → 平泉市, same code
    assert report["532600"].outcome == "name"  # a prefecture code used for 文山市
    assert Region.objects.get(code="532601").former_poverty
    assert not Region.objects.get(code="532600").former_poverty
    assert Region.objects.filter(former_poverty=True).count() == sum(1 for r in report.values() if r.outcome != "unmatched")


def test_loading_again_changes_nothing():
    before = Region.objects.count()
    report = load_tree()
    assert (report.created, report.updated) == (0, 0)
    assert Region.objects.count() == before
