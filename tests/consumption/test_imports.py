"""Excel imports of products and purchases: the template, all or nothing, every bad row named."""
import io

import openpyxl
import pytest
from django.urls import reverse

from tests.support import counts, problems, reason, run
from xiezuo.consumption.importers import ProductImporter, PurchaseImporter
from xiezuo.consumption.models import Product, Purchase
from xiezuo.core.importing import build_template

pytestmark = pytest.mark.django_db
P_HEADERS = ["买方", "买方地区代码", "产品编号", "金额（元）", "购买日期", "渠道", "渠道名称", "凭证号"]


def test_templates_name_the_columns():
    for importer in (ProductImporter(), PurchaseImporter()):
        wb = openpyxl.load_workbook(io.BytesIO(build_template(importer)))
        headers = [c.value for c in next(wb.worksheets[0].iter_rows(max_row=1))]
        assert [h.rstrip("*") for h in headers if h] == [c.header for c in importer.columns]


def test_purchases_import_all_or_nothing_with_every_bad_row_named(users, cw, today, english):
    day = today.isoformat()
    good = ["鄞州区总工会", "330212", cw["potato"].pk, "1,280.50", day, "展销会", "甬上农博会", "IMP-1"]
    rows = [good,
            ["鄞州区总工会", "330212", cw["potato"].pk, "-3", day, "展销会", "", "IMP-2"],   # negative amount
            ["无名买方", "330212", 999999, "10", day, "电商", "", "IMP-3"],                 # buyer, product
            ["鄞州区总工会", "330212", cw["potato"].pk, "10", day, "电商", "", "IMP-1"],     # same evidence as row 2
            ["鄞州区总工会", "330212", cw["potato"].pk, "10", "2099-01-01", "电商", "", "IMP-5"],  # future
            ["鄞州区总工会", "330212", cw["potato"].pk, "10", day, "卫星", "", "IMP-6"]]  # no such channel
    result = run(PurchaseImporter(), users["east_office"], P_HEADERS, rows)
    assert not result.ok and Purchase.objects.count() == 0
    got = problems(result)
    assert (3, "金额（元）") in got and (4, "买方") in got and (4, "产品编号") in got
    assert (5, "凭证号") in got and (6, "购买日期") in got and (7, "渠道") in got
    result = run(PurchaseImporter(), users["east_office"], P_HEADERS, [good, ["鄞州区总工会", "330212", cw["chicken"].pk, "20", day, "电子商务",
                                                                               "", "IMP-1"]])
    assert result.ok and counts(result) == (2, 0, 0)
    assert Purchase.objects.get(evidence_number="IMP-1", product=cw["potato"]).amount_fen == 1_280_50
    again = run(PurchaseImporter(), users["county_office"], P_HEADERS, [["鄞州区总工会", "330212", cw["potato"].pk, "5", day, "线上平台", "",
                                                                           "IMP-1"]])
    assert "would count the same purchase twice" in reason(again, 2, "凭证号") and Purchase.objects.count() == 2


def test_products_import_and_scope(users, cw, english):
    headers = ["产品名称", "品类", "供应商", "产地县代码"]
    rows = [["苦荞茶", "茶", cw["supplier"].name, "513436"], ["花椒", "调料", cw["supplier"].name, "330212"]]
    result = run(ProductImporter(), users["county_office"], headers, rows)
    assert not result.ok and (3, "产地县代码") in problems(result) and not Product.objects.filter(name="苦荞茶").exists()
    result = run(ProductImporter(), users["county_office"], headers, rows[:1])
    assert result.ok and Product.objects.filter(name="苦荞茶").exists()
    refused = run(ProductImporter(), users["east_office"], headers, [["核桃", "", cw["supplier"].name, "513436"]])
    assert not refused.ok and not Product.objects.filter(name="核桃").exists()


def test_roundtrip_export_of_purchases(client_as, users, cw, today):
    from xiezuo.consumption import actions

    actions.record_purchase(users["east_office"], buyer=cw["union"], product=cw["potato"], amount_fen=99_00, purchased_on=today,
                            channel="store", evidence_number="RT-1")
    r = client_as("east_office").get(reverse("consumption-purchase-list"), {"format": "import-consumption-purchases"})
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert any("RT-1" in [str(v) for v in row] for row in values)
