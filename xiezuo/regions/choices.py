from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("province")
    PREFECTURE = "prefecture", _("prefecture")
    COUNTY = "county", _("county")


class Role(models.TextChoices):
    EAST = "east", _("east (helping side)")
    WEST = "west", _("west (helped side)")
    NONE = "none", _("neither")


class Tier(models.TextChoices):
    KEY = "key", _("national key assistance county")
    FORMER_POVERTY = "former_poverty", _("former poverty county")
    OTHER = "other", _("other")


# Taiwan, Hong Kong and Macao are in GB/T 2260 but outside East–West Cooperation.
NON_COOPERATION_PROVINCES = frozenset({"71", "81", "82"})
