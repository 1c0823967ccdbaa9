"""The audit log reads as an official reads: each entry names its object and the kind of
object in words, changed fields by their labels, values as words (choices by label, money in
元, times in Beijing time), on the page and in its export; personal data stays out."""
import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from xiezuo.core.models import AuditEntry
from xiezuo.pairings.models import Pairing
from xiezuo.projects.actions import create_project, record_output, transition
from xiezuo.regions.models import Region
from tests.support import org_post
from tests.support import objs  # noqa: F401 (fixtures, defined once)

pytestmark = pytest.mark.django_db


def cells(html, testid):
    return [re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(rf'data-testid="{testid}"[^>]*>(.*?)</span>', html, re.S)]


@pytest.fixture
def project(users):
    today = timezone.localdate()
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    p = create_project(users["county_office"], name="冷链仓储", category="consumption", county=Region.objects.get(code="513436"),
                       pairing=pair, planned_start=today - datetime.timedelta(days=30), planned_end=today + datetime.timedelta(days=300),
                       budget={"east_fiscal": 3_500_000_00})
    transition(users["county_office"], p, "in_progress")
    record_output(users["county_office"], p, as_of=today, jobs_created=3, local_procurement_fen=12_00, total_procurement_fen=20_00)
    return p


def test_an_entry_names_its_object_and_its_kind_in_words(client_as, objs):
    client_as("county_office").post(reverse("org-edit", args=[objs["o_in"].pk]), {**org_post(objs, "o_in"), "contact": "张老师 0834-1234567"})
    html = client_as("national").get(reverse("audit-list"), {"object_type": "orgs.organisation"}).content.decode()
    assert objs["o_in"].name in cells(html, "audit-object")
    assert set(cells(html, "audit-type")) == {"单位"}
    assert "orgs.organisation #" not in re.sub(r'title="[^"]*"', "", html)  # the code stays only in a tooltip
    assert "联系方式" in html and "张老师 0834-1234567" in html
    # the type filter offers the types in words, without their codes
    assert "单位（orgs.organisation）" not in html and ">单位</option>" in html


def test_values_read_as_words_money_in_yuan_and_times_in_beijing(client_as, project):
    html = client_as("national").get(reverse("audit-list"), {"object_type": "projects.project"}).content.decode()
    assert "状态" in html and "实施中" in html and ">in_progress<" not in html  # the status by its label
    budget = client_as("national").get(reverse("audit-list"), {"object_type": "projects.budgetline"}).content.decode()
    assert "项目预算" in cells(budget, "audit-type")
    assert "3,500,000.00元" in budget and "金额（元）" in budget and "（分）" not in budget
    assert "350000000" not in budget
    output = AuditEntry.objects.filter(object_type="projects.projectoutput").latest("id")
    recorded = datetime.datetime.fromisoformat(output.after["recorded_at"])
    page = client_as("national").get(reverse("audit-list"), {"object_type": "projects.projectoutput"}).content.decode()
    assert timezone.localtime(recorded).strftime("%Y-%m-%d %H:%M") in page
    assert output.after["recorded_at"] not in page and "+00:00" not in page  # not ISO UTC
    assert timezone.localtime(output.time).strftime("%Y-%m-%d %H:%M:%S") in cells(page, "audit-time")
    assert "周报" not in cells(page, "audit-type") and "项目产出" in cells(page, "audit-type")


def test_the_export_reads_like_the_page(client_as, project):
    response = client_as("national").get(reverse("audit-list"), {"object_type": "projects.project", "format": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert ws.title == "审计日志"
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    entry = AuditEntry.objects.filter(object_type="projects.project").latest("id")
    row = next(r for r in rows if r["对象编号"] == entry.object_id and "实施中" in r["变更内容"])
    assert row["对象类型"] == "项目" and row["对象"] == str(project)
    assert "状态: 计划 → 实施中" in row["变更内容"]
    assert isinstance(row["时间"], datetime.datetime)  # a date Excel sorts and filters, in Beijing time
    assert row["时间"] == timezone.localtime(entry.time).replace(tzinfo=None, microsecond=0) or \
        abs(row["时间"] - timezone.localtime(entry.time).replace(tzinfo=None)) < datetime.timedelta(seconds=1)


def test_an_id_number_never_reaches_the_log(client_as, users):
    """Personal data stays masked as before: a dispatch's ID number is left out of what the
    log keeps, so neither the page nor the export can show it."""
    from xiezuo.people.models import Dispatch

    assert "id_number" in Dispatch.audit_exclude
    for entry in AuditEntry.objects.filter(object_type="people.dispatch"):
        assert "id_number" not in (entry.after or {}) and "id_number" not in (entry.before or {})


def test_a_reference_the_reader_may_not_see_stays_a_number(users, project):
    """Names of referenced objects are shown only to readers who may see them."""
    from xiezuo.core.audit import AuditReader

    entry = AuditEntry.objects.filter(object_type="projects.project", action="create").latest("id")
    national = dict((key, new) for _l, key, _o, new in AuditReader(users["national"]).rows(entry))
    assert national["pairing_id"] == str(project.pairing)
    from django.contrib.auth import get_user_model
    from xiezuo.orgs.models import Organisation
    from xiezuo.users.models import Profile

    stranger = get_user_model().objects.create_user("gd_audit_reader")
    Profile.objects.create(user=stranger, role="office_admin", organisation=Organisation.objects.get(kind="office", region__code="440000"))
    other = dict((key, new) for _l, key, _o, new in AuditReader(stranger).rows(entry))
    assert other["pairing_id"] == f"#{project.pairing_id}"
