"""限期整改 orders issued by hand: who may issue to whom, from a scorecard row, a project (or
a late milestone) and the orders list, with the evidence linked; refused input named by
field; audited; then closed, verified and escalated like the orders the rules make.

Places as in test_loop.py: 美姑县 513436 (county_office, editor) under 凉山州 513400 under
四川省 510000 (west_office admin, viewer); 浙江省 330000 (east_office), paired with 四川.
"""
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.assessment.test_loop import late_project, put_score
from tests.support import office
from xiezuo.assessment import loop, orders
from xiezuo.assessment.choices import OrderStatus
from xiezuo.assessment.models import OwnerFallback, RectificationOrder
from xiezuo.core.models import AuditEntry
from xiezuo.core.periods import Period
from xiezuo.rhythm import workdays
from xiezuo.rhythm.actions import save_post
from xiezuo.rhythm.items import my_items
from xiezuo.users.models import Profile

pytestmark = pytest.mark.django_db
D = datetime.date
MEIGU = "513436"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def prefecture_editor(db):
    user = get_user_model().objects.create_user("liangshan_editor")
    Profile.objects.create(user=user, role="office_editor", organisation=office("513400"))
    return user


def issue(user, target, **kw):
    values = dict(title="高山蔬菜基地建设滞后整改", reason="大棚建设滞后两个月，请制定整改方案并按期完成。", working_days=10)
    values.update(kw)
    return orders.issue_order(user, owner_office=target, **values)


# --- who may issue to whom -----------------------------------------------------------------------


def test_the_permission_matrix(users, prefecture_editor):
    meigu, liangshan, sichuan, zhejiang = office(MEIGU), office("513400"), office("510000"), office("330000")
    # The national coordinator orders any office; a province office those below it; a prefecture office its counties.
    for user, target in ((users["national"], sichuan), (users["national"], meigu), (users["west_office"], meigu),
                         (users["west_office"], liangshan), (prefecture_editor, meigu)):
        order = issue(user, target)
        assert (order.owner_office, order.issued_by, order.rule) == (target, user, None), (user, target)
        assert order.status == OrderStatus.ISSUED
    assert RectificationOrder.objects.get(owner_office=sichuan).issuer_office.kind == "ministry"
    # Nobody orders their own office.
    for user, own in ((users["west_office"], sichuan), (prefecture_editor, liangshan)):
        with pytest.raises(ValidationError) as exc:
            issue(user, own)
        assert "owner_office" in exc.value.error_dict
    # Not outside their subtree — not the partner province they read through the pairing, not above.
    for user, target in ((users["west_office"], zhejiang), (users["east_office"], meigu), (prefecture_editor, sichuan),
                         (prefecture_editor, zhejiang)):
        with pytest.raises(PermissionDenied):
            issue(user, target)
    # County offices have nobody below them; viewers and auditors change nothing.
    for name in ("county_office", "viewer", "auditor"):
        with pytest.raises(PermissionDenied):
            issue(users[name], meigu)
    assert RectificationOrder.objects.count() == 5


def test_bad_input_is_refused_with_the_field_named(users):
    meigu = office(MEIGU)
    cases = [
        (dict(working_days=None), "working_days"),
        (dict(working_days=0), "working_days"),
        (dict(working_days=500), "working_days"),
        (dict(title=""), "title"),
        (dict(title="题" * 201), "title"),
        (dict(reason="   "), "reason"),
        (dict(reason="因" * 5001), "reason"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationError) as exc:
            issue(users["west_office"], meigu, **values)
        assert field in exc.value.error_dict, (values, field)
    with pytest.raises(ValidationError) as exc:
        issue(users["west_office"], None)
    assert "owner_office" in exc.value.error_dict
    project = late_project(users)
    other = late_project(users, name="另一个项目")
    with pytest.raises(ValidationError) as exc:
        issue(users["west_office"], meigu, project=project, milestone=other.milestones.first())
    assert "milestone" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:  # the project is not in the area of the office ordered
        issue(users["west_office"], office("513431"), project=project)
    assert "project" in exc.value.error_dict
    assert not RectificationOrder.objects.exists()


def test_an_issued_order_is_audited_and_goes_to_the_post_in_charge(users):
    project = late_project(users)
    officer = save_post(users["national"], office=office(MEIGU), name="项目专管岗", holders=[users["county_office"]],
                        projects=[project])
    order = issue(users["west_office"], office(MEIGU), project=project, milestone=project.milestones.get(seq=2))
    today = timezone.localdate()
    assert (order.owner_post, order.owner_fallback) == (officer, "")
    assert order.deadline == workdays.add_working_days(today, 10) and order.working_days == 10 and order.issued_on == today
    assert order.evidence["milestone"]["project"] == project.code and order.evidence["manual"]["issued_by"] == "west_office"
    entry = AuditEntry.objects.get(object_type="assessment.rectificationorder", object_id=str(order.pk))
    assert entry.action == "create" and entry.username == "west_office" and entry.after["issued_by_id"] == users["west_office"].pk
    titles = [i.title for i, _p, _s in my_items(users["county_office"])[1]]
    assert order.title in titles
    # Without a post in charge the office's leading post has it, and says why.
    bare = issue(users["west_office"], office(MEIGU))
    assert bare.owner_post.is_lead and bare.owner_fallback == "" and bare.project is None
    unassigned = issue(users["west_office"], office(MEIGU), project=late_project(users, name="无专管岗项目"))
    assert unassigned.owner_post.is_lead and unassigned.owner_fallback == OwnerFallback.NO_POST


def test_a_manual_order_is_closed_verified_and_escalated_like_any_other(users):
    sichuan_lead = save_post(users["national"], office=office("510000"), name="办公室主任", is_lead=True, holders=[users["west_office"]])
    order = issue(users["west_office"], office(MEIGU), working_days=3)
    with pytest.raises(ValidationError):
        orders.verify_closure(users["west_office"], order, accept=True)  # nothing submitted yet
    orders.submit_closure(users["county_office"], order, text="已完成整改")
    verify = [(i.title, p) for i, p, _s in my_items(users["west_office"])[1] if i.group == "verify"]
    assert verify == [(order.title, sichuan_lead)]
    with pytest.raises(PermissionDenied):
        orders.verify_closure(users["county_office"], order, accept=True)  # never the owner
    orders.verify_closure(users["west_office"], order, accept=True)
    order.refresh_from_db()
    assert order.status == OrderStatus.VERIFIED and order.verified_by == users["west_office"]
    late = issue(users["west_office"], office(MEIGU), working_days=1)
    made = loop.escalate_overdue(late.deadline + datetime.timedelta(days=1))
    assert [(e.order, e.level, e.to_post.office) for e in made] == [(late, 1, office("513400"))]


# --- the pages ------------------------------------------------------------------------------------


def test_who_finds_the_form_and_who_is_refused(users, client_as):
    project = late_project(users)
    project_url = reverse("project-detail", args=[project.pk])
    form_url = reverse("order-issue") + f"?project={project.pk}"
    for name in ("national", "west_office"):
        c = client_as(name)
        assert reverse("order-issue") in c.get(reverse("order-list")).content.decode(), name
        assert form_url in c.get(project_url).content.decode(), name
        assert c.get(form_url).status_code == 200
    for name in ("county_office", "viewer", "auditor"):
        c = client_as(name)
        assert reverse("order-issue") not in c.get(reverse("order-list")).content.decode(), name
        assert c.get(reverse("order-issue")).status_code == 403, name
        assert c.get(form_url).status_code == 403, name
    east = client_as("east_office")  # may issue, and reads 美姑's project through the pairing, but may not order 美姑
    assert east.get(form_url).status_code == 403
    assert east.post(reverse("order-issue"), {"owner_office": office(MEIGU).pk, "title": "x", "reason": "y",
                                              "working_days": 5}).status_code == 400
    assert not RectificationOrder.objects.exists()


def test_from_a_project_page_with_the_milestone_as_evidence(users, client_as):
    project = late_project(users, planned=D(2025, 9, 1))
    milestone = project.milestones.get(seq=2)
    west = client_as("west_office")
    html = west.get(reverse("project-detail", args=[project.pk])).content.decode()
    link = reverse("order-issue") + f"?project={project.pk}&amp;milestone={milestone.pk}"
    assert link in html  # the late milestone's own link
    url = reverse("order-issue") + f"?project={project.pk}&milestone={milestone.pk}"
    page = west.get(url)
    form = page.context["form"]
    assert form.initial["owner_office"] == office(MEIGU) and milestone.name in form.initial["title"]
    assert "2025-09-01" in form.initial["reason"]
    offered = {o.region.code for o in form.fields["owner_office"].queryset}
    assert offered == {MEIGU, "513400"}  # the offices whose area holds the project, below 四川
    r = west.post(url, {"owner_office": office(MEIGU).pk, "milestone": milestone.pk, "title": form.initial["title"],
                        "reason": form.initial["reason"], "working_days": 10})
    order = RectificationOrder.objects.get()
    assert r.status_code == 302 and r["Location"] == order.get_absolute_url()
    assert (order.project, order.milestone, order.issuer_office) == (project, milestone, office("510000"))
    detail = client_as("county_office").get(order.get_absolute_url()).content.decode()
    assert project.name in detail and milestone.name in detail and "west_office" in detail


def test_from_a_scorecard_row(users, client_as):
    score = put_score(MEIGU, Period.parse("2025Q3"), "poor", composite="31.50")
    province = put_score("510000", Period.parse("2025Q3"), "poor")
    province.level, province.west_prefix = "province", "51"
    province.save()
    west = client_as("west_office")
    listing = west.get(reverse("scorecard-list") + "?period=2025Q3").content.decode()
    assert f"{reverse('order-issue')}?score={score.pk}" in listing
    assert f"?score={province.pk}" not in listing  # its own province is not below it
    assert "?score=" not in client_as("east_office").get(reverse("scorecard-list") + "?period=2025Q3").content.decode()
    detail = west.get(reverse("scorecard-detail", args=["region", MEIGU, "2025Q3"])).content.decode()
    assert f"?score={score.pk}" in detail
    url = f"{reverse('order-issue')}?score={score.pk}"
    assert client_as("east_office").get(url).status_code == 403  # a partner's county, readable, not orderable
    form = west.get(url).context["form"]
    assert "31.50" in form.initial["reason"] and form.initial["owner_office"] == office(MEIGU)
    r = west.post(url, {"owner_office": office(MEIGU).pk, "title": form.initial["title"], "reason": form.initial["reason"],
                        "working_days": 5})
    order = RectificationOrder.objects.get()
    assert r.status_code == 302
    assert order.subject_key == f"region:{MEIGU}" and order.period_label == "2025Q3"
    assert order.evidence["scores"][0]["id"] == score.pk
    assert reverse("scorecard-detail", args=["region", MEIGU, "2025Q3"]) in west.get(order.get_absolute_url()).content.decode()


def test_the_form_names_the_refused_field_and_keeps_what_was_typed(users, client_as):
    west = client_as("west_office")
    url = reverse("order-issue")
    base = {"owner_office": office(MEIGU).pk, "title": "整改", "reason": "请整改", "working_days": 10}
    r = west.post(url, {**base, "working_days": ""})
    assert r.status_code == 400 and "working_days" in r.context["form"].errors and "请整改" in r.content.decode()
    r = west.post(url, {**base, "title": "题" * 201})
    assert r.status_code == 400 and "title" in r.context["form"].errors
    r = west.post(url, {**base, "owner_office": office("510000").pk})  # itself: not offered
    assert r.status_code == 400 and "owner_office" in r.context["form"].errors
    r = west.post(url, {**base, "owner_office": office("330000").pk})  # outside: not offered
    assert r.status_code == 400 and "owner_office" in r.context["form"].errors
    assert not RectificationOrder.objects.exists()
    assert west.post(url, base).status_code == 302
    page = west.get(reverse("order-list")).content.decode()
    assert "整改" in page and 'data-testid="manual"' in page
