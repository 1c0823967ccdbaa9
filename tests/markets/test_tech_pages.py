"""The technology centre's forms on the pages: who may offer and edit a technology (its
owner's side), post and edit a need (the offices over the western county), sign a deal and
record its returns (the licensee's side), by role and scope; bad input named at its field,
nothing written."""
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.support import office
from xiezuo.markets.models import DealReturn, TechDeal, TechNeed, Technology
from xiezuo.markets.tech import actions as tech
from xiezuo.orgs.models import Organisation
from xiezuo.regions.models import Region
from xiezuo.users.models import Profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(users):
    zju = Organisation.objects.create(name="浙江大学（测试）", kind="enterprise", region=Region.objects.get(code="330106"))
    t = tech.offer_technology(users["national"], owner=zju, number="ZL1", title="马铃薯脱毒种薯", abstract="脱毒 快繁", ipc="A01H 4/00")
    need = tech.post_need(users["county_office"], county=Region.objects.get(code="513436"), title="马铃薯种薯退化", problem="种薯退化")
    deal = tech.sign_deal(users["county_office"], technology=t, licensee=office("513436"), kind="licence", price_fen=10_000_00,
                          royalty_permille=20, need=need, signed_on=datetime.date(2026, 1, 10))
    return {"zju": zju, "tech": t, "need": need, "deal": deal}


@pytest.fixture
def zhaojue(db):
    user = get_user_model().objects.create_user("zhaojue_office", password="x")
    Profile.objects.create(user=user, role="office_editor", organisation=office("513431"))
    return user


def pages(c):
    return {"tech_new": reverse("markets-tech-create"), "tech_edit": reverse("markets-tech-edit", args=[c["tech"].pk]),
            "need_new": reverse("markets-tech-need-create"), "need_edit": reverse("markets-tech-need-edit", args=[c["need"].pk]),
            "deal_new": reverse("markets-tech-deal-create", args=[c["tech"].pk]),
            "deal": reverse("markets-tech-deal", args=[c["deal"].pk])}


# who → status of each form page (200 allowed, 403 visible but not theirs to change, 404 out of scope)
MATRIX = {
    "national": dict(tech_new=200, tech_edit=200, need_new=200, need_edit=200, deal_new=200, deal=200),
    "auditor": dict(tech_new=403, tech_edit=403, need_new=403, need_edit=403, deal_new=403, deal=200),
    "viewer": dict(tech_new=403, tech_edit=403, need_new=403, need_edit=403, deal_new=403, deal=200),
    # Zhejiang acts for the owner (Hangzhou is in its tree), not for western counties
    "east_office": dict(tech_new=200, tech_edit=200, need_new=403, need_edit=403, deal_new=403, deal=200),
    # Sichuan and 美姑: needs and deals of their counties, no technologies to offer
    "west_office": dict(tech_new=403, tech_edit=403, need_new=200, need_edit=200, deal_new=200, deal=200),
    "county_office": dict(tech_new=403, tech_edit=403, need_new=200, need_edit=200, deal_new=200, deal=200),
    # 昭觉: its own needs and deals, not 美姑's
    "zhaojue_office": dict(tech_new=403, tech_edit=403, need_new=200, need_edit=403, deal_new=200, deal=404),
}


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_form_permission_matrix(client_as, centre, zhaojue, who):
    client = client_as(who)
    got = {name: client.get(url).status_code for name, url in pages(centre).items()}
    assert got == MATRIX[who]


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_refused_posts_write_nothing(client_as, centre, zhaojue, who):
    """A POST to a form the matrix refuses changes nothing."""
    client = client_as(who)
    allowed = MATRIX[who]
    before = (Technology.objects.count(), TechNeed.objects.count(), TechDeal.objects.count(), DealReturn.objects.count())
    if allowed["tech_new"] != 200:
        assert client.post(reverse("markets-tech-create"), {"owner": centre["zju"].pk, "kind": "patent", "number": "ZL9",
                                                            "title": "x"}).status_code == 403
    if allowed["need_edit"] != 200:
        assert client.post(reverse("markets-tech-need-edit", args=[centre["need"].pk]), {"title": "改", "problem": "改"}).status_code == 403
    if allowed["deal"] != 200:
        assert client.post(reverse("markets-tech-deal", args=[centre["deal"].pk]),
                           {"period_end": "2026-03-31", "revenue": "1", "cost": "1"}).status_code == 404
    elif who in ("auditor", "viewer", "east_office"):
        assert client.post(reverse("markets-tech-deal", args=[centre["deal"].pk]),
                           {"period_end": "2026-03-31", "revenue": "1", "cost": "1"}).status_code == 403
    assert (Technology.objects.count(), TechNeed.objects.count(), TechDeal.objects.count(), DealReturn.objects.count()) == before
    assert TechNeed.objects.get(pk=centre["need"].pk).title == "马铃薯种薯退化"


def test_offer_and_edit_a_technology_on_the_page(client_as, centre):
    c = client_as("east_office")
    r = c.post(reverse("markets-tech-create"), {"owner": centre["zju"].pk, "kind": "patent", "number": "ZL202410009999.1",
                                                "title": "高寒地区设施蔬菜栽培", "abstract": "大棚 保温", "ipc": "a01g 9/14"})
    t = Technology.objects.get(number="ZL202410009999.1")
    assert r.status_code == 302 and t.ipc == "A01G 9/14" and "大棚" in t.tokens
    r = c.post(reverse("markets-tech-edit", args=[t.pk]), {"owner": centre["zju"].pk, "kind": "technology", "number": t.number,
                                                           "title": "高寒地区设施蔬菜栽培技术", "ipc": "A01G"})
    t.refresh_from_db()
    assert r.status_code == 302 and t.kind == "technology" and t.title.endswith("技术")


def test_bad_input_is_named_at_its_field_and_nothing_is_written(client_as, centre):
    c = client_as("east_office")
    n = Technology.objects.count()
    r = c.post(reverse("markets-tech-create"), {"owner": centre["zju"].pk, "kind": "patent", "number": "ZL1", "title": "重复",
                                                "ipc": "not-ipc"})
    assert r.status_code == 200 and set(r.context["form"].errors) == {"ipc"}
    r = c.post(reverse("markets-tech-create"), {"owner": centre["zju"].pk, "kind": "patent", "number": "ZL1", "title": "重复"})
    assert set(r.context["form"].errors) == {"number"}  # already offered
    assert Technology.objects.count() == n
    c = client_as("county_office")
    r = c.post(reverse("markets-tech-need-create"), {"county": Region.objects.get(code="513436").pk, "title": "", "problem": "p",
                                                     "ipc": "Z99"})
    assert set(r.context["form"].errors) == {"title"}
    r = c.post(reverse("markets-tech-need-create"), {"county": Region.objects.get(code="513436").pk, "title": "t", "problem": "p",
                                                     "ipc": "Z99"})
    assert set(r.context["form"].errors) == {"ipc"}
    r = c.post(reverse("markets-tech-deal-create", args=[centre["tech"].pk]), {"licensee": office("513436").pk, "kind": "licence",
                                                                              "price": "-5", "royalty_permille": "2000"})
    assert {"price", "royalty_permille"} <= set(r.context["form"].errors)
    r = c.post(reverse("markets-tech-deal", args=[centre["deal"].pk]), {"period_end": "2025-12-31", "revenue": "100", "cost": "1"})
    assert set(r.context["form"].errors) == {"period_end"}  # before the deal was signed
    assert TechDeal.objects.count() == 1 and DealReturn.objects.count() == 0 and TechNeed.objects.count() == 1


def test_post_a_need_sign_a_deal_and_record_a_return_on_the_pages(client_as, centre):
    c = client_as("county_office")
    r = c.post(reverse("markets-tech-need-create"), {"county": Region.objects.get(code="513436").pk, "title": "花椒烘干",
                                                     "problem": "花椒烘干设备能耗高", "sector": "加工业"})
    need = TechNeed.objects.get(title="花椒烘干")
    assert r.status_code == 302
    r = c.post(reverse("markets-tech-need-edit", args=[need.pk]), {"title": "花椒低温烘干", "problem": "花椒烘干设备能耗高", "sector": "加工业"})
    need.refresh_from_db()
    assert need.title == "花椒低温烘干" and need.county.code == "513436"
    r = c.post(reverse("markets-tech-deal-create", args=[centre["tech"].pk]), {"licensee": office("513436").pk, "kind": "transfer",
                                                                              "price": "2,000.00", "royalty_permille": "50",
                                                                              "need": need.pk})
    deal = TechDeal.objects.exclude(pk=centre["deal"].pk).get()
    assert r.status_code == 302 and deal.price_fen == 200_000 and deal.posting_id and deal.need_id == need.pk
    r = c.post(reverse("markets-tech-deal", args=[deal.pk]), {"period_end": str(deal.signed_on), "revenue": "1,000.10", "cost": "300"})
    ret = DealReturn.objects.get(deal=deal)
    assert r.status_code == 302 and ret.royalty_fen == 5_001 and ret.posting_id  # 5% of 100,010 fen = 5,000.5 → 5,001
    page = c.get(reverse("markets-tech-deal", args=[deal.pk])).content.decode()
    assert f"#{deal.posting_id}" in page and f"#{ret.posting_id}" in page
