"""Lists and detail pages agree about scope, for every role: every row a list shows opens
(200), and every object whose page opens appears in a list the role can reach.

The world: the demo, a project, dispatches and money in 美姑县 (in the Zhejiang–Sichuan pairs),
a project, a dispatch and money in 贵阳 (outside them), the partner's other pairing (鄞州区 330212
— 喜德县 513432, which the 美姑县 office must not see), a pending override request (鄞州区 —
花溪区 520111, in force for nobody) and a quarter's scores. The scorecard list once showed the
美姑县 office the pair rows of 鄞州区's other pairings, whose pages answered 404.
"""
import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from xiezuo.assessment.compute import recompute
from xiezuo.assessment.models import Score
from xiezuo.core.periods import QUARTER, Period
from xiezuo.ledger.models import Posting
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.actions import create_pairing
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.people.models import Dispatch
from xiezuo.projects.actions import create_project
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region
from xiezuo.users.models import Profile

from tests.support import dispatches, gd_office, guiyang, gz_money, meigu, money, office, agreement, today  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
ROLES = ("national", "east_office", "west_office", "county_office", "viewer", "auditor", "gd_office", "yinzhou_admin")


@pytest.fixture
def world(users, meigu, guiyang, dispatches, money, gz_money, gd_office, today):
    national = users["national"]
    admin = get_user_model().objects.create_user("yinzhou_admin")
    Profile.objects.create(user=admin, role="office_admin", organisation=office("330212"))
    other = create_pairing(national, kind="county", east_region=Region.objects.get(code="330212"),
                           west_region=Region.objects.get(code="513432"), valid_from=datetime.date(2022, 1, 1))
    create_project(national, name="喜德县花椒基地", category="industry", county=Region.objects.get(code="513432"), pairing=other,
                   planned_start=today, planned_end=today + datetime.timedelta(days=200))
    Organisation.objects.create(name="花溪区茶业有限公司（测试）", kind="enterprise", region=Region.objects.get(code="520111"))
    create_pairing(admin, kind="county", east_region=Region.objects.get(code="330212"), west_region=Region.objects.get(code="520111"),
                   valid_from=datetime.date(2025, 1, 1), override_reason="试点")
    period = Period.containing(QUARTER, today).previous()
    recompute(period, as_of=today)
    return {"period": period, "users": {**users, "gd_office": gd_office, "yinzhou_admin": admin}}


def client(user):
    c = Client()
    c.force_login(user)
    return c


def links(c, url, pattern, pages=40):
    """Every detail link matching `pattern` on every page of the list at `url`."""
    found = set()
    sep = "&" if "?" in url else "?"
    for n in range(1, pages + 1):
        response = c.get(f"{url}{sep}page={n}")
        assert response.status_code == 200, url
        html = response.content.decode()
        found |= set(re.findall(pattern, html))
        if f"page={n + 1}" not in html:
            break
    return found


def agree(c, lists, pattern, candidates):
    """(rows listed that do not open, objects that open but no list shows)."""
    listed = set()
    for url in lists:
        listed |= links(c, url, pattern)
    broken = {u for u in listed if c.get(u).status_code != 200}
    hidden = {u for u in candidates - listed if c.get(u).status_code == 200}
    return broken, hidden


def kinds(world):
    period = world["period"].label
    card = lambda kind, ident: reverse("scorecard-detail", args=[kind, ident, period])  # noqa: E731
    pair_scores = {card("pairing", s.pairing_id) for s in Score.objects.filter(period_start=world["period"].start, pairing__isnull=False)}
    county_codes = ("513436", "513432", "513431", "330212", "330281", "520111", "520000", "320102")
    counties = {card("region", c) for c in county_codes if Score.objects.filter(subject_key=f"region:{c}").exists()}
    return {
        "organisations": ([reverse("org-list")], r'href="(/orgs/\d+/)"',
                          {reverse("org-detail", args=[pk]) for pk in Organisation.objects.values_list("pk", flat=True)}),
        "pairings": ([reverse("pairing-list")], r'href="(/pairings/\d+/)"',
                     {reverse("pairing-detail", args=[pk]) for pk in Pairing.objects.values_list("pk", flat=True)}),
        "agreements": ([reverse("agreement-list") + "?year=2026"], r'href="(/agreements/\d+/)"',
                       {reverse("agreement-detail", args=[pk]) for pk in Agreement.objects.filter(year=2026).values_list("pk", flat=True)}),
        "projects": ([reverse("project-list")], r'href="(/projects/\d+/)"',
                     {reverse("project-detail", args=[pk]) for pk in Project.objects.values_list("pk", flat=True)}),
        "people": ([reverse("dispatch-list")], r'href="(/people/\d+/)"',
                   {reverse("dispatch-detail", args=[pk]) for pk in Dispatch.objects.values_list("pk", flat=True)}),
        "postings": ([reverse("ledger-postings")], r'href="(/funds/postings/\d+/)"',
                     {reverse("ledger-posting", args=[pk]) for pk in Posting.objects.values_list("pk", flat=True)}),
        "pair scorecards": ([reverse("scorecard-list") + f"?period={period}&level=pair",
                             reverse("scorecard-list") + f"?period={period}&level=province_pair"],
                            r'href="(/scorecards/pairing/\d+/\w+/)', pair_scores),
        "county scorecards": ([reverse("scorecard-list") + f"?period={period}&level=county&q={c}" for c in county_codes],
                              r'href="(/scorecards/region/\d+/\w+/)', counties),
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_listed_row_opens_and_every_page_that_opens_is_listed(world, role):
    c = client(world["users"][role])
    disagreements = {}
    for kind, (lists, pattern, candidates) in kinds(world).items():
        broken, hidden = agree(c, lists, pattern, candidates)
        if broken or hidden:
            disagreements[kind] = {"listed but refused": sorted(broken), "opens but not listed": sorted(hidden)}
    assert disagreements == {}


@pytest.mark.parametrize("role", ROLES)
def test_every_region_page_that_opens_is_found_by_the_region_search(world, role):
    c = client(world["users"][role])
    for code in ("513436", "513432", "513400", "510000", "330212", "330000", "520111", "520100", "440100", "320102"):
        opens = c.get(reverse("region-detail", args=[code])).status_code == 200
        listed = f'/regions/{code}/"' in c.get(reverse("region-list") + f"?q={code}").content.decode()
        assert opens == listed, (role, code, opens, listed)
