import pytest
from django.utils import translation


@pytest.fixture
def en():
    with translation.override("en"):
        yield
