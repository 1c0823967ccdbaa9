import pytest
from django.utils import translation


@pytest.fixture
def en():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_matching_index():
    """Each test's rows are rolled back; on SQLite their ids are used again by the next test,
    so the cached matching index is dropped between tests."""
    from xiezuo.markets.tech import matching

    matching.forget()
    yield
    matching.forget()
