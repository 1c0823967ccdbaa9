"""Excel imports of technologies, needs and land-quota listings: the template names the
columns, a file is imported all or nothing, every bad row is named with its row, column and
reason, and who may import what follows the actions' rules."""
import io

import openpyxl
import pytest

from tests.support import counts, problems, reason, run
from xiezuo.core.importing import build_template
from xiezuo.markets.importers import ListingImporter, NeedImporter, TechnologyImporter
from xiezuo.markets.models import QuotaListing, TechNeed, Technology
from xiezuo.orgs.models import Organisation
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db
T_HEADERS = ["编号", "类型", "名称", "摘要", "IPC分类号", "权利人", "许可条件"]
N_HEADERS = ["县级代码", "需求名称", "问题描述", "行业", "IPC分类号", "需求单位"]
L_HEADERS = ["县级代码", "地类", "面积（亩）", "土地整治项目", "批准文号", "省级确认", "挂牌日期", "出让单位"]


@pytest.fixture
def zju(db):
    return Organisation.objects.create(name="浙江大学（测试）", kind="enterprise", region=Region.objects.get(code="330106"))


def test_templates_name_the_columns():
    for importer in (TechnologyImporter(), NeedImporter(), ListingImporter()):
        wb = openpyxl.load_workbook(io.BytesIO(build_template(importer)))
        headers = [c.value for c in next(wb.worksheets[0].iter_rows(max_row=1))]
        assert [h.rstrip("*") for h in headers if h] == [c.header for c in importer.columns]


def test_technologies_all_or_nothing_with_every_bad_row_named(users, zju, english):
    good = ["ZL202110001234.5", "专利", "高原马铃薯脱毒种薯快繁技术", "茎尖脱毒 雾培快繁", "A01H 4/00", zju.name, "普通许可"]
    rows = [good,
            ["ZL2", "专利", "", "", "", zju.name, ""],                         # row 3: no title
            ["ZL3", "图纸", "光伏提灌", "", "F04B 17/00", zju.name, ""],        # row 4: no such kind
            ["ZL4", "技术", "光伏提灌", "", "not-ipc", zju.name, ""],           # row 5: bad IPC (the action's rule)
            ["ZL5", "技术", "光伏提灌", "", "", "无名大学", ""],                # row 6: unknown owner
            ["ZL202110001234.5", "专利", "重复", "", "", zju.name, ""],          # row 7: repeats row 2
            ["ZL7", "技术", "彝族刺绣数字化", "", "", "美姑县东西部协作办公室", ""]]  # row 8: a western owner
    result = run(TechnologyImporter(), users["east_office"], T_HEADERS, rows)
    assert not result.ok and Technology.objects.count() == 0
    got = problems(result)
    assert {(3, "名称"), (4, "类型"), (5, "IPC分类号"), (6, "权利人"), (7, "编号"), (8, "权利人")} <= got
    assert "IPC" in reason(result, 5, "IPC分类号") and "repeats row 2" in reason(result, 7, "编号")
    result = run(TechnologyImporter(), users["east_office"], T_HEADERS, [good])
    assert result.ok and counts(result) == (1, 0, 0)
    t = Technology.objects.get(number="ZL202110001234.5")
    assert t.ipc == "A01H 4/00" and "马铃薯" in t.tokens
    again = run(TechnologyImporter(), users["east_office"], T_HEADERS, [good[:2] + ["高原马铃薯脱毒种薯快繁新技术"] + good[3:], good[:1] + [
        "技术", "光伏提灌"] + good[3:4] + ["", zju.name, ""]])
    assert not again.ok and (3, "编号") in problems(again)  # the same number twice in one file
    again = run(TechnologyImporter(), users["east_office"], T_HEADERS, [good[:2] + ["高原马铃薯脱毒种薯快繁新技术"] + good[3:]])
    assert again.ok and counts(again) == (0, 1, 0)
    assert run(TechnologyImporter(), users["east_office"], T_HEADERS, [good[:2] + ["高原马铃薯脱毒种薯快繁新技术"] + good[3:]]).counts[
        "unchanged"] == 1


def test_only_the_owners_side_imports_technologies(users, zju):
    assert not TechnologyImporter().allowed(users["county_office"]) and TechnologyImporter().allowed(users["east_office"])
    assert not TechnologyImporter().allowed(users["viewer"])
    assert NeedImporter().allowed(users["county_office"]) and not NeedImporter().allowed(users["east_office"])


def test_needs_all_or_nothing_and_scoped(users, english):
    good = ["513436", "马铃薯种薯退化", "高寒山区种薯退化严重", "种植业", "A01H", ""]
    rows = [good,
            ["330212", "光伏提灌", "山区缺水", "", "", ""],                        # row 3: not a western county
            ["513436", "花椒烘干", "", "", "", ""],                               # row 4: no problem
            ["513431", "肉牛养殖", "品种改良", "畜牧业", "", ""],                    # row 5: 昭觉 is not 美姑's to post
            ["513436", "马铃薯种薯退化", "重复", "", "", ""]]                        # row 6: repeats row 2
    result = run(NeedImporter(), users["county_office"], N_HEADERS, rows)
    assert not result.ok and TechNeed.objects.filter(title__in=["马铃薯种薯退化", "光伏提灌", "肉牛养殖"]).count() == 0
    got = problems(result)
    assert {(3, "县级代码"), (4, "问题描述"), (5, "县级代码"), (6, "需求名称")} <= got
    result = run(NeedImporter(), users["county_office"], N_HEADERS, [good])
    assert result.ok and counts(result) == (1, 0, 0)
    need = TechNeed.objects.get(title="马铃薯种薯退化")
    assert need.county.code == "513436" and need.requester.region.code == "513436"
    updated = run(NeedImporter(), users["county_office"], N_HEADERS, [good[:2] + ["种薯退化，产量低"] + good[3:]])
    assert updated.ok and counts(updated) == (0, 1, 0)


def test_land_listings_all_or_nothing(users, english):
    good = ["513436", "耕地", "12.3456", "洒库乡土地整治项目", "川自然资〔2026〕12号", "四川省自然资源厅确认书", "", ""]
    rows = [good,
            ["513436", "耕地", "-3", "p", "d", "c", "", ""],        # row 3: negative area
            ["513436", "耕地", "1.23456", "p", "d", "c", "", ""],   # row 4: five decimals
            ["513436", "林地", "1", "p", "d", "c", "", ""],         # row 5: no such class
            ["513436", "水田", "1", "p", "d", "c", "2099-01-01", ""]]  # row 6: listed in the future
    before = QuotaListing.objects.count()
    result = run(ListingImporter(), users["county_office"], L_HEADERS, rows)
    assert not result.ok and QuotaListing.objects.count() == before
    assert {(3, "面积（亩）"), (4, "面积（亩）"), (5, "地类"), (6, "挂牌日期")} <= problems(result)
    result = run(ListingImporter(), users["county_office"], L_HEADERS, [good, good])
    assert result.ok and counts(result) == (2, 0, 0)
    assert QuotaListing.objects.filter(county__code="513436", area_u=123_456).count() >= 2


def test_import_pages(client_as, users):
    from django.urls import reverse

    east, county = client_as("east_office"), client_as("county_office")
    assert east.get(reverse("import-run", args=["markets-technologies"])).status_code == 200
    assert east.get(reverse("import-template", args=["markets-technologies"])).status_code == 200
    assert county.get(reverse("import-template", args=["markets-needs"])).status_code == 200
    # listed for every reader, run only by those the actions allow
    assert county.post(reverse("import-run", args=["markets-technologies"]), {}).status_code == 403
    assert east.post(reverse("import-run", args=["markets-land-listings"]), {}).status_code == 403
    index = county.get(reverse("import-index")).content.decode()
    assert "markets-needs" in index and "markets-land-listings" in index
