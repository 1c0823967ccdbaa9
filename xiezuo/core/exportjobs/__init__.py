"""Exports that run in the background (导出任务).

A list page exports its rows at once when they are few; past a threshold
(`XIEZUO_EXPORT_IMMEDIATE_ROWS`, 5,000 by default) the page starts a job instead and sends
the user to its page, which shows the rows written so far and, when the workbook is ready,
the download. The job is a Celery task (run in the calling process on the embedded
default, where no broker is configured).

How a page takes part: its view is marked `@background_export(label)` and hands its Excel
export to `core.ui.views.export_or_job(request, queryset, export)` instead of calling the
export itself. The job keeps the page's URL name and query string and, when it runs, calls
that same view again as the user: the filter set, the user's scope as it stands then and
the app's export columns are the page's own, with nothing registered twice.
"""
