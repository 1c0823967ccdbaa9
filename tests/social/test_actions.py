"""A need from the cadre's record to the confirmed result, and every refusal on the way."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.support import office
from xiezuo.ledger.balances import balance
from xiezuo.ledger.choices import Purpose
from xiezuo.ledger.models import Account, Posting
from xiezuo.people.actions import save_dispatch
from xiezuo.social import actions
from xiezuo.social.filtersets import published_needs, unanswered_needs
from xiezuo.social.models import Need

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_the_shanghai_model_end_to_end(users, sw, today, english):
    need, county, east = sw["need"], users["county_office"], users["east_office"]
    assert need.status == "recorded"
    need = actions.review_need(east, need, publish=True, note="符合帮扶方向")
    assert need.status == "published" and need.published_at
    need = actions.take_up(sw["social"], need)
    assert need.status == "taken" and need.taken_by == sw["social_org"]
    p1 = actions.pledge(sw["foundation"], need, amount_fen=1_500_000)
    p2 = actions.pledge(sw["foundation"], need, amount_fen=500_000)
    with pytest.raises(ValidationError, match="still open"):
        actions.pledge(sw["foundation"], need, amount_fen=1)
    p1 = actions.pay_pledge(sw["foundation"], p1, paid_on=today)
    need.refresh_from_db()
    assert need.status == "taken"  # 15,000 of 20,000 paid
    with pytest.raises(ValidationError, match="not funded yet"):
        actions.record_result(sw["social"], need, summary="发放校服", evidence="签收单", beneficiaries_reached=42, completed_on=today)
    actions.pay_pledge(sw["foundation"], p2, paid_on=today)
    need.refresh_from_db()
    assert need.status == "funded"
    project_account = Account.objects.get(project=sw["project"], purpose=Purpose.PROJECT)
    assert balance(project_account) == 2_000_000
    assert Posting.objects.filter(project=sw["project"], east_org=sw["foundation_org"]).count() == 2
    with pytest.raises(ValidationError, match="was paid"):
        actions.pay_pledge(sw["foundation"], p1)
    need = actions.record_result(sw["social"], need, summary="42名学生领到冬季校服和文具", evidence="签收单 QS-2026-12",
                                 beneficiaries_reached=42, completed_on=today)
    assert need.status == "done"
    with pytest.raises(PermissionDenied):
        actions.confirm_result(east, need)
    need = actions.confirm_result(county, need)
    assert need.status == "confirmed" and need.confirmed_by == county


def test_who_may_move_a_need(users, sw, english):
    need = sw["need"]
    for role in ("county_office", "viewer", "auditor"):
        with pytest.raises(PermissionDenied):
            actions.review_need(users[role], need, publish=True)
    with pytest.raises(PermissionDenied):
        actions.review_need(sw["social"], need, publish=True)
    with pytest.raises(ValidationError, match="this step is not open"):
        actions.take_up(sw["social"], need)  # not published yet
    actions.review_need(users["east_office"], need, publish=True)
    for user in (users["east_office"], users["county_office"], sw["foundation"], users["auditor"]):
        with pytest.raises(PermissionDenied):
            actions.take_up(user, need)
    with pytest.raises(PermissionDenied):
        actions.pledge(sw["social"], need, amount_fen=100)
    actions.take_up(sw["social"], need)
    with pytest.raises(ValidationError, match="this step is not open"):
        actions.take_up(sw["other_social"], need)
    pledge = actions.pledge(sw["foundation"], need, amount_fen=100)
    with pytest.raises(PermissionDenied):
        actions.pay_pledge(users["county_office"], pledge)
    with pytest.raises(PermissionDenied):
        actions.record_result(sw["other_social"], need, summary="x", evidence="y", beneficiaries_reached=1, completed_on=None)


def test_returned_need_and_bad_input(users, sw, today, english):
    county = users["county_office"]
    with pytest.raises(ValidationError, match="why"):
        actions.review_need(users["east_office"], sw["need"], publish=False)
    need = actions.review_need(users["east_office"], sw["need"], publish=False, note="预算依据不足")
    assert need.status == "returned"
    with pytest.raises(ValidationError) as exc:
        actions.record_need(county, county=office("330212").region, village="", category="food", description="联系人 13812345678",
                            budget_fen=-1, beneficiaries=0, cadre=None)
    assert set(exc.value.message_dict) == {"county", "village", "category", "description", "budget_fen", "beneficiaries", "cadre"}
    with pytest.raises(ValidationError, match="ID numbers"):
        actions.record_need(county, county=sw["meigu"], village="村", category="medical", description="患者身份证 513436199001011234",
                            budget_fen=1, beneficiaries=1, cadre=sw["cadre"])
    doctor = save_dispatch(county, person_name="李医生", kind="medical", direction="e2w", from_org=office("330212"), to_org=office("513436"),
                           planned_start=today, planned_end=today + 30 * DAY, actual_start=today)
    with pytest.raises(ValidationError, match="not a cadre"):
        actions.record_need(county, county=sw["meigu"], village="村", category="medical", description="d", budget_fen=1, beneficiaries=1,
                            cadre=doctor)
    with pytest.raises(PermissionDenied):
        actions.record_need(users["east_office"], county=sw["meigu"], village="村", category="medical", description="d", budget_fen=1,
                            beneficiaries=1, cadre=sw["cadre"])


def test_published_list_and_unanswered_for_30_days(users, sw, today):
    need = actions.review_need(users["east_office"], sw["need"], publish=True)
    assert list(published_needs(sw["foundation"])) == [need]
    assert list(unanswered_needs(users["county_office"], as_of=today)) == []
    assert list(unanswered_needs(users["county_office"], as_of=today + 31 * DAY)) == [need]
    assert list(unanswered_needs(users["east_office"], as_of=today + 31 * DAY)) == [need]
    assert list(unanswered_needs(sw["foundation"], as_of=today + 31 * DAY)) == []  # not an office: the weekly sheet is the offices'

    actions.take_up(sw["social"], need)
    assert list(unanswered_needs(users["county_office"], as_of=today + 31 * DAY)) == []
    assert Need.objects.get(pk=need.pk).status == "taken"
