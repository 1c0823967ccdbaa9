"""The export jobs' Celery tasks (eager on the embedded default)."""
from xiezuo.celery import app

from . import jobs


@app.task(name="core.run_export_job")
def run_export_job(job_id: int) -> str:
    job = jobs.run(job_id)
    return job.status if job is not None else "missing"


@app.task(name="core.clean_export_jobs")
def clean_export_jobs() -> int:
    """Daily: the files of expired exports are removed."""
    return jobs.clean_expired()
