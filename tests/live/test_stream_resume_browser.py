"""A dashboard whose stream is cut by the server (its worker died, a proxy dropped it)
reconnects by itself within seconds and shows the event posted while it was disconnected:
the browser sends the id of the last event it saw, the server replays what it missed."""
import datetime
import threading

import pytest
from django.utils import timezone

from tests.live.test_browser import _meigu_project
from tests.web.test_browser import base_data, browser, page_as, restore_base_data  # noqa: F401 (the browser fixtures, defined once)

pytestmark = pytest.mark.browser


def test_the_dashboard_resumes_after_its_stream_is_cut_and_shows_what_it_missed(page_as, live_server, monkeypatch):
    from xiezuo.core import events
    from xiezuo.core.events import LocalBroker
    from xiezuo.live import stream, views
    from xiezuo.projects.actions import submit_report

    monkeypatch.setattr(events, "_broker", LocalBroker())
    monkeypatch.setattr(stream, "KEEPALIVE_SECONDS", 0.2)
    real, asked, cut = views.event_stream, [], threading.Event()

    def first_connection_cut(user, **kwargs):
        """The first stream ends after its first event (as if its worker died); the next ones are normal."""
        asked.append(kwargs.get("last_event_id"))
        chunks = real(user, **kwargs)
        if len(asked) > 1:
            return chunks

        def until_first_event():
            for chunk in chunks:
                yield chunk
                if chunk.startswith("id: ") and "event: reports" in chunk:
                    break
            chunks.close()
            cut.set()
        return until_first_event()

    monkeypatch.setattr(views, "event_stream", first_connection_cut)
    project = _meigu_project()
    page = page_as("west_office")
    page.goto(live_server.url + "/dashboard/")
    page.wait_for_selector("#live-status.text-bg-success", timeout=10_000)
    page.evaluate("window.__not_reloaded = true")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="county_office")
    today = timezone.localdate()
    submit_report(user, project, week=today, percent=41)  # received, then the server cuts the stream
    page.locator("#feed li[data-live='1']:has-text('41%')").wait_for(timeout=5_000)
    assert cut.wait(5)
    page.wait_for_selector("#live-status.text-bg-warning", timeout=5_000)  # the page noticed
    assert len(asked) == 1  # not reconnected yet
    submit_report(user, project, week=today - datetime.timedelta(days=28), percent=44)  # while disconnected
    missed = page.locator("#feed li[data-live='1']:has-text('44%')")
    missed.wait_for(timeout=10_000)  # replayed after the reconnect (retry: 2–4 s)
    assert len(asked) >= 2 and asked[1]  # the browser sent the id of the last event it saw
    assert page.evaluate("window.__not_reloaded === true")
    page.screenshot(path="/tmp/i13events/resumed.png", full_page=True)
