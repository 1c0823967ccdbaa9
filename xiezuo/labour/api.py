"""劳务协作 in the API (filled in below)."""
from ninja import Router

router = Router(tags=["labour"])
