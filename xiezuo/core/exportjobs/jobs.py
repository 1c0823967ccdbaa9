"""Starting, running and cleaning export jobs (see the package's docstring)."""
import contextvars
import logging
from dataclasses import dataclass
from urllib.parse import unquote, urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.http import Http404, HttpRequest, QueryDict
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..context import action, acting
from .models import ExportJob

log = logging.getLogger(__name__)

IMMEDIATE_ROWS = 5_000  # default of settings.XIEZUO_EXPORT_IMMEDIATE_ROWS
PROGRESS_MIN_STEP = 200  # rows between two progress writes (or a fiftieth of the list)
IGNORED_PARAMS = ("format", "page")  # the export is the whole list, in Excel


def immediate_rows() -> int:
    return int(getattr(settings, "XIEZUO_EXPORT_IMMEDIATE_ROWS", IMMEDIATE_ROWS))


def background_export(label):
    """Mark a list view whose Excel export may run as a job; `label` names the list on the
    job's page ("ledger postings")."""
    def mark(view):
        view.background_export = label
        return view
    return mark


def list_label(list_name: str):
    """The label of an exportable list, or None when `list_name` is not one: a URL name
    without arguments whose view is marked `background_export`."""
    try:
        view = resolve(reverse(list_name)).func
    except (NoReverseMatch, Resolver404):
        return None
    return getattr(view, "background_export", None)


def clean_query(params) -> str:
    """The list's filters as a query string, without the export and paging parameters."""
    if isinstance(params, str):
        params = QueryDict(params)
    if hasattr(params, "lists"):
        items = [(k, v) for k, values in params.lists() for v in values]
    else:  # a plain dict, from code
        items = [(k, v) for k, value in (params or {}).items() for v in (value if isinstance(value, (list, tuple)) else [value])]
    pairs = [(k, str(v)) for k, v in items if k not in IGNORED_PARAMS and v not in ("", None)]
    return urlencode(sorted(pairs))


# --- the actions --------------------------------------------------------------------------------


@action
def start_export(user, list_name: str, params, *, total: int = 0) -> ExportJob:
    """Queue the export of a list for `user`; a job for the same list and filters that is
    still waiting or running is returned instead of a second one."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied(_("sign in to export"))
    label = list_label(str(list_name or ""))
    if label is None:
        raise ValidationError({"list_name": [_("“%(name)s” is not a list that can be exported") % {"name": list_name}]})
    query = clean_query(params)
    pending = ExportJob.objects.filter(user=user, list_name=list_name, query=query,
                                       status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]).first()
    if pending is not None:
        return pending
    return ExportJob.objects.create(user=user, list_name=list_name, title=str(label)[:200], query=query,
                                    language=translation.get_language() or settings.LANGUAGE_CODE, rows_total=total)


def enqueue(job: ExportJob) -> None:
    """Hand the job to Celery (on the embedded default it runs here and now)."""
    from .tasks import run_export_job

    if job.status == ExportJob.Status.QUEUED:
        run_export_job.delay(job.pk)


def clean_expired(now=None) -> int:
    """Remove the files of jobs past their expiry and mark them expired; returns how many."""
    now = now or timezone.now()
    n = 0
    with acting(via="system"):
        for job in ExportJob.objects.filter(expires__lt=now).exclude(status=ExportJob.Status.EXPIRED):
            if job.file:
                job.file.delete(save=False)
            job.status = ExportJob.Status.EXPIRED
            job.save(update_fields=["status", "file"])
            n += 1
    return n


# --- running a job ------------------------------------------------------------------------------


@dataclass
class _Running:
    job: ExportJob
    reached: bool = False


_running = contextvars.ContextVar("xiezuo_export_job", default=None)


def running():
    """The job being written in this context, if any (`export_or_job` then writes it)."""
    return _running.get()


def write(queryset, export):
    """Called by `export_or_job` inside a running job: count, then export while counting rows."""
    state = _running.get()
    state.reached = True
    job = state.job
    total = queryset.count()
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total, rows_done=0)
    step = max(PROGRESS_MIN_STEP, total // 50)

    def tick(n):
        ExportJob.objects.filter(pk=job.pk).update(rows_done=n)

    return export(_counting(queryset, tick, step))


def _counting(queryset, tick, step):
    """The queryset, reporting every `step` rows read however the export reads it
    (iteration, .iterator(), a clone with select_related…): the row iterable is swapped for
    one that counts, and clones keep it."""
    base = queryset._iterable_class

    class Counting(base):
        def __iter__(self):
            n = 0
            for n, row in enumerate(super().__iter__(), 1):
                if n % step == 0:
                    tick(n)
                yield row
            if n:
                tick(n)

    counted = queryset.all()
    counted._iterable_class = Counting
    return counted


def _request(job: ExportJob) -> HttpRequest:
    """The list page's GET request, as the job's user would send it."""
    path = reverse(job.list_name)
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    query = QueryDict(job.query, mutable=True)
    query["format"] = "xlsx"
    request.GET = query
    request.META.update({"REQUEST_METHOD": "GET", "QUERY_STRING": query.urlencode(), "SERVER_NAME": "export-job",
                         "SERVER_PORT": "80", "PATH_INFO": path})
    request.user = job.user
    request.LANGUAGE_CODE = job.language
    try:
        from django_htmx.middleware import HtmxDetails

        request.htmx = HtmxDetails(request)
    except ImportError:  # pragma: no cover - django-htmx is a requirement
        pass
    request.resolver_match = resolve(path)
    return request


def _filename(response, job) -> str:
    disposition = response.get("Content-Disposition", "")
    if "filename*=UTF-8''" in disposition:
        return unquote(disposition.split("filename*=UTF-8''", 1)[1].split(";")[0].strip())
    return f"{job.title}.xlsx"


def _fail(job, message):
    job.status = ExportJob.Status.FAILED
    job.error = str(message)
    job.finished = timezone.now()
    job.save(update_fields=["status", "error", "finished"])


def run(job_id: int) -> ExportJob | None:
    """Write the job's workbook: the list's view, called again as the user, with the filters
    kept. A user who may no longer see the list, or is no longer active, gets no file."""
    job = ExportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.status != ExportJob.Status.QUEUED:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, started=timezone.now())
    job.status = ExportJob.Status.RUNNING
    state = _Running(job)
    token = _running.set(state)
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE), acting(job.user, via="export"):
            if not job.user.is_active:
                raise PermissionDenied
            request = _request(job)
            match = request.resolver_match
            response = match.func(request, *match.args, **match.kwargs)
            if not state.reached or response.status_code != 200:
                _fail(job, _("this list could not be exported"))
                return job
            job.refresh_from_db(fields=["rows_total", "rows_done"])
            job.filename = _filename(response, job)[:200]
            job.file.save(f"export-{job.pk}.xlsx", ContentFile(response.content), save=False)
            job.status = ExportJob.Status.DONE
            job.rows_done = job.rows_total
            job.finished = timezone.now()
            hours = getattr(settings, "XIEZUO_EXPORT_KEEP_HOURS", 72)
            job.expires = job.finished + timezone.timedelta(hours=hours)
            job.save(update_fields=["filename", "file", "status", "rows_done", "finished", "expires"])
    except (PermissionDenied, Http404):
        _fail(job, _("you may no longer see this list"))
    except Exception:  # noqa: BLE001 - the job says it failed; the log has why
        log.exception("export job %s failed", job.pk)
        _fail(job, _("the export failed; please try again"))
    finally:
        _running.reset(token)
    return job
