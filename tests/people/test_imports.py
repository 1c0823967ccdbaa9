"""Excel imports of dispatch records: created and updated, ID numbers kept masked, the area
checked.

Workbooks are built in memory with openpyxl, the way an official fills in the template.
"""
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from tests.support import counts, problems, reason, run
from xiezuo.core.models import AuditEntry
from xiezuo.orgs.models import Organisation
from xiezuo.people.importers import DispatchImporter
from xiezuo.people.models import Dispatch
from xiezuo.users.models import Profile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def org(name):
    return Organisation.objects.get(name=name)


TODAY = timezone.localdate()
LAST_WEEK = TODAY - datetime.timedelta(days=7)


# --- dispatch records --------------------------------------------------------------------------

DISPATCH_HEADERS = ["记录编号", "姓名", "身份证号", "人员类别", "派驻方向", "派出单位", "接收单位", "计划开始日期", "计划结束日期",
                    "实际开始日期", "实际结束日期"]


def dispatch_rows():
    school_e, school_w = org("宁波市鄞州区实验中学（演示）"), org("美姑县民族中学（演示）")
    return [
        ["RC-1", "王明", "330212198805061234", "教育人才", "东部→西部", school_e.credit_code, school_w.name, "2026-03-01", "2027-02-28",
         "2026-03-05", None],
        [None, "阿伍", None, "党政干部", "西部→东部", school_w.credit_code, school_e.credit_code, "2026-04-01", "2026-09-30", None, None],
    ]


def test_dispatches_create_update_and_keep_masked_id_numbers(users):
    rows = dispatch_rows()
    result = run(DispatchImporter(), users["county_office"], DISPATCH_HEADERS, rows)
    assert result.ok, result.errors
    assert counts(result) == (2, 0, 0)
    wang = Dispatch.objects.get(client_id="RC-1")
    assert (wang.kind, wang.direction, wang.id_number) == ("education", "e2w", "330212198805061234")
    assert AuditEntry.objects.filter(object_type="people.dispatch", via="import", username="county_office").count() == 2
    assert counts(run(DispatchImporter(), users["east_office"], DISPATCH_HEADERS, rows)) == (0, 0, 2)

    importer = DispatchImporter()
    exported = [importer.export_row(d) for d in Dispatch.objects.filter(person_name__in=["王明", "阿伍"]).order_by("pk")]
    assert exported[0][2] == "330212********1234"
    assert counts(run(importer, users["county_office"], importer.export_headers(), exported)) == (0, 0, 2)
    exported[1][2] = exported[1][10] = None  # blank cells keep the recorded values
    exported[0][11] = LAST_WEEK  # 王明 came home (实际结束日期)
    result = run(importer, users["county_office"], importer.export_headers(), exported)
    assert result.ok, result.errors
    assert counts(result) == (0, 1, 1)
    wang.refresh_from_db()
    assert wang.actual_end == LAST_WEEK and wang.id_number == "330212198805061234"


def test_one_bad_dispatch_row_writes_nothing(users):
    rows = dispatch_rows()
    rows[1][8] = "2026-03-01"  # planned end before planned start
    rows.append(["RC-3", "李四", "33021219880506123", "医疗人才", "东部→西部", rows[0][5], rows[0][6], "2026-03-01", "2026-09-01",
                 None, None])
    rows.append(["RC-4", "张三", None, "医疗人才", "东部→西部", "91330281MA0000000X", rows[0][6], "2026-03-01", "2026-09-01", None, None])
    result = run(DispatchImporter(), users["county_office"], DISPATCH_HEADERS, rows)
    assert problems(result) == {(3, "计划结束日期"), (4, "身份证号"), (5, "派出单位")}
    assert "before the planned start" in reason(result, 3, "计划结束日期")
    assert "17 digits" in reason(result, 4, "身份证号")
    assert not Dispatch.objects.filter(person_name__in=["王明", "阿伍", "李四", "张三"]).exists()


def test_dispatch_between_organisations_outside_the_area_is_refused(users):
    """A Guangdong office admin sees neither school; an office admin of 余姚 sees the
    昭觉 office (its pair) but records nothing between two organisations of other areas."""
    yuyao = Organisation.objects.get(kind="office", region__code="330281")
    zhaojue = Organisation.objects.get(kind="office", region__code="513431")
    user = get_user_model().objects.create_user("yy_office", password="x")
    Profile.objects.create(user=user, role="office_admin", organisation=yuyao)
    row = ["RC-9", "赵六", None, "农业技术人才", "东部→西部", org("宁波市鄞州区实验中学（演示）").credit_code, zhaojue.credit_code,
           "2026-03-01", "2026-09-01", None, None]
    result = run(DispatchImporter(), user, DISPATCH_HEADERS, [row])
    assert problems(result) == {(2, "派出单位")}
    assert "no organisation you can see" in reason(result, 2, "派出单位")
    ok = run(DispatchImporter(), user, DISPATCH_HEADERS, [row[:5] + [yuyao.credit_code] + row[6:]])
    assert ok.ok and counts(ok) == (1, 0, 0)
    national_record = run(DispatchImporter(), users["national"], DISPATCH_HEADERS,
                          [["RC-10"] + row[1:5] + [org("宁波市第一医院（演示）").credit_code, org("凉山州第一人民医院（演示）").credit_code]
                           + row[7:]])
    assert national_record.ok
    # record numbers are each organisation's own: the national office's RC-10 is neither reached nor named
    own = run(DispatchImporter(), user, DISPATCH_HEADERS, [["RC-10", "赵七"] + row[2:5] + [yuyao.credit_code] + row[6:]])
    assert own.ok and counts(own) == (1, 0, 0)
    assert Dispatch.objects.filter(client_id="RC-10").count() == 2
