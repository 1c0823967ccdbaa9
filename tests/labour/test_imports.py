"""Excel imports of workers, jobs, placements and checks: all or nothing, every bad row named."""
import datetime

import pytest
from django.utils import timezone

from tests.labour.conftest import idn
from tests.support import counts, problems, reason, run
from xiezuo.core.importing import IMPORTERS
from xiezuo.labour.models import Job, Placement, RetentionCheck, Worker

pytestmark = pytest.mark.django_db

W = ["登记县代码", "姓名", "身份证号", "手机号", "家庭类别", "技能", "意向就业地", "期望月薪（元）"]


def test_workers_import_all_or_nothing_naming_every_bad_row(users, worker, english):
    bad_digit = idn(71)[:17] + ("0" if idn(71)[17] != "0" else "1")
    rows = [
        ["513436", "甲", idn(73), "13900000001", "脱贫人口", "电工、焊工", "浙江、广东", 4000],  # row 2: good
        ["513436", "乙", bad_digit, "", "监测对象", "", "", ""],  # row 3: check digit
        ["513436", "丙", idn(73), "", "其他", "", "", ""],  # row 4: same number as row 2
        ["513436", "丁", idn(11), "", "其他", "", "", ""],  # row 5: already registered in the county
        ["513436", "戊", idn(75), "", "其他", "飞行", "火星", ""],  # row 6: unknown skill and place
        ["513436", "己", idn(77)[:6] + "********" + idn(77)[-4:], "", "其他", "", "", ""],  # row 7: masked
    ]
    result = run(IMPORTERS["labour-workers"], users["county_office"], W, rows)
    assert problems(result) == {(3, "身份证号"), (4, "身份证号"), (5, "身份证号"), (6, "技能"), (6, "意向就业地"), (7, "身份证号")}
    assert "check digit" in reason(result, 3, "身份证号")
    assert "row 2" in reason(result, 4, "身份证号") or "2" in reason(result, 4, "身份证号")
    assert f"worker #{worker.pk}" in reason(result, 5, "身份证号")
    assert not Worker.objects.filter(name__in=["甲", "乙"]).exists()


def test_workers_import_writes_all(users, english):
    rows = [["513436", f"工{i}", idn(101 + 2 * i), "", "脱贫人口", "普工", "浙江", 4500] for i in range(30)]
    result = run(IMPORTERS["labour-workers"], users["county_office"], W, rows)
    assert result.ok and counts(result) == (30, 0, 0)
    w = Worker.objects.get(name="工0")
    assert w.id_number == idn(101) and w.preferred_provinces == "33" and w.skill_list == ["普工"]


def test_workers_import_refused_outside_own_area(users, english):
    rows = [["520111", "甲", idn(81, "520111"), "", "其他", "", "", ""]]
    result = run(IMPORTERS["labour-workers"], users["county_office"], W, rows)
    assert problems(result) == {(2, "登记县代码")}


def test_jobs_placements_checks_import(users, worker, employer, english):
    jobs = run(IMPORTERS["labour-jobs"], users["east_office"],
               ["用工单位", "岗位名称", "工作地县级代码", "招聘人数", "月薪下限（元）", "月薪上限（元）", "技能要求", "提供住宿", "职业编码"],
               [[employer.name, "装配工", "330212", 10, 5000, 6000, "电子装配", "是", "6-25-04-01"],
                [employer.name, "坏岗位", "330212", 10, 7000, 6000, "", "否", ""]])
    assert problems(jobs) == {(3, "月薪上限（元）")} and not Job.objects.filter(title="装配工").exists()
    start = (timezone.localdate() - datetime.timedelta(days=120)).isoformat()
    head = ["记录编号", "身份证号", "用工单位", "就业地县级代码", "就业开始日期", "职业编码", "月工资（元）"]
    result = run(IMPORTERS["labour-placements"], users["county_office"], head,
                 [["P1", idn(11), employer.name, "330212", start, "6-25-04-01", 5800],
                  ["P2", idn(11), employer.name, "330212", start, "", 5800],
                  ["P3", idn(91), employer.name, "330212", start, "x", 5800]])
    assert problems(result) == {(3, "身份证号"), (4, "身份证号")}  # a repeated placement; a worker not registered
    result = run(IMPORTERS["labour-placements"], users["county_office"], head, [["P1", idn(11), employer.name, "330212", start, "", 5800]])
    assert result.ok
    p = Placement.objects.get(client_id="P1")
    result = run(IMPORTERS["labour-checks"], users["east_office"], ["就业记录号", "回访节点（月）", "回访日期", "是否在岗", "工资流水月数"],
                 [[p.pk, 3, timezone.localdate().isoformat(), "是", 3], [p.pk, 4, timezone.localdate().isoformat(), "是", 3]])
    assert problems(result) == {(3, "回访节点（月）")}
    result = run(IMPORTERS["labour-checks"], users["east_office"], ["就业记录号", "回访节点（月）", "回访日期", "是否在岗", "工资流水月数"],
                 [[p.pk, 3, timezone.localdate().isoformat(), "是", 3]])
    assert result.ok and RetentionCheck.objects.get(placement=p).wage_months == 3


T = ["培训县代码", "培训项目", "承诺用工单位", "承诺录用人数", "开班日期", "结业日期"]


def test_trainings_import_all_or_nothing_naming_every_bad_row(users, employer, english):
    from xiezuo.labour.models import Training

    rows = [
        ["513436", "电子装配订单班", employer.name, 40, "2026-03-02", "2026-04-30"],  # row 2: good
        ["999999", "焊工班", employer.name, 10, "2026-03-02", "2026-04-30"],  # row 3: no such county
        ["513436", "焊工班", employer.name, 10, "2026-05-02", "2026-04-30"],  # row 4: ends before it starts
        ["513436", "厨师班", "不存在的企业", 10, "2026-03-02", "2026-04-30"],  # row 5: unknown employer
        ["513436", "电子装配订单班", employer.name, 40, "2026-03-02", "2026-04-30"],  # row 6: repeats row 2
        ["330212", "保安班", employer.name, 5, "2026-03-02", "2026-04-30"],  # row 7: not a western county
        ["513436", "", employer.name, "x", "2026-02-30", ""],  # row 8: course, hires, dates
    ]
    result = run(IMPORTERS["labour-trainings"], users["national"], T, rows)
    assert problems(result) == {(3, "培训县代码"), (4, "结业日期"), (5, "承诺用工单位"), (6, "培训项目"), (7, "培训县代码"),
                                (8, "培训项目"), (8, "承诺录用人数"), (8, "开班日期"), (8, "结业日期")}
    assert "row 2" in reason(result, 6, "培训项目")
    assert not Training.objects.exists()
    ok = run(IMPORTERS["labour-trainings"], users["national"], T, rows[:1])
    assert ok.ok and counts(ok) == (1, 0, 0)
    t = Training.objects.get()
    assert (t.county.code, t.course, t.employer_id, t.committed_hires) == ("513436", "电子装配订单班", employer.pk, 40)


@pytest.mark.parametrize("role,county,allowed", [
    ("national", "513436", True), ("west_office", "513436", True), ("county_office", "513436", True),
    ("east_office", "513436", True),  # the employer that committed to hire is in its area
    ("county_office", "520111", False), ("west_office", "520111", False)])
def test_trainings_import_by_role_and_scope(users, employer, role, county, allowed, english):
    from xiezuo.labour.models import Training

    result = run(IMPORTERS["labour-trainings"], users[role], T, [[county, "订单班", employer.name, 10, "2026-03-02", "2026-04-30"]])
    assert result.ok is allowed and Training.objects.exists() is allowed
    if not allowed:
        assert problems(result) == {(2, "培训县代码")}


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_readers_cannot_import_trainings(users, employer, role):
    from xiezuo.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        run(IMPORTERS["labour-trainings"], users[role], T, [["513436", "订单班", employer.name, 10, "2026-03-02", "2026-04-30"]])


@pytest.mark.parametrize("role,status", [("county_office", 200), ("east_office", 200), ("national", 200)])
def test_trainings_template_download(client_as, role, status):
    import io

    import openpyxl
    from django.urls import reverse

    resp = client_as(role).get(reverse("import-template", args=["labour-trainings"]))
    assert resp.status_code == status
    ws = openpyxl.load_workbook(io.BytesIO(resp.content))["数据"]
    assert [c.value for c in ws[1]][:len(T)] == [h for h in T] or [str(c.value).rstrip("*") for c in ws[1]][:len(T)] == T
