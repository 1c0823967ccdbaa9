"""The Excel import pages: list, run, dry run and report; readers refused, key assistance
national only.
"""
import io

import openpyxl
import pytest
from django.utils import translation

from tests.support import xlsx
from xiezuo.core.models import AuditEntry
from xiezuo.regions.models import Region, RegionFact

pytestmark = pytest.mark.django_db

FACT_HEADERS = ["地区代码", "年度", "人口（人）", "农村居民人均可支配收入（元）", "第一产业占比（%）", "第二产业占比（%）", "第三产业占比（%）"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


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
