"""The re-pairing API: scenarios (POST to create and queue, GET to read)."""
from ninja import Router

router = Router(tags=["repairing"])
