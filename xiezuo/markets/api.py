"""The factor markets' API (mounted at /api/v1/markets/)."""
from ninja import Router

router = Router(tags=["markets"])
