"""The Celery application: background work for recomputation, the consequence rules and
escalation.

Settings come from Django's (`CELERY_*`). With no broker configured — the embedded
default, a laptop, the tests — tasks run eagerly in the calling process, so nothing else
has to run. In production set `XIEZUO_CELERY_BROKER=redis://host:6379/1` and start
workers and the scheduler:

    celery -A xiezuo worker -l info
    celery -A xiezuo beat -l info        # the daily loop below
"""
import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings")

app = Celery("xiezuo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["xiezuo.assessment", "xiezuo.rhythm", "xiezuo.core.exportjobs", "xiezuo.ledger", "xiezuo.households"])

# Early every morning (Asia/Shanghai): stale scores, rules, escalation of overdue orders.
app.conf.beat_schedule = {
    "daily-loop": {"task": "assessment.daily_loop", "schedule": crontab(hour=5, minute=30)},
    "daily-decisions": {"task": "rhythm.escalate_overdue", "schedule": crontab(hour=5, minute=45)},
    "daily-export-cleaning": {"task": "core.clean_export_jobs", "schedule": crontab(hour=4, minute=0)},
    # the ledger's signed checkpoint, appended to the auditor's file (ledger/checkpoints.py)
    "daily-ledger-checkpoint": {"task": "ledger.checkpoint", "schedule": crontab(hour=3, minute=30)},
    # the monitoring registry (households/tasks.py): the monthly risk screening on the 1st,
    # escalation of steps past their deadline and the retention rules every day
    "monthly-household-screening": {"task": "households.screen", "schedule": crontab(day_of_month=1, hour=2, minute=0)},
    "daily-household-escalation": {"task": "households.escalate", "schedule": crontab(hour=5, minute=50)},
    "daily-household-retention": {"task": "households.retention", "schedule": crontab(hour=4, minute=15)},
}
