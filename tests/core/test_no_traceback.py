"""No traceback in any answer unless XIEZUO_DEBUG=1 (issue 12): DEBUG is off unless asked
for, a failing page answers the plain bilingual 500 page, a failing API call answers the JSON
error shape; static files are served with DEBUG off; a database still locked by another
writer answers a retryable 503 (page) or 503 JSON with Retry-After (API), never 500."""
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import include, path

from xiezuo.users.models import ApiToken

pytestmark = pytest.mark.django_db


def _boom(request):
    raise ZeroDivisionError("secret detail 42")


def _busy(request):
    raise OperationalError("database is locked")


urlpatterns = [path("boom/", _boom), path("busy/", _busy), path("", include("xiezuo.urls"))]


def _debug_with(env_value):
    env = {k: v for k, v in os.environ.items() if k != "XIEZUO_DEBUG"}
    if env_value is not None:
        env["XIEZUO_DEBUG"] = env_value
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='xiezuo.settings'; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                          cwd=settings.BASE_DIR).stdout.strip()


def test_debug_is_off_unless_set_explicitly():
    assert _debug_with(None) == "False"
    assert _debug_with("0") == "False"
    assert _debug_with("1") == "True"


def test_the_test_suite_runs_with_debug_off():
    assert settings.DEBUG is False


@override_settings(ROOT_URLCONF=__name__)
def test_a_failing_page_answers_the_plain_500_page_without_a_traceback():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "服务器错误" in text and "Server error" in text
    assert "Traceback" not in text and "secret detail" not in text and "ZeroDivisionError" not in text


def test_a_failing_api_call_answers_the_json_error_shape_without_a_traceback(users, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("secret detail 42")

    monkeypatch.setattr("xiezuo.regions.api.filtersets.regions", broken)
    token = ApiToken.issue(users["national"])
    response = Client(raise_request_exception=False).get("/api/v1/regions", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 500
    body = response.json()
    assert body["error"]["code"] == "server_error" and body["error"]["fields"] == {}
    assert b"Traceback" not in response.content and b"secret detail" not in response.content


def test_static_files_are_served_with_debug_off():
    response = Client().get("/static/css/app.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])


@override_settings(ROOT_URLCONF=__name__)
def test_a_page_that_finds_the_database_locked_answers_503_with_retry_after():
    response = Client(raise_request_exception=False).get("/busy/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "系统繁忙" in response.content.decode()


def test_an_api_call_that_finds_the_database_locked_answers_503_json_with_retry_after(users, monkeypatch):
    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("xiezuo.regions.api.filtersets.regions", locked)
    token = ApiToken.issue(users["national"])
    response = Client(raise_request_exception=False).get("/api/v1/regions", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "busy"
    assert int(response["Retry-After"]) > 0
