"""Excel imports of organisations: checked credit codes, kinds, scope and repeats.

Workbooks are built in memory with openpyxl, the way an official fills in the template.
"""

import pytest
from django.utils import translation

from tests.support import problems, reason, run
from xiezuo.core.models import AuditEntry
from xiezuo.orgs.credit_code import make_credit_code
from xiezuo.orgs.importers import OrganisationImporter
from xiezuo.orgs.models import Organisation

pytestmark = pytest.mark.django_db

ORG_HEADERS = ["单位名称", "单位类型", "所在地区代码", "统一社会信用代码"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


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
