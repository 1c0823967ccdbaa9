"""Numbers as officials quote them: percentages to one decimal on every page."""
import re
from decimal import Decimal

from django.template import Context, Template

from tests.assessment.test_scorecard_pages import card_url, computed_world, q2  # noqa: F401 (the computed world, once per module)


def render(text, **context):
    return Template("{% load xiezuo %}" + text).render(Context(context))


def test_percentages_are_shown_to_one_decimal():
    assert render("{{ v|pct }}", v=Decimal("54.4883")) == "54.5"
    assert render("{{ v|pct }}", v="3.0303") == "3.0"
    assert render("{{ v|pct }}", v=100) == "100.0"
    assert render("{{ v|pct }}", v=None) == "—"
    assert render("{{ v|measure:u }}", v="0.0500", u="%") == "0.1"  # half up
    assert render("{{ v|measure:u }}", v="12", u="人") == "12"  # other units as stored


def test_a_scorecard_shows_its_indicator_percentages_to_one_decimal(q2, client_as):
    html = client_as("county_office").get(card_url("region", "513436")).content.decode()
    values = re.findall(r'data-testid="value">([^<]*)<', html)
    assert values, "the scorecard lists its indicators' values"
    assert all(v == "—" or re.fullmatch(r"-?[\d,]+\.\d", v) for v in values), values
