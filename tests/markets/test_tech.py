"""The technology transfer centre: matching both ways with the reason shown, deals and
returns, and the per-region returns with evidence for 技术成果转化收益率."""
import datetime
import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.support import office
from xiezuo.markets.tech import actions as tech
from xiezuo.markets.tech import facts, matching
from xiezuo.orgs.models import Organisation
from xiezuo.regions.models import Region

D = datetime.date
pytestmark = pytest.mark.django_db


def test_bm25_by_hand():
    # three documents; query "马铃薯 储藏": df(马铃薯) = 2, df(储藏) = 1, N = 3
    idx = matching.Index([(1, "马铃薯 储藏 保鲜", ""), (2, "马铃薯 种植", ""), (3, "光伏 发电", "")])
    hits = idx.search("马铃薯 储藏")
    assert [h["id"] for h in hits] == [1, 2]
    lengths = {1: len(matching.tokens("马铃薯 储藏 保鲜")), 2: len(matching.tokens("马铃薯 种植")), 3: len(matching.tokens("光伏 发电"))}
    avg = sum(lengths.values()) / 3

    def w(df, tf, dl):
        idf = math.log(1 + (3 - df + 0.5) / (df + 0.5))
        return idf * tf * 2.5 / (tf + 1.5 * (0.25 + 0.75 * dl / avg))

    assert hits[0]["score"] == round(w(2, 1, lengths[1]) + w(1, 1, lengths[1]), 3)
    assert hits[1]["score"] == round(w(2, 1, lengths[2]), 3)
    assert hits[0]["words"] == ["储藏", "马铃薯"]  # the rarer word first


def test_ipc_class_counts_and_is_the_reason():
    idx = matching.Index([(1, "冷链 物流", "A23B 7/04"), (2, "冷链 物流", "F25D 13/00")])
    hits = idx.search("冷链", "A23B 7/10")
    assert hits[0]["id"] == 1 and hits[0]["ipc"] == "A23B 7"
    assert hits[1]["ipc"] == ""


@pytest.fixture
def catalogue(users):
    zju = Organisation.objects.create(name="浙江大学（测试）", kind="enterprise", region=Region.objects.get(code="330106"))
    east = users["national"]
    t1 = tech.offer_technology(east, owner=zju, number="ZL202110001234.5", title="高原马铃薯脱毒种薯快繁技术",
                               abstract="利用茎尖脱毒和雾培快繁，提高高寒山区马铃薯种薯质量和产量。", ipc="A01H 4/00")
    t2 = tech.offer_technology(east, owner=zju, number="ZL202020005678.1", title="光伏水泵提灌系统",
                               abstract="太阳能光伏驱动水泵，为山区农田提供灌溉。", ipc="F04B 17/00")
    need = tech.post_need(users["county_office"], county=Region.objects.get(code="513436"), title="马铃薯种薯退化",
                          problem="我县高寒山区马铃薯种薯退化严重，产量低，需要脱毒种薯快繁技术。", sector="种植业", ipc="A01H")
    return t1, t2, need


def test_matching_both_ways_with_shared_words(catalogue):
    t1, t2, need = catalogue
    hits = matching.technologies_for(need)
    assert hits[0]["object"] == t1
    assert "马铃薯" in hits[0]["words"] and "种薯" in hits[0]["words"] and hits[0]["ipc"] == "A01H"
    back = matching.needs_for(t1)
    assert back[0]["object"] == need and "脱毒" in back[0]["words"]


def test_deal_returns_feed_the_indicator_with_evidence(users, catalogue, en):
    t1, _t2, need = catalogue
    meigu = office("513436")
    deal = tech.sign_deal(users["county_office"], technology=t1, licensee=meigu, kind="licence", price_fen=50_000_00,
                          royalty_permille=30, need=need, signed_on=D(2026, 1, 10))
    tech.record_return(users["county_office"], deal=deal, period_end=D(2026, 3, 31), revenue_fen=120_000_00, cost_fen=60_000_00)
    tech.record_return(users["county_office"], deal=deal, period_end=D(2026, 6, 30), revenue_fen=30_000_00, cost_fen=15_000_00)
    with pytest.raises(ValidationError, match="already recorded"):
        tech.record_return(users["county_office"], deal=deal, period_end=D(2026, 6, 30), revenue_fen=1, cost_fen=1)
    got = facts.returns(D(2026, 1, 1), D(2026, 3, 31))
    assert got["513436"]["revenue_fen"] == 120_000_00 and got["513436"]["rate"] == 200.0
    assert got["513436"]["evidence"][0]["technology"] == "ZL202110001234.5"
    assert facts.returns(D(2026, 1, 1), D(2026, 12, 31), regions=["330000"]) == {}
    assert facts.returns(D(2026, 1, 1), D(2026, 12, 31), regions=["510000"])["513436"]["cost_fen"] == 75_000_00
    with pytest.raises(PermissionDenied):  # Zhejiang does not sign in 美姑's name
        tech.sign_deal(users["east_office"], technology=t1, licensee=meigu, kind="licence", price_fen=1, need=need)


def test_bad_ipc_and_western_owner_refused(users, en):
    with pytest.raises(ValidationError) as exc:
        tech.offer_technology(users["national"], owner=office("513436"), number="X1", title="t", ipc="not-ipc")
    assert set(exc.value.message_dict) == {"owner", "ipc"}
