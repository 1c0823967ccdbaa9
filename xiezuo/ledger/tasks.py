"""The ledger's daily checkpoint as a Celery task (on the beat schedule in xiezuo/celery.py).

A refusal (no key, no file, a broken chain or one that no longer matches the last
checkpoint) is raised, not swallowed: the worker logs it as a failed task, which is the
alarm the operator must see on the day it happens."""
from xiezuo.celery import app

from . import checkpoints


@app.task(name="ledger.checkpoint")
def take_checkpoint() -> dict:
    cp = checkpoints.take()
    return {"entries": cp.entries, "head": cp.head, "last_entry_id": cp.last_entry_id, "at": cp.at, "key_id": cp.key_id}
