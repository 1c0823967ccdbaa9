"""A request its client abandoned stops (issue 13): on PostgreSQL every statement of a web
request is bounded by XIEZUO_STATEMENT_TIMEOUT_MS; a statement stopped at the bound answers
503 with a page (or the API's JSON error), never a 500; commands and tasks are not bounded.
PostgreSQL only (SQLite has no statement timeout); `pg_sleep` stands for a slow query."""
import json

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path
from ninja import NinjaAPI

from xiezuo.core.api import errors

pytestmark = pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                                reason="statement timeouts are PostgreSQL's")


def slow_page(request):
    with connection.cursor() as c:
        c.execute("SELECT pg_sleep(0.5)")
    return HttpResponse("done")


def quick_page(request):
    with connection.cursor() as c:
        c.execute("SHOW statement_timeout")
        return HttpResponse(c.fetchone()[0])


api = NinjaAPI(urls_namespace="timeout-test")
errors.install(api)


@api.get("/slow")
def slow_api(request):
    with connection.cursor() as c:
        c.execute("SELECT pg_sleep(0.5)")
    return {"ok": True}


def _sleep_task():
    with connection.cursor() as c:
        c.execute("SELECT pg_sleep(0.3)")
    return "slept"


def page_with_a_task(request):
    """A page that runs a background task, eagerly as without a broker, then a query of its own."""
    from xiezuo.celery import app

    task = app.task(name="tests.statement_timeout.sleep")(_sleep_task)
    result = task.delay().get()
    with connection.cursor() as c:
        c.execute("SHOW statement_timeout")
        return HttpResponse(f"{result} {c.fetchone()[0]}")


urlpatterns = [path("slow/", slow_page), path("quick/", quick_page), path("task/", page_with_a_task), path("api/", api.urls)]


@pytest.fixture
def bounded(db):
    with override_settings(ROOT_URLCONF=__name__, XIEZUO_STATEMENT_TIMEOUT_MS=50):
        yield Client(raise_request_exception=False)


def test_a_slow_page_is_stopped_and_answers_503_with_a_page_not_500(bounded):
    response = bounded.get("/slow/")
    assert response.status_code == 503
    assert response["Retry-After"]
    text = response.content.decode()
    assert "请求超时" in text and "took too long" in text and "nothing was changed" in text


def test_a_slow_api_call_is_stopped_and_answers_503_in_the_json_error_shape(bounded):
    response = bounded.get("/api/slow")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["error"]["code"] == "timeout"
    assert body["error"]["message"] and body["error"]["fields"] == {}
    assert response["Retry-After"]


def test_requests_carry_the_bound_from_the_setting(bounded):
    assert bounded.get("/quick/").content.decode() == "50ms"
    with override_settings(XIEZUO_STATEMENT_TIMEOUT_MS=15000):
        assert bounded.get("/quick/").content.decode() == "15s"


def test_without_a_bound_the_slow_page_finishes(db):
    with override_settings(ROOT_URLCONF=__name__, XIEZUO_STATEMENT_TIMEOUT_MS=0):
        assert Client().get("/slow/").status_code == 200


def test_work_outside_web_requests_is_not_bounded(db):
    """Commands and Celery tasks (recomputes, generation, `ledger verify`) open their own
    connections, which no request has bounded."""
    with connection.cursor() as c:
        c.execute("SHOW statement_timeout")
        assert c.fetchone()[0] == "0"


def test_the_default_bound_is_set():
    assert settings.XIEZUO_STATEMENT_TIMEOUT_MS > 0


def test_a_background_task_run_inside_a_request_is_not_bounded_and_the_bound_comes_back(bounded):
    from xiezuo.celery import app

    if not app.conf.task_always_eager:
        pytest.skip("a broker is configured: tasks run on workers, never inside a request")
    response = bounded.get("/task/")
    assert response.status_code == 200
    assert response.content.decode() == "slept 50ms"
