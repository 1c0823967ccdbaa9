from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PairingKind(models.TextChoices):
    PROVINCE = "province", _("province–province")
    PREFECTURE = "prefecture", _("city–city/county")
    COUNTY = "county", _("county–county")
    SCHOOL = "school", _("school–school")
    HOSPITAL = "hospital", _("hospital–hospital")
    ENTERPRISE_VILLAGE = "enterprise_village", _("enterprise–village")
    SOCIAL_VILLAGE = "social_village", _("social organisation–village")


REGION_KINDS = (PairingKind.PROVINCE, PairingKind.PREFECTURE, PairingKind.COUNTY)
SECTOR_KINDS = (PairingKind.SCHOOL, PairingKind.HOSPITAL, PairingKind.ENTERPRISE_VILLAGE, PairingKind.SOCIAL_VILLAGE)

# For sector pairings: which organisation kinds sit on each side.
SECTOR_ORG_KINDS = {
    PairingKind.SCHOOL: ("school", "school"),
    PairingKind.HOSPITAL: ("hospital", "hospital"),
    PairingKind.ENTERPRISE_VILLAGE: ("enterprise", None),
    PairingKind.SOCIAL_VILLAGE: ("social", None),
}


class ChangeKind(models.TextChoices):
    CREATED = "created", _("created")
    ADJUSTED = "adjusted", _("adjusted")
    ENDED = "ended", _("ended")
    REQUESTED = "requested", pgettext_lazy("pairing change", "requested")
    APPROVED = "approved", pgettext_lazy("pairing change", "approved")
    REJECTED = "rejected", pgettext_lazy("pairing change", "rejected")


class Status(models.TextChoices):
    """Whether a pairing is in force as far as anyone's view goes: a pairing outside its
    province pairing (an override) asked for by an office waits for the office above."""

    REQUESTED = "requested", pgettext_lazy("pairing status", "requested")
    APPROVED = "approved", pgettext_lazy("pairing status", "approved")
    REJECTED = "rejected", pgettext_lazy("pairing status", "rejected")
