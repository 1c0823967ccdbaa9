"""Background entry points: recomputation, the consequence rules, escalation.

They are Celery tasks (`xiezuo/celery.py`). On the embedded default no broker is
configured and Celery runs them eagerly, in this process; in production
`XIEZUO_CELERY_BROKER` (e.g. redis://127.0.0.1:6379/1) sends them to workers and the
beat schedule runs them periodically. They take and return plain values (labels, ISO
dates, numbers, dicts) so they cross a queue unchanged. Calling a task like a function
still runs it here and now, which the `assess` command and the tests rely on.
"""
import datetime

from xiezuo.celery import app

from .compute import recompute, stale_periods
from .models import IndicatorSystem
from xiezuo.core.periods import Period


def _day(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


@app.task(name="assessment.recompute_period")
def recompute_period(label: str, version: int | None = None, as_of: str | None = None) -> dict:
    period = Period.parse(label)
    system = IndicatorSystem.objects.filter(number=version).first() if version else IndicatorSystem.current()
    if system is None:
        raise ValueError(f"there is no indicator system version {version}")
    r = recompute(period, system, as_of=_day(as_of))
    return {"period": period.label, "version": r.system, "scores": r.scores, "removed": r.removed, "seconds": r.seconds}


@app.task(name="assessment.recompute_stale")
def recompute_stale(as_of: str | None = None) -> list[dict]:
    """Recompute every (version, period) that has a stale score."""
    out = []
    for system, period in stale_periods():
        r = recompute(period, system, as_of=_day(as_of))
        out.append({"period": period.label, "version": r.system, "scores": r.scores, "removed": r.removed, "seconds": r.seconds})
    return out


@app.task(name="assessment.apply_rules")
def apply_rules(label: str, today: str | None = None) -> dict:
    """Fire the consequence rules for a period (idempotent)."""
    from .loop import apply_rules as run

    return run(Period.parse(label), today=_day(today)).as_dict()


@app.task(name="assessment.recompute_and_apply")
def recompute_and_apply(label: str, version: int | None = None, as_of: str | None = None, today: str | None = None) -> dict:
    """The quarterly evaluation in one step: recompute the period, then apply the rules to
    the fresh scores, so no rule ever looks at scores older than the facts."""
    done = recompute_period(label, version, as_of)
    return {"recompute": done, "rules": apply_rules(label, today)}


@app.task(name="assessment.escalate_overdue")
def escalate_overdue(today: str | None = None) -> dict:
    """Move overdue rectification orders one office up (idempotent; run daily)."""
    from .loop import escalate_overdue as run

    made = run(_day(today))
    return {"escalated": len(made), "orders": sorted({e.order_id for e in made})}


@app.task(name="assessment.daily_loop")
def daily_loop(today: str | None = None) -> dict:
    """The periodic run: recompute what went stale, apply the rules for the running week
    and quarter, escalate what is overdue."""
    from django.utils import timezone

    day = _day(today) or timezone.localdate()
    closed = close_ended_quarter(day.isoformat())
    stale = recompute_stale()
    applied = [apply_rules(Period.containing(kind, day).label, day.isoformat()) for kind in ("week", "quarter")]
    return {"closed": closed, "recomputed": stale, "rules": applied, "escalation": escalate_overdue(day.isoformat())}


@app.task(name="assessment.close_ended_quarter")
def close_ended_quarter(today: str | None = None) -> dict | None:
    """The first run after a quarter's last day computes it once more, and that computation
    closes it (`restatements.is_closing`): from then on what is recorded later waits as a
    pending restatement. Without this run a quarter would close only when someone happened to
    recompute it. Nothing to do once the quarter has closed."""
    from django.utils import timezone

    from .models import Score

    day = _day(today) or timezone.localdate()
    ended = Period.containing("quarter", day).previous()
    system = IndicatorSystem.objects.filter(is_current=True).first()
    if system is None or Score.objects.filter(system=system, period_kind=ended.kind, period_start=ended.start,
                                              closed_at__isnull=False).exists():
        return None
    return recompute_period(ended.label, system.number, None)


def enqueue(task, *args, **kwargs):
    """Run a task through Celery and return its result: eagerly here on the embedded
    default, on a worker (waiting for the result) when a broker is configured."""
    if app.conf.task_always_eager:
        return task.apply(args=args, kwargs=kwargs).get()
    return task.delay(*args, **kwargs).get(timeout=getattr(app.conf, "xiezuo_wait_seconds", 3600))
