"""Live updates do not multiply work: every open page of an office re-fetches its figures
after an event, and the office's pages share one computation per change instead of one
each — while no page ever gets figures older than the event that made it ask."""
import datetime
import threading

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from xiezuo.core import events
from xiezuo.core.events import LocalBroker
from xiezuo.core.scoping import Scope
from xiezuo.live import stream, views
from xiezuo.pairings.models import Pairing
from xiezuo.projects.actions import create_project, transition
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db
D = datetime.date
K, N = 10, 4  # open pages of one office, writes


@pytest.fixture
def counted(monkeypatch):
    """Counts the computations of the figures (views.dashboard), with a broker of the test's own."""
    monkeypatch.setattr(events, "_broker", LocalBroker())
    cache.clear()
    calls = []
    real = views.dashboard

    def dashboard(user, *args, **kwargs):
        calls.append(user.username)
        return real(user, *args, **kwargs)

    monkeypatch.setattr(views, "dashboard", dashboard)
    yield calls
    cache.clear()


def projects(users, n):
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    return [create_project(users["county_office"], name=f"冷链仓储{i}", category="consumption", county=Region.objects.get(code="513436"),
                           pairing=pair, planned_start=D(2026, 1, 5), planned_end=D(2026, 12, 20)) for i in range(n)]


def in_progress(html):
    return int(html.split('data-status="in_progress">')[1].split("<")[0])


def test_ten_open_pages_of_one_office_cost_one_computation_per_write(users, client_as, counted, django_capture_on_commit_callbacks):
    """K pages of west_office each open the stream; every write's event makes each re-fetch.
    Before: K × N computations; now N, and every page sees the write's effect."""
    made = projects(users, N)
    pages = [client_as("west_office") for _ in range(K)]
    subscriptions = [events.broker().subscribe() for _ in range(K)]
    seen = None
    for project in made:
        with django_capture_on_commit_callbacks(execute=True):
            transition(users["county_office"], project, "in_progress", on=D(2026, 1, 6))
        answers = set()
        for page, sub in zip(pages, subscriptions):
            heard = sub.next(0.5)
            assert heard is not None  # the page heard the event…
            response = page.get("/dashboard/", {"partial": "figures", "after": heard[0]})  # …and re-fetches, naming it
            assert response.status_code == 200
            answers.add(in_progress(response.content.decode()))
        assert len(answers) == 1
        now = answers.pop()
        assert seen is None or now == seen + 1  # never the figures from before the event
        seen = now
    assert len(counted) == N  # was K × N = 40


AFTER = {"partial": "figures", "after": "1796548790617655"}


def test_offices_and_languages_do_not_share_figures(users, client_as, counted):
    west = client_as("west_office").get("/dashboard/", AFTER).content.decode()
    county = client_as("county_office").get("/dashboard/", AFTER).content.decode()
    national = client_as("national").get("/dashboard/", AFTER).content.decode()
    assert len(counted) == 3
    assert in_progress(national) >= in_progress(west) >= in_progress(county)
    reader = client_as("west_office")
    reader.cookies["django_language"] = "en"  # the language switch
    english = reader.get("/dashboard/", AFTER).content.decode()
    assert len(counted) == 4 and english != west


def test_only_a_refetch_naming_its_event_is_shared_the_rest_is_computed_afresh(users, client_as, counted, client, django_user_model):
    """A change that sends no event (a new project) shows on the next plain request at once;
    the shared answer serves only the re-fetches that follow one event."""
    west = client_as("west_office")
    before = in_progress(west.get("/dashboard/", AFTER).content.decode())
    west.get("/dashboard/", AFTER)
    assert len(counted) == 1
    [project] = projects(users, 1)
    transition(users["county_office"], project, "in_progress", on=D(2026, 1, 6))  # no commit: no event sent
    assert in_progress(west.get("/dashboard/", {"partial": "figures"}).content.decode()) == before + 1
    assert in_progress(west.get("/dashboard/", {**AFTER, "after": "1796548790617656"}).content.decode()) == before + 1
    page = west.get("/dashboard/")
    assert page.status_code == 200 and "dashboard-data" in page.content.decode()
    for odd in ({**AFTER, "x": "1"}, {**AFTER, "after": "<script>"}, {**AFTER, "after": ""}):
        assert west.get("/dashboard/", odd).status_code == 200
    assert len(counted) == 7  # every request but the second computed
    assert client_as(None).get("/dashboard/", AFTER).status_code == 302
    client.force_login(django_user_model.objects.create_user("no-office"))  # no organisation, no figures
    assert client.get("/dashboard/", AFTER).status_code == 403


def test_pages_asking_at_the_same_moment_wait_for_one_computation(monkeypatch):
    """Ten re-fetches arriving together (one event, ten pages) while the figures are being
    computed: one computes, the others take its answer."""
    from django.http import HttpResponse

    monkeypatch.setattr(events, "_broker", LocalBroker())
    monkeypatch.setattr(stream, "scope_for", lambda user: Scope(role="office_admin", own="51", active=True))
    cache.clear()
    computed, started = [], threading.Event()
    release = threading.Event()

    def view(request):
        computed.append(1)
        started.set()
        release.wait(5)
        return HttpResponse("<p>figures</p>")

    shared = stream.shared_figures(view)
    factory = RequestFactory()
    answers = []

    def ask():
        request = factory.get("/dashboard/", AFTER)
        request.user = object()
        answers.append(shared(request).content)

    first = threading.Thread(target=ask)
    first.start()
    started.wait(5)
    others = [threading.Thread(target=ask) for _ in range(9)]
    for t in others:
        t.start()
    release.set()
    for t in [first, *others]:
        t.join(10)
    assert len(computed) == 1 and answers == [b"<p>figures</p>"] * 10
    cache.clear()
