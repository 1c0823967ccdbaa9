"""A weekly report's project and reporter are checked once per INSERT or UPDATE statement
(`core.refchecks`), not by per-row foreign keys at commit: a report naming a project or user
that does not exist is refused, whole; deleting a project or user that a report names is
refused, unless the reports go first as Django's CASCADE and SET_NULL do."""
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction

from xiezuo.projects.actions import create_project, submit_report, transition
from xiezuo.projects.models import ProgressReport, Project
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db
D = datetime.date
COLUMNS = ("project_id", "week", "percent", "done", "problems", "reported_by_id", "reported_at", "client_ns")


@pytest.fixture
def reported(users):
    n = users["national"]
    p = create_project(n, name="周报测试", category="industry", county=Region.objects.get(code="513436"),
                       planned_start=D(2026, 3, 1), planned_end=D(2026, 12, 31))
    transition(n, p, "in_progress", on=D(2026, 3, 2))
    for week in (D(2026, 3, 2), D(2026, 3, 9)):
        submit_report(n, p, week=week, percent=10)
    return p


@pytest.mark.parametrize("column", ["project_id", "reported_by_id"])
def test_a_report_naming_a_row_that_does_not_exist_is_refused(reported, column):
    ids = list(ProgressReport.objects.order_by("id").values_list("id", flat=True))
    select = ", ".join(f"CASE WHEN id = %s THEN 987654 ELSE {c} END" if c == column else
                       "week + 14" if c == "week" else c for c in COLUMNS)
    with pytest.raises(IntegrityError, match="does not exist"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"INSERT INTO projects_progressreport ({', '.join(COLUMNS)}) SELECT {select} FROM projects_progressreport "
                        "WHERE id IN (%s, %s) ORDER BY id", [ids[-1], *ids])
    with pytest.raises(IntegrityError, match="does not exist"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"UPDATE projects_progressreport SET {column} = 987654 WHERE id = %s", [ids[0]])
    assert ProgressReport.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the delete guards are installed on PostgreSQL")
def test_deleting_what_a_report_names_is_refused_unless_its_reports_go_first(reported, users):
    for table, pk in (("projects_project", reported.pk), ("auth_user", users["national"].pk)):
        with pytest.raises(IntegrityError, match=f"#{pk} of {table} is named by projects_progressreport #"):
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(f"DELETE FROM {table} WHERE id = %s", [pk])
    reporter = get_user_model().objects.create_user("reporter", password="x")
    ProgressReport.objects.filter(project=reported).update(reported_by=reporter)
    reporter.delete()  # SET_NULL first, then the user
    assert ProgressReport.objects.filter(project=reported, reported_by__isnull=True).count() == 2
    with transaction.atomic():
        ProgressReport.objects.filter(project=reported).delete()
        Project.objects.filter(pk=reported.pk).delete()
    assert not Project.objects.filter(pk=reported.pk).exists()
