"""Long Excel exports run in the background: a small list downloads at once; a large one
becomes an export job whose page shows the rows written and, when ready, the download —
for the user who asked and nobody else. The job runs the list's own page again as that
user, so their scope and filters apply as they stand when it runs.

Lists here are the ledger's postings (`/funds/postings/`), the list whose 22,948 rows took
33 s with nothing on screen; the threshold is lowered so that a handful of postings is
"large". Celery has no broker in the tests, so jobs run eagerly (the embedded default)."""
import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.support import agreement_of, county_pair
from xiezuo.core.exportjobs import jobs
from xiezuo.core.models import AuditEntry, ExportJob
from xiezuo.ledger.actions import allocate
from xiezuo.ledger.filtersets import postings

pytestmark = pytest.mark.django_db
URL = "/funds/postings/"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.XIEZUO_EXPORT_IMMEDIATE_ROWS = 3
    return tmp_path


@pytest.fixture
def allocations(users):
    agreement = agreement_of(county_pair(), 2026)
    return [allocate(users["national"], agreement=agreement, amount_fen=1_000_00 * (i + 1), idempotency_key=f"export-job-{i}",
                     booked_on=datetime.date(2026, 5, 1 + i)) for i in range(5)]


def _sheet(content: bytes):
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], rows[1:]


def _download(client, job):
    response = client.get(reverse("export-job-download", args=[job.pk]))
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def test_small_export_downloads_at_once(allocations, client_as, settings):
    settings.XIEZUO_EXPORT_IMMEDIATE_ROWS = 100_000
    response = client_as("national").get(URL, {"format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not ExportJob.objects.exists()


def test_large_export_becomes_a_job_that_completes_eagerly_with_the_same_rows(allocations, client_as, users, settings):
    client = client_as("national")
    response = client.get(URL, {"format": "xlsx", "page": "2"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("export-job", args=[job.pk])
    assert job.user == users["national"] and job.list_name == "ledger-postings" and job.query == ""  # the whole list, not a page
    assert job.status == ExportJob.Status.DONE  # eager: run in the request
    n = postings(users["national"]).count()
    assert n > 3 and job.rows_total == n and job.rows_done == n and job.percent == 100.0
    assert job.file.name.startswith("private/exports/") and job.finished and job.expires > job.finished

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert reverse("export-job-download", args=[job.pk]) in page.content.decode()
    assert "hx-trigger" not in page.content.decode()  # finished: no more polling

    _response, content = _download(client, job)
    settings.XIEZUO_EXPORT_IMMEDIATE_ROWS = 100_000
    header, rows = _sheet(content)
    immediate_header, immediate_rows = _sheet(client.get(URL, {"format": "xlsx"}).content)
    assert header == immediate_header and len(rows) == len(immediate_rows) == n
    assert [r[0] for r in rows] == [r[0] for r in immediate_rows]  # the app's columns and order


def test_the_job_keeps_the_filters_and_applies_the_users_scope_when_it_runs(allocations, client_as, users):
    client = client_as("west_office")
    client.get(URL, {"format": "xlsx", "kind": "allocation"})
    job = ExportJob.objects.get(user=users["west_office"])
    assert job.query == "kind=allocation"
    expected = postings(users["west_office"], kind="allocation")
    assert job.rows_total == expected.count() < postings(users["national"]).count() + 1
    _response, content = _download(client, job)
    _header, rows = _sheet(content)
    assert sorted(r[0] for r in rows) == sorted(expected.values_list("pk", flat=True))


def test_progress_is_shown_while_the_job_runs(allocations, users, client_as, monkeypatch):
    job = jobs.start_export(users["national"], "ledger-postings", {})  # queued, not yet run
    client = client_as("national")
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page and "data-testid=\"export-status\"" in page
    status = client.get(job.get_absolute_url(), {"part": "status"}, HTTP_HX_REQUEST="true")
    assert status.status_code == 200 and "<html" not in status.content.decode()

    seen = []
    monkeypatch.setattr(jobs, "PROGRESS_MIN_STEP", 1)
    from xiezuo.ledger import exports

    real = exports.export_postings

    def watching(qs):
        def rows():
            for p in qs.iterator(chunk_size=2):  # as the ledger's export reads: streamed
                seen.append(ExportJob.objects.get(pk=job.pk).rows_done)
                yield p
        response = real(_Rows(qs, rows))
        return response

    monkeypatch.setattr("xiezuo.ledger.views.export_postings", watching)
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert seen == list(range(1, job.rows_total + 1))  # the count rose row by row as they were read


class _Rows:
    """A stand-in queryset for the export: iterating it walks the counted rows."""

    def __init__(self, qs, rows):
        self._qs, self._rows = qs, rows

    def iterator(self, chunk_size=None):
        return self._rows()

    def __iter__(self):
        return self._rows()


def test_only_the_owner_sees_or_downloads_a_job(allocations, client_as, users):
    client_as("national").get(URL, {"format": "xlsx"})
    job = ExportJob.objects.get()
    for name in ("west_office", "auditor", "viewer"):
        other = client_as(name)
        assert other.get(job.get_absolute_url()).status_code == 404
        assert other.get(reverse("export-job-download", args=[job.pk])).status_code == 404
        assert job.title not in other.get(reverse("export-jobs")).content.decode()
    anonymous = client_as(None).get(reverse("export-job-download", args=[job.pk]))
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]
    assert job.title in client_as("national").get(reverse("export-jobs")).content.decode()


def test_lists_that_are_not_exportable_are_refused(users):
    for name in ("no-such-list", "pairing-list", "logout", "export-jobs", ""):
        with pytest.raises(ValidationError):
            jobs.start_export(users["national"], name, {})
    assert not ExportJob.objects.exists()


def test_a_user_deactivated_before_the_job_runs_gets_no_file(allocations, users):
    user = users["west_office"]
    job = jobs.start_export(user, "ledger-postings", {})
    user.is_active = False
    user.save()
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file


def test_asking_twice_while_running_reuses_the_job(allocations, users):
    first = jobs.start_export(users["national"], "ledger-postings", {"kind": "allocation", "format": "xlsx"})
    again = jobs.start_export(users["national"], "ledger-postings", {"kind": "allocation"})
    assert first.pk == again.pk and ExportJob.objects.count() == 1


def test_starting_and_finishing_an_export_are_audited(allocations, client_as, users):
    client_as("national").get(URL, {"format": "xlsx", "kind": "allocation"})
    job = ExportJob.objects.get()
    entries = AuditEntry.objects.filter(object_type="core.exportjob", object_id=str(job.pk)).order_by("id")
    assert [e.action for e in entries][:1] == ["create"] and entries[0].username == "national"
    assert entries[0].after["list_name"] == "ledger-postings" and entries[0].after["query"] == "kind=allocation"
    assert any(e.action == "update" and (e.after or {}).get("status") == "done" for e in entries)


def test_expired_files_are_removed(allocations, client_as, private_media):
    client = client_as("national")
    client.get(URL, {"format": "xlsx"})
    job = ExportJob.objects.get()
    path = private_media / job.file.name
    assert path.exists()
    assert jobs.clean_expired(now=timezone.now()) == 0  # kept until its expiry
    assert jobs.clean_expired(now=job.expires + datetime.timedelta(seconds=1)) == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not path.exists()
    assert client.get(reverse("export-job-download", args=[job.pk])).status_code == 404
    assert client.get(job.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("url", ["/projects/", "/people/", "/audit/"])
def test_the_other_long_lists_export_in_the_background_too(allocations, client_as, settings, url):
    """Projects, dispatched people and the audit log grow as large as the postings: past the
    threshold their export is a job as well, with the same rows as a direct download."""
    settings.XIEZUO_EXPORT_IMMEDIATE_ROWS = 100_000
    client = client_as("national")
    direct = client.get(url, {"format": "xlsx"})
    assert direct.status_code == 200
    header, rows = _sheet(b"".join(direct.streaming_content) if direct.streaming else direct.content)
    settings.XIEZUO_EXPORT_IMMEDIATE_ROWS = -1  # every export is "large"
    response = client.get(url, {"format": "xlsx"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert response["Location"] == job.get_absolute_url() and job.status == ExportJob.Status.DONE
    _response, content = _download(client, job)
    job_header, job_rows = _sheet(content)
    assert job_header == header
    # the audit log's own export records the job it started, newest first
    assert job_rows[-len(rows):] == rows and len(job_rows) - len(rows) == (1 if url == "/audit/" else 0)
