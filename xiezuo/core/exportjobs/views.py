"""The export jobs' pages: my exports, one job's progress (polled by htmx), its download.
A job is its owner's alone: anyone else gets 404, as for a job that does not exist."""
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from .models import ExportJob


def _own(request, pk) -> ExportJob:
    return get_object_or_404(ExportJob, pk=pk, user=request.user)


def _list_url(job) -> str:
    try:
        url = reverse(job.list_name)
    except NoReverseMatch:
        return ""
    return f"{url}?{job.query}" if job.query else url


@login_required
def job_list(request):
    jobs = ExportJob.objects.filter(user=request.user)[:50]
    return render(request, "core/export_jobs.html", {"jobs": jobs})


@login_required
def job_detail(request, pk):
    job = _own(request, pk)
    context = {"job": job, "list_url": _list_url(job)}
    if request.htmx and request.GET.get("part") == "status":
        return render(request, "core/_export_job_status.html", context)
    return render(request, "core/export_job.html", context)


@login_required
def job_download(request, pk):
    job = _own(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404(_("this export has no file (it is not ready, failed or has expired)"))
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename or f"export-{job.pk}.xlsx")
