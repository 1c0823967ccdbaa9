from django.db import models
from django.utils.translation import gettext_lazy as _

from xiezuo.core import periods


class Dimension(models.TextChoices):
    BASIC = "basic", _("basic guarantee")  # 基础保障：协议刚性
    EFFECTIVENESS = "effectiveness", _("strategic effectiveness")  # 战略成效


class Direction(models.TextChoices):
    HIGHER = "higher", _("higher is better")
    LOWER = "lower", _("lower is better")


class Method(models.TextChoices):
    LINEAR_CAPPED = "linear_capped", _("linear between floor and target, capped at 100")
    THRESHOLD = "threshold", _("100 when the target is met, else 0")


class Level(models.TextChoices):
    """What a score is about: a county, a province–province pair, or any lower pair."""

    COUNTY = "county", _("county")
    PROVINCE_PAIR = "province_pair", _("province pair")
    PAIR = "pair", _("pair")


class Grade(models.TextChoices):
    GOOD = "good", _("good")  # 好
    FAIRLY_GOOD = "fairly_good", _("fairly good")  # 较好
    FAIR = "fair", _("fair")  # 一般
    POOR = "poor", _("poor")  # 较差


class PeerGroup(models.TextChoices):
    """Tiers for ranking: western counties by the support they get; eastern counties and
    pairs each among their own kind."""

    KEY = "key", _("national key assistance counties")
    FORMER_POVERTY = "former_poverty", _("former poverty counties")
    OTHER = "other", _("other western counties")
    EAST = "east", _("eastern counties")
    PROVINCE_PAIR = "province_pair", _("province pairs")
    PAIR = "pair", _("other pairs")


class PeriodKind(models.TextChoices):
    WEEK = periods.WEEK, _("week")
    MONTH = periods.MONTH, _("month")
    QUARTER = periods.QUARTER, _("quarter")
    YEAR = periods.YEAR, _("year")
