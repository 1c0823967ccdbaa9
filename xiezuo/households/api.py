"""The registry's API: households and their members, masked (see `households.privacy`)."""
from ninja import Router

router = Router(tags=["households"])
