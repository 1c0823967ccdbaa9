from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    INDUSTRY = "industry", _("industry cooperation")
    LABOUR = "labour", _("labour cooperation")
    CONSUMPTION = "consumption", _("consumption assistance")
    TALENT = "talent", _("talent exchange")
    SOCIAL = "social", _("social assistance")
    ECOLOGICAL = "ecological", _("ecological")
    INNOVATION = "innovation", _("innovation cooperation")
    PARK = "park", _("co-built park")


class Enclave(models.TextChoices):
    NONE = "", _("not an enclave")
    FORWARD = "forward", _("forward enclave (east builds in the west)")
    REVERSE = "reverse", _("reverse enclave (west runs a base in the east)")


class Status(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    SUSPENDED = "suspended", _("suspended")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


# The only transitions a project may make.
TRANSITIONS = {
    Status.PLANNED: {Status.IN_PROGRESS, Status.SUSPENDED, Status.CANCELLED},
    Status.IN_PROGRESS: {Status.COMPLETED, Status.SUSPENDED, Status.CANCELLED},
    Status.SUSPENDED: {Status.IN_PROGRESS, Status.CANCELLED},
    Status.COMPLETED: set(),
    Status.CANCELLED: set(),
}


class FundSource(models.TextChoices):
    EAST_FISCAL = "east_fiscal", _("eastern fiscal aid")
    SOCIAL = "social", _("social funds")
    ENTERPRISE = "enterprise", _("enterprise investment")
    LOCAL_MATCH = "local_match", _("local match")


class PartnerRole(models.TextChoices):
    LEAD = "lead", _("lead")
    INVESTOR = "investor", _("investor")
    IMPLEMENTER = "implementer", _("implementer")
    BUYER = "buyer", _("buyer")
    ADVISER = "adviser", _("adviser")


class LinkMechanism(models.TextChoices):
    TRUSTEESHIP = "trusteeship", _("production trusteeship")
    ORDER = "order", _("order purchase")
    EMPLOYMENT = "employment", _("employment")
    SHARES = "shares", _("asset shares")


class OwnerTier(models.TextChoices):
    STATE = "state", _("state")
    COLLECTIVE = "collective", _("collective")
    HOUSEHOLD = "household", _("household")


class AssetClass(models.TextChoices):
    BUILDING = "building", _("buildings and plant")
    EQUIPMENT = "equipment", _("equipment")
    INFRASTRUCTURE = "infrastructure", _("infrastructure")
    LAND = "land", _("land improvement")
    LIVESTOCK = "livestock", _("livestock and orchards")
    INTANGIBLE = "intangible", _("intangible")
