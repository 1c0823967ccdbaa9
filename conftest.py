"""Shared test fixtures.

The real region tree, the real province pairings and the demo (one user per role) are
loaded once per test session into the test database; each test runs in a transaction
that is rolled back, so tests may change anything.
"""
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

DEMO_USERS = ("national", "east_office", "west_office", "county_office", "viewer", "auditor")


def pytest_configure(config):
    """Passwords hashed with a fast hasher in tests only: production's PBKDF2 costs about half a
    second per hash, paid for every demo user each time the browser tests reload the base
    data and at every browser login. What the tests check of passwords (right one accepted,
    wrong one refused) does not depend on the hasher."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from xiezuo.regions.loader import load_former_poverty, load_tree
    from xiezuo.web.demo import seed_demo

    with django_db_blocker.unblock():
        load_tree()
        load_former_poverty()
        seed_demo()


@pytest.fixture
def users(db):
    User = get_user_model()
    return {u.username: u for u in User.objects.filter(username__in=DEMO_USERS)}


@pytest.fixture
def client_as(db):
    """client_as("west_office") → a logged-in Django test client."""

    def make(username):
        client = Client()
        if username:
            client.force_login(get_user_model().objects.get(username=username))
        return client

    return make


@pytest.fixture
def english():
    """Messages in English, for tests that match on wording; the platform's default is Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_work_calendar():
    """Entered holiday arrangements are cached per process; a test's rollback must not leave
    its entered year behind for the next test."""
    yield
    from xiezuo.rhythm.workdays import forget_entered_years

    forget_entered_years()
