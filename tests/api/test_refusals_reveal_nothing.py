"""Refusals reveal nothing outside the caller's scope: a duplicate credit code or project code
is refused without naming the organisation or project that holds it unless the caller may see
it, and a single object the caller may not see answers 404 exactly like one that does not
exist (API and pages alike). Before, the Zhejiang office was told “already used by
贵州省东西部协作办公室” and that a project code was “taken by a project outside your area”."""
import pytest

from tests.support import problems, reason, run, zh
from xiezuo.orgs.credit_code import make_credit_code
from xiezuo.orgs.models import Organisation
from xiezuo.projects.importers import MilestoneImporter, ProjectImporter
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PROJECT_HEADERS = ["项目编号", "项目名称", "项目类别", "县级代码", "结对编号", "计划开始日期", "计划完成日期"]


@pytest.fixture
def stranger():
    """An enterprise in Guizhou, outside the Zhejiang office's scope, with a credit code."""
    return Organisation.objects.create(name="贵阳隐秘科技有限公司", kind="enterprise", region=Region.objects.get(code="520100"),
                                       credit_code=make_credit_code("91520100MA6AB1234"))


@pytest.fixture
def stranger_project():
    county = Region.objects.filter(code__startswith="52", level="county").order_by("code").first()
    return Project.objects.create(code="GZ-SECRET-1", name="贵州保密项目", category="industry", county=county,
                                  planned_start="2026-01-01", planned_end="2026-12-31")


def post_org(client, code, region="330212"):
    return client.post("/api/v1/organisations", {"name": "宁波新企业", "kind": "enterprise", "region": region, "credit_code": code},
                       content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def test_a_credit_code_held_outside_scope_is_refused_without_naming_the_holder(client_as, stranger):
    response = post_org(client_as("east_office"), stranger.credit_code)
    assert response.status_code == 422
    message = response.json()["error"]["fields"]["credit_code"][0]
    assert message == "this credit code is already registered"
    assert stranger.name not in response.content.decode() and "贵" not in response.content.decode()


def test_a_credit_code_held_inside_scope_names_the_holder(client_as, stranger):
    response = post_org(client_as("national"), stranger.credit_code)
    assert response.status_code == 422
    assert stranger.name in response.json()["error"]["fields"]["credit_code"][0]


def test_the_organisation_form_and_import_refuse_alike(client_as, users, stranger):
    page = client_as("east_office").post("/orgs/new/", {"name": "宁波新企业", "kind": "enterprise", "region": "330212",
                                                        "credit_code": stranger.credit_code})
    assert page.status_code in (200, 422) and zh("this credit code is already registered") in page.content.decode()
    assert stranger.name not in page.content.decode()
    from xiezuo.orgs.importers import OrganisationImporter

    result = run(OrganisationImporter(), users["east_office"], ["单位名称", "单位类型", "所在地区代码", "统一社会信用代码"],
                 [["宁波新企业", "企业", "330212", stranger.credit_code]])
    assert problems(result) == {(2, "统一社会信用代码")}
    assert reason(result, 2, "统一社会信用代码") in ("this credit code is already registered", zh("this credit code is already registered"))


def test_a_project_code_used_outside_scope_is_refused_without_a_word_about_where(users, stranger_project):
    result = run(ProjectImporter(), users["county_office"], PROJECT_HEADERS,
                 [[stranger_project.code, "美姑县新项目", "产业协作", "513436", None, "2026-03-01", "2026-12-31"]])
    assert problems(result) == {(2, "项目编号")}
    text = reason(result, 2, "项目编号")
    assert "already in use" in text and "outside" not in text and stranger_project.name not in text
    # naming it from a milestone row: like a code that does not exist
    unknown = run(MilestoneImporter(), users["county_office"], ["项目编号", "序号", "里程碑名称", "计划日期"],
                  [[stranger_project.code, 1, "选址", "2026-02-01"], ["NO-SUCH-1", 1, "选址", "2026-02-01"]])
    assert reason(unknown, 2, "项目编号").replace(stranger_project.code, "X") == reason(unknown, 3, "项目编号").replace("NO-SUCH-1", "X")


def test_an_object_out_of_scope_answers_like_one_that_does_not_exist(client_as, stranger, stranger_project):
    east = client_as("east_office")
    missing_id = Organisation.objects.order_by("-pk").first().pk + 1000
    for url, missing in ((f"/api/v1/organisations/{stranger.pk}", f"/api/v1/organisations/{missing_id}"),
                         (f"/api/v1/projects/{stranger_project.code}", "/api/v1/projects/NO-SUCH-1")):
        hidden, absent = east.get(url), east.get(missing)
        assert hidden.status_code == absent.status_code == 404
        assert hidden.json()["error"]["code"] == absent.json()["error"]["code"] == "not_found"
    patch = east.patch(f"/api/v1/organisations/{stranger.pk}", {"name": "改名"}, content_type="application/json")
    assert patch.status_code == 404
    assert east.get(f"/orgs/{stranger.pk}/").status_code == 404
    assert east.get(f"/orgs/{stranger.pk}/edit/").status_code == 404
    assert east.get(f"/projects/{stranger_project.pk}/").status_code == 404
