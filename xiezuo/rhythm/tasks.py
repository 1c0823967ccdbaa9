"""The rhythm's periodic work as a Celery task (eager on the embedded default): overdue
consultation decisions go one office up. Idempotent, so the daily schedule may repeat it."""
import datetime

from xiezuo.celery import app

from .actions import escalate_overdue


@app.task(name="rhythm.escalate_overdue")
def escalate_overdue_items(today: str | None = None) -> dict:
    result = escalate_overdue(today=datetime.date.fromisoformat(today) if today else None)
    return {"escalated": [item.pk for item in result["escalated"]], "nowhere": [item.pk for item in result["nowhere"]]}
