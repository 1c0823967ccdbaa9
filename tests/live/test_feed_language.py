"""The dashboard's feed speaks the officials' language: Beijing time, money in 万元 with its
unit, the same line whether it was pushed or read back after a reload, and a project's
status change pushed like a report or a posting."""
import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from xiezuo.core.events import broker
from xiezuo.core.scoping import scope_for
from xiezuo.ledger import actions as ledger
from xiezuo.live.stream import filter_event, worded
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.projects.actions import create_project, submit_report, transition
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db
WAN = 10_000_00


@pytest.fixture
def stream():
    subscription = broker().subscribe()
    yield subscription
    subscription.close()


def pushed(subscription, user, language="zh-hans"):
    """The events that reached `user`'s open dashboard, worded for them."""
    out = []
    while (message := subscription.get(0.01)) is not None:
        shown = filter_event(scope_for(user), message)
        if shown:
            out.append(json.loads(worded(shown, language)))
    return out


def lines(events, kind):
    return [line for e in events if e["kind"] == kind for line in e["lines"]]


@pytest.fixture
def project(users):
    today = timezone.localdate()
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    return create_project(users["county_office"], name="冷链仓储", category="consumption", county=Region.objects.get(code="513436"),
                          pairing=pair, planned_start=today - datetime.timedelta(days=30), planned_end=today + datetime.timedelta(days=300))


def _disburse(users, project, fen):
    today = timezone.localdate()
    agreement = Agreement.objects.get(pairing=project.pairing, year=today.year)
    a = ledger.allocate(users["east_office"], agreement=agreement, amount_fen=50 * WAN, idempotency_key="feed-a1")
    ledger.confirm_arrival(users["county_office"], allocation=a, arrived_on=today, idempotency_key="feed-r1")
    return ledger.disburse(users["county_office"], project=project, amount_fen=fen, idempotency_key="feed-d1")


def _beijing_minutes():
    """The feed's time for now, in Beijing and in UTC (either side of a minute's turn)."""
    now = timezone.now()
    moments = [now, now + datetime.timedelta(seconds=60)]
    beijing = {timezone.localtime(m).strftime("%m-%d %H:%M") for m in moments}
    utc = {m.astimezone(datetime.timezone.utc).strftime("%m-%d %H:%M") for m in moments}
    return beijing, utc


def test_a_pushed_disbursement_reads_in_chinese_in_10k_yuan_at_beijing_time(users, project, stream, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _disburse(users, project, 1_234_560)  # 12,345.60 yuan
    beijing, utc = _beijing_minutes()
    events = pushed(stream, users["county_office"])
    money = lines(events, "ledger")
    assert "资金拨付 1.23万元" in [line["text"] for line in money]
    assert all("¥" not in line["text"] and "disbursement" not in line["text"] for line in money)
    assert {line["time"] for line in money} <= beijing and not {line["time"] for line in money} & utc
    # in English for a reader who chose English, with the unit written
    with django_capture_on_commit_callbacks(execute=True):
        ledger.disburse(users["county_office"], project=project, amount_fen=1_234_560, idempotency_key="feed-d2")
    english = lines(pushed(stream, users["county_office"], "en"), "ledger")
    assert [line["text"] for line in english] == ["disbursement of 1.23 (10k yuan)"]


def test_after_a_reload_the_feed_shows_the_lines_that_were_pushed(users, project, stream, client_as, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        _disburse(users, project, 1_234_560)
        submit_report(users["county_office"], project, week=today, percent=35, done="冷库封顶")
    events = pushed(stream, users["county_office"])
    live = [line for e in events for line in e["lines"]]
    page = client_as("county_office").get(reverse("dashboard"))
    feed = [item for item in page.context["d"]["feed"]]
    reloaded = {item["text"] for item in feed}
    for line in live:
        assert line["text"] in reloaded, line
    assert f"周报 {project.code} 冷链仓储：完成35%" in reloaded
    html = page.content.decode()
    assert "资金拨付 1.23万元" in html and "资金安排 50.00万元" in html
    # the reloaded lines keep their times in Beijing time, like the pushed ones
    pushed_times = {line["time"] for line in live}
    shown = {timezone.localtime(item["time"]).strftime("%m-%d %H:%M") for item in feed if item["text"] in {l["text"] for l in live}}
    assert shown and shown <= pushed_times | {t for t in _beijing_minutes()[0]}


def test_a_project_status_change_is_pushed_and_read_back(users, project, stream, client_as, django_user_model,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        transition(users["county_office"], project, "in_progress")
    expected = f"项目 {project.code} 冷链仓储：计划 → 实施中"
    county = pushed(stream, users["county_office"])
    assert [line["text"] for line in lines(county, "project")] == [expected]
    # the eastern partner sees it; an office elsewhere does not
    from xiezuo.orgs.models import Organisation
    from xiezuo.users.models import Profile

    with django_capture_on_commit_callbacks(execute=True):
        transition(users["county_office"], project, "suspended")
    stranger = django_user_model.objects.create_user("gd_feed")
    Profile.objects.create(user=stranger, role="office_admin", organisation=Organisation.objects.get(kind="office", region__code="440000"))
    messages = []
    while (m := stream.get(0.01)) is not None:
        messages.append(m)
    assert any(filter_event(scope_for(users["east_office"]), m) for m in messages)
    assert not any(filter_event(scope_for(stranger), m) for m in messages)
    # after a reload, the county office (which may not read the audit log) still sees both changes
    texts = [item["text"] for item in client_as("county_office").get(reverse("dashboard")).context["d"]["feed"]]
    assert expected in texts and f"项目 {project.code} 冷链仓储：实施中 → 暂停" in texts


def test_reloaded_audit_lines_say_what_was_done_to_what(users, project, client_as):
    """An audit reader's feed names the action and the kind of object, not a bare name."""
    from xiezuo.projects.actions import set_milestones

    today = timezone.localdate()
    set_milestones(users["county_office"], project, [("竣工验收", today + datetime.timedelta(days=100))])
    texts = [item["text"] for item in client_as("national").get(reverse("dashboard")).context["d"]["feed"]]
    milestone = [t for t in texts if "竣工验收" in t]
    assert milestone and all(t.startswith("新增") for t in milestone), texts
