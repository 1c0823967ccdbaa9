"""Background entry points for recomputation.

The architecture plans Celery with Redis in production, eager in-process by default.
Celery is not installed yet, so these are plain functions and `enqueue` runs them now, in
this process; when a queue is added, `enqueue` is the one place that changes. They take
and return plain values (labels, numbers, dicts) so they can cross a queue unchanged.
"""
import datetime

from .compute import recompute, stale_periods
from .models import IndicatorSystem
from .periods import Period


def recompute_period(label: str, version: int | None = None, as_of: str | None = None) -> dict:
    period = Period.parse(label)
    system = IndicatorSystem.objects.filter(number=version).first() if version else IndicatorSystem.current()
    if system is None:
        raise ValueError(f"there is no indicator system version {version}")
    day = datetime.date.fromisoformat(as_of) if as_of else None
    r = recompute(period, system, as_of=day)
    return {"period": period.label, "version": r.system, "scores": r.scores, "removed": r.removed, "seconds": r.seconds}


def recompute_stale(as_of: str | None = None) -> list[dict]:
    """Recompute every (version, period) that has a stale score."""
    day = datetime.date.fromisoformat(as_of) if as_of else None
    out = []
    for system, period in stale_periods():
        r = recompute(period, system, as_of=day)
        out.append({"period": period.label, "version": r.system, "scores": r.scores, "removed": r.removed, "seconds": r.seconds})
    return out


def enqueue(task, *args, **kwargs):
    """Run a task. Eager: in this process, now, returning its result."""
    return task(*args, **kwargs)
