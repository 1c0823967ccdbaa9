"""我的事项 and the loop: every item lands on the post that acts and is seen by someone.

Orders and tickets about a project go to the post in charge of it (项目专管岗), else to the
office's leading post with a note saying it stands in; a submitted closure is an item of
the issuing office's leading post until verified; the items of a vacant post reach the
office's admins; a county and its pairing both poor make one proposal; each item is listed
once, links to its own page, and the counts on my items are the counts of the lists they
open. Places as in test_loop.py: 美姑县 513436 (county_office, an editor; no admin) under
凉山州 513400 under 四川省 510000 (west_office, an admin; viewer).
"""
import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.assessment.test_loop import late_project, put_score
from tests.support import county_pair, office, zh
from xiezuo.assessment import loop, orders, rules
from xiezuo.assessment.models import (ConsequenceRule, InterventionTicket, OwnerFallback, PerformanceWarning, RectificationOrder,
                                      RestructuringProposal, Score)
from xiezuo.core.periods import Period
from xiezuo.regions.models import Region
from xiezuo.rhythm.actions import LEAD_POST_NAME, ensure_lead_posts, save_post
from xiezuo.rhythm.items import my_items, posts_seen_by
from xiezuo.rhythm.models import Post
from xiezuo.users.models import Profile

pytestmark = pytest.mark.django_db
D = datetime.date
MEIGU = "513436"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def officer(users):
    """美姑县's project officer's post, held by county_office, in charge of no project yet."""
    return save_post(users["national"], office=office(MEIGU), name="项目专管岗", holders=[users["county_office"]])


@pytest.fixture
def sichuan_lead(users):
    return save_post(users["national"], office=office("510000"), name="办公室主任", is_lead=True, holders=[users["west_office"]])


def put_in_charge(users, post, *projects):
    return save_post(users["national"], post, name=post.name, duties=post.duties, is_lead=post.is_lead,
                     holders=list(post.holders.all()), projects=list(projects))


def late_order(users, **kw):
    rules.ensure_default_rules()
    project = late_project(users, planned=D(2025, 9, 1), **kw)
    loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 9, 30), codes=["late-milestone"])
    return project, RectificationOrder.objects.get(project=project)


def item_titles(user):
    _seen, rows, _counts = my_items(user)
    return [i.title for i, _p, _s in rows]


# --- owners ----------------------------------------------------------------------------------


def test_an_order_about_a_project_goes_to_the_post_in_charge_of_it(users, officer):
    """Before: every order went to the vacant 协作办负责人, and county_office never saw it."""
    rules.ensure_default_rules()
    project = late_project(users, planned=D(2025, 9, 1))
    put_in_charge(users, officer, project)
    loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 9, 30), codes=["late-milestone"])
    order = RectificationOrder.objects.get()
    assert (order.owner_office, order.owner_post, order.owner_fallback) == (office(MEIGU), officer, "")
    seen, rows, _counts = my_items(users["county_office"])
    assert [(i.title, p, standing) for i, p, standing in rows if i.group == "order"] == [(order.title, officer, False)]


def test_a_vacant_or_missing_project_post_falls_back_to_the_leading_post_and_says_so(users, officer, client_as):
    project, order = late_order(users)  # no post in charge of it
    lead = Post.objects.get(office=office(MEIGU), is_lead=True)
    assert (order.owner_post, order.owner_fallback) == (lead, OwnerFallback.NO_POST) and lead.name == LEAD_POST_NAME
    second = late_project(users, planned=D(2025, 9, 1), name="第二个项目")
    vacant = save_post(users["national"], office=office(MEIGU), name="资金项目岗", projects=[second])  # nobody holds it
    loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 9, 30), codes=["late-milestone"])
    other = RectificationOrder.objects.get(project=second)
    assert (other.owner_post, other.owner_fallback) == (lead, OwnerFallback.VACANT) and other.owner_post != vacant
    # 美姑 has no admin: its editor sees the vacant leading post's items, marked, with the reason.
    page = client_as("county_office").get(reverse("my-items")).content.decode()
    assert other.title in page and order.title in page
    assert "专管岗空缺，由负责人岗代办" in page and "未设项目专管岗，由负责人岗代办" in page
    assert zh("vacant: you stand in") in page
    detail = client_as("county_office").get(other.get_absolute_url()).content.decode()
    assert "专管岗空缺，由负责人岗代办" in detail


def test_a_ticket_about_a_project_goes_to_its_post_and_a_warning_to_the_leading_post(users, officer):
    from xiezuo.projects.actions import create_project, transition

    rules.ensure_default_rules()
    county = users["county_office"]
    p = create_project(county, name="无周报项目", category="industry", county=Region.objects.get(code=MEIGU), pairing=county_pair(),
                       planned_start=D(2025, 3, 1), planned_end=D(2025, 12, 31))
    transition(county, p, "in_progress", on=D(2025, 3, 1))
    put_in_charge(users, officer, p)
    put_score(MEIGU, Period.parse("2025Q3"), "poor")
    loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 9, 30), codes=["no-report-3w", "warning-poor"])
    ticket, warning = InterventionTicket.objects.get(project=p), PerformanceWarning.objects.get()
    assert (ticket.owner_post, ticket.owner_fallback) == (officer, "")
    assert warning.owner_post.is_lead and warning.owner_post.office == office(MEIGU) and warning.owner_fallback == ""


def test_a_submitted_closure_is_an_item_of_the_issuers_leading_post_until_verified(users, sichuan_lead):
    """Before: the province office that must verify had nothing on 我的事项."""
    _project, order = late_order(users)
    west = users["west_office"]
    assert order.issuer_office == office("510000")
    assert order.title not in item_titles(west)
    orders.submit_closure(users["county_office"], order, text="已整改")
    _seen, rows, _counts = my_items(west)
    verify = [(i, p) for i, p, _s in rows if i.group == "verify"]
    assert [(i.title, i.url, p) for i, p in verify] == [(order.title, order.get_absolute_url(), sichuan_lead)]
    orders.verify_closure(west, order, accept=False, note="资料不全")
    assert order.title not in item_titles(west)  # sent back: the owner's turn again
    orders.submit_closure(users["county_office"], order, text="补充了验收报告")
    assert order.title in item_titles(west)
    orders.verify_closure(west, order, accept=True)
    assert order.title not in item_titles(west) and order.title not in item_titles(users["county_office"])


def test_a_vacant_leading_post_reaches_the_office_admins_and_nobody_else(users):
    """四川's leading post, made for an item with nobody holding it: west_office (its admin)
    sees its items, standing in; the viewer of the same office, and others, do not."""
    lead = ensure_lead_posts(None, [office("510000")])[office("510000").pk]
    warnings = many_warnings(lead, 2)
    seen = posts_seen_by(users["west_office"])
    assert [(s.post, s.standing_in) for s in seen] == [(lead, True)]
    assert len(item_titles(users["west_office"])) == len(warnings)
    for name in ("viewer", "east_office", "auditor", "county_office", "national"):
        assert all(s.post != lead for s in posts_seen_by(users[name])), name
    # Once someone holds it, the admin no longer stands in: they hold it.
    save_post(users["national"], lead, name=lead.name, is_lead=True, holders=[users["west_office"]])
    assert [(s.post, s.standing_in) for s in posts_seen_by(users["west_office"])] == [(lead, False)]


def test_an_editor_stands_in_only_for_the_leading_post_and_only_without_an_admin(users):
    meigu = office(MEIGU)
    lead = ensure_lead_posts(None, [meigu])[meigu.pk]
    other = save_post(users["national"], office=meigu, name="资金岗")
    assert [(s.post, s.standing_in) for s in posts_seen_by(users["county_office"])] == [(lead, True)]
    admin = get_user_model().objects.create_user("meigu_admin")
    Profile.objects.create(user=admin, role="office_admin", organisation=meigu)
    assert posts_seen_by(users["county_office"]) == []
    assert {(s.post, s.standing_in) for s in posts_seen_by(admin)} == {(lead, True), (other, True)}


# --- each item once ----------------------------------------------------------------------------


def put_pairing_score(pairing, period, grade):
    from xiezuo.assessment.models import Computation, IndicatorSystem

    system = IndicatorSystem.current()
    run, _ = Computation.objects.get_or_create(system=system, period_kind=period.kind, period_start=period.start,
                                               defaults=dict(period_end=period.end, period_label=period.label, as_of=period.end))
    Score.objects.update_or_create(
        system=system, subject_key=f"pairing:{pairing.pk}", period_kind=period.kind, period_start=period.start,
        defaults=dict(computation=run, level="county_pair", pairing=pairing, west_prefix=pairing.west_region.code,
                      east_prefix=pairing.east_region.code, period_end=period.end, period_label=period.label, as_of=period.end,
                      peer_group="key", composite="40", grade=grade))


def test_a_county_and_its_pairing_both_poor_make_one_proposal_listed_once(users):
    """Before: 美姑县's own score and the 鄞州—美姑 pairing's score each made a proposal to
    restructure the same pairing, so 凉山州's list showed every pairing twice."""
    rules.ensure_default_rules()
    pair = county_pair()
    for label in ("2025Q1", "2025Q2", "2025Q3"):
        put_score(MEIGU, Period.parse(label), "poor")
        put_pairing_score(pair, Period.parse(label), "poor")
        loop.apply_rules(Period.parse(label), today=Period.parse(label).end, codes=["restructure-poor-3"])
    proposal = RestructuringProposal.objects.get()
    assert proposal.pairing == pair and proposal.owner_office == office("513400")
    head = get_user_model().objects.create_user("liangshan_head")
    Profile.objects.create(user=head, role="office_admin", organisation=office("513400"))
    _seen, rows, counts = my_items(head)
    assert [i.url for i, _p, _s in rows] == [reverse("proposal-list") + f"?id={proposal.pk}"]
    assert [(c.group, c.count) for c in counts] == [("proposal", 1)]
    # A new streak after the decision may bring it again, once.
    orders.decide_proposal(users["national"], proposal, accept=False, note="继续观察")
    for label in ("2025Q4",):
        put_score(MEIGU, Period.parse(label), "poor")
        put_pairing_score(pair, Period.parse(label), "poor")
        loop.apply_rules(Period.parse(label), today=Period.parse(label).end, codes=["restructure-poor-3"])
    assert RestructuringProposal.objects.filter(status="open").count() <= 1


def test_my_items_lists_an_item_once_even_when_two_of_my_posts_hold_it(users, officer):
    rules.ensure_default_rules()
    project = late_project(users, planned=D(2025, 9, 1))
    put_in_charge(users, officer, project)
    loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 9, 30), codes=["late-milestone"])
    order = RectificationOrder.objects.get()
    # The same order also escalated to another post county_office holds (a post of the same office).
    from xiezuo.assessment.models import OrderEscalation

    second = save_post(users["national"], office=office(MEIGU), name="督办岗", holders=[users["county_office"]])
    OrderEscalation.objects.create(order=order, level=1, from_post=officer, to_post=second, on=D(2025, 10, 20),
                                   overdue_since=D(2025, 10, 15))
    _seen, rows, counts = my_items(users["county_office"])
    assert [i.title for i, _p, _s in rows if i.group == "order"] == [order.title]
    assert [(c.group, c.count) for c in counts if c.group == "order"] == [("order", 1)]


# --- links and counts ---------------------------------------------------------------------------


def many_warnings(post, n):
    """n open warnings owned by `post`, made as the rule would (the list pages 50 at a time)."""
    rules.ensure_default_rules()
    rule = ConsequenceRule.objects.get(code="warning-poor")
    counties = list(Region.objects.filter(code__startswith="5134", level="county").order_by("code"))
    made = []
    for i in range(n):
        county = counties[i % len(counties)]
        made.append(PerformanceWarning.objects.create(
            rule=rule, rule_revision=1, key=f"test:{i}", owner_office=post.office, owner_post=post, region=county,
            subject_key=f"region:{county.code}", period_kind="quarter", period_start=D(2020 + i // 4, 1 + 3 * (i % 4), 1),
            period_label=f"{2020 + i // 4}Q{1 + i % 4}", reason="test", level=1, streak=1))
    return made


def _rows_on(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def test_each_item_links_to_its_own_page_and_the_counts_are_those_of_the_lists(users, officer, sichuan_lead, client_as):
    """Before: links were anchors on page 1 of /warnings/, /proposals/, /tickets/, so most
    did not show the item; and my items had no counts to check against the lists."""
    _project, order = late_order(users)  # on 美姑's vacant leading post, seen by county_office
    orders.submit_closure(users["county_office"], order, text="已整改")  # 四川 must verify it
    warnings = many_warnings(sichuan_lead, 55)  # more than a page
    for name in ("west_office", "county_office"):
        client = client_as(name)
        user = users[name]
        _seen, rows, counts = my_items(user)
        assert len({(i.group, i.url) for i, _p, _s in rows}) == len(rows)  # each item once
        for c in counts:
            if not c.url:
                continue
            page = _rows_on(client, c.url).context["page"]
            assert page.paginator.count == c.count, (name, c.group)
        for item, _post, _standing in rows:
            if not item.url or item.group == "decision":
                continue
            html = _rows_on(client, item.url).content.decode()
            if item.group in ("order", "verify"):
                assert re.search(r"/orders/(\d+)/$", item.url)
                assert item.title in html
            else:
                pk = item.url.rsplit("=", 1)[1]
                assert f'id="{item.group}-{pk}"' in html and html.count(f'data-testid="{item.group}"') == 1
    west_counts = {c.group: c.count for c in my_items(users["west_office"])[2]}
    assert west_counts == {"warning": 55, "verify": 1}
    oldest = warnings[0]
    html = client_as("west_office").get(reverse("warning-list") + f"?id={oldest.pk}").content.decode()
    assert f'id="warning-{oldest.pk}"' in html  # the 55th from the top, not on page 1 of the whole list
    county_counts = {c.group: c.count for c in my_items(users["county_office"])[2]}
    assert county_counts == {"order": 1}


def test_answering_from_the_items_page_comes_back_to_the_item(users, sichuan_lead, client_as):
    warning = many_warnings(sichuan_lead, 1)[0]
    r = client_as("west_office").post(reverse("warning-acknowledge", args=[warning.pk]), {"note": "已部署整改"})
    assert r.status_code == 302 and r["Location"] == reverse("warning-list") + f"?id={warning.pk}"
    assert [c.group for c in my_items(users["west_office"])[2]] == []


def test_the_project_page_names_its_post_in_charge(users, officer, client_as):
    project = late_project(users)
    html = client_as("county_office").get(reverse("project-detail", args=[project.pk])).content.decode()
    assert 'data-testid="officer-posts"' in html and "项目专管岗" not in html.split('data-testid="officer-posts"')[1][:300]
    put_in_charge(users, officer, project)
    html = client_as("west_office").get(reverse("project-detail", args=[project.pk])).content.decode()
    part = html.split('data-testid="officer-posts"')[1][:400]
    assert "项目专管岗" in part and "county_office" in part


def test_the_post_form_sets_the_projects_in_charge_and_the_audit_log_keeps_them(users, officer, client_as):
    from xiezuo.core.models import AuditEntry

    project = late_project(users)
    elsewhere = Region.objects.get(code="513431")  # 昭觉县: not 美姑's
    from xiezuo.projects.actions import create_project

    other = create_project(users["national"], name="昭觉项目", category="industry", county=elsewhere,
                           planned_start=D(2025, 3, 1), planned_end=D(2025, 12, 31))
    west = client_as("west_office")
    url = reverse("post-edit", args=[officer.pk])
    form = west.get(url).content.decode()
    assert project.code in form and other.code not in form  # only the office's own projects are offered
    data = {"name": officer.name, "duties": "", "holders": [users["county_office"].pk], "projects": [project.pk]}
    assert west.post(url, data).status_code == 302
    assert list(officer.projects.all()) == [project]
    entry = AuditEntry.objects.filter(object_type="rhythm.post", object_id=str(officer.pk)).latest("id")
    assert entry.after["projects"] == [project.code] and entry.before["projects"] == [] and entry.username == "west_office"
    with pytest.raises(Exception) as exc:
        put_in_charge(users, officer, other)
    assert "projects" in exc.value.error_dict
    assert client_as("county_office").get(url).status_code == 403  # an editor does not set posts


def test_the_weekly_sheet_counts_the_same_items_as_my_items(users, officer, sichuan_lead):
    """The sheet's closed groups count the loop's items without building them; the counts
    must be those of the items."""
    from xiezuo.assessment.items import count_items, items

    _project, order = late_order(users)
    orders.submit_closure(users["county_office"], order, text="已整改")
    many_warnings(sichuan_lead, 3)
    posts = list(Post.objects.values_list("pk", flat=True))
    as_of, week_end = D(2025, 10, 1), D(2025, 10, 5)
    built = sorted((i.post_id, i.group, i.url, i.overdue) for i in items(posts))
    counted = sorted((post, group, pk, overdue) for post, (group, pk), overdue, _due in count_items(posts, as_of, week_end))
    assert [(p, g, o) for p, g, _u, o in built] == [(p, g, o) for p, g, _k, o in counted]
    assert len(counted) == 1 + 1 + 3  # the order, its closure to verify, three warnings
