"""The registry's periodic jobs as Celery tasks (beat schedule in xiezuo/celery.py), the same
functions as `manage.py households screen|escalate|retention`."""
from django.utils import timezone

from xiezuo.celery import app
from xiezuo.core.context import acting


@app.task(name="households.screen")
def screen() -> dict:
    from .screening import run_screening

    with acting(via="system"):
        run = run_screening(timezone.localdate())
    return {"month": run.month.isoformat(), "households": run.households, "flagged": run.flagged, "seconds": run.seconds}


@app.task(name="households.escalate")
def escalate() -> int:
    from .actions import escalate_overdue

    with acting(via="system"):
        return escalate_overdue()


@app.task(name="households.retention")
def retention() -> dict:
    from .retention import apply_retention

    with acting(via="system"):
        return apply_retention()
