"""“Export for re-import” on the project, dispatch and posting lists: the filtered rows in the
import format, scoped like the list, and a file that uploads again with every row unchanged."""
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from xiezuo.ledger import actions as ledger
from xiezuo.pairings.models import Agreement
from xiezuo.projects.actions import create_project, set_milestones, submit_report
from xiezuo.regions.models import Region

from tests.support import county_pair

pytestmark = pytest.mark.django_db
WAN = 1_000_000  # fen in 1万元


@pytest.fixture
def project(users):
    today = timezone.localdate()
    pair = county_pair()
    p = create_project(users["county_office"], name="高山蔬菜基地", category="industry", county=Region.objects.get(code="513436"),
                       pairing=pair, planned_start=today - datetime.timedelta(days=120),
                       planned_end=today + datetime.timedelta(days=200), budget={"east_fiscal": 300 * WAN})
    set_milestones(users["county_office"], p, [("选址", today + datetime.timedelta(days=30)), ("投产", today + datetime.timedelta(days=90))])
    submit_report(users["county_office"], p, week=today - datetime.timedelta(days=7), percent=35, done="完成选址")
    return p


def rows_of(response):
    assert response.status_code == 200, response.content[:300]
    ws = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def reimport(client, kind, content):
    client.cookies["django_language"] = "en"
    return client.post(reverse("import-run", args=[kind]), {"file": SimpleUploadedFile("x.xlsx", content)})


@pytest.mark.parametrize("kind", ["projects", "milestones", "progress-reports"])
def test_project_list_exports_each_kind_for_re_import_unchanged(client_as, project, kind):
    client = client_as("county_office")
    page = client.get(reverse("project-list"))
    assert f"format=import-{kind}" in page.content.decode()
    response = client.get(reverse("project-list"), {"format": f"import-{kind}"})
    rows = rows_of(response)
    assert len(rows) > 1 and project.code in [str(c) for row in rows[1:] for c in row]
    result = reimport(client, kind, response.content)
    html = result.content.decode()
    assert result.status_code == 200 and "import-errors" not in html
    assert " 0 created, 0 updated" in html


def test_posting_list_exports_for_re_import_and_posts_nothing_twice(client_as, users, project):
    agreement = Agreement.objects.get(pairing=project.pairing, year=timezone.localdate().year)
    ledger.allocate(users["east_office"], agreement=agreement, amount_fen=5 * WAN, idempotency_key="rt-alloc")
    client = client_as("east_office")
    response = client.get(reverse("ledger-postings"), {"format": "import-postings"})
    assert len(rows_of(response)) == 2
    from xiezuo.ledger.models import Posting

    before = Posting.objects.count()
    result = reimport(client, "postings", response.content)
    assert "import-errors" not in result.content.decode()
    assert Posting.objects.count() == before


def test_round_trip_exports_keep_the_scoping_rule(client_as, project):
    rows = rows_of(client_as("national").get(reverse("project-list"), {"format": "import-projects", "q": project.code}))
    assert len(rows) == 2
    # Guangdong's office does not see 美姑县: its export has the headers only.
    from xiezuo.users.models import Profile
    from django.contrib.auth import get_user_model

    gd = get_user_model().objects.create_user("gd", password="x")
    from xiezuo.orgs.models import Organisation

    Profile.objects.create(user=gd, organisation=Organisation.objects.filter(kind="office", region__code="440000").first()
                           or Organisation.objects.create(name="广东省东西部协作办公室", kind="office", region=Region.objects.get(code="440000")),
                           role="office_admin")
    from django.test import Client

    c = Client()
    c.force_login(gd)
    assert len(rows_of(c.get(reverse("project-list"), {"format": "import-projects"}))) == 1
    assert c.get(reverse("project-list"), {"format": "import-nonsense"}).status_code == 404
