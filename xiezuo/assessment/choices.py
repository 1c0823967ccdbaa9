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
    INCOMPLETE = "incomplete", _("incomplete data")  # 数据不全: coverage below scoring.MIN_COVERAGE; no consequence


ASSESSED_GRADES = (Grade.GOOD, Grade.FAIRLY_GOOD, Grade.FAIR, Grade.POOR)  # the grades a rule can look for


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


# --- the closed loop (闭环管控): kinds of rule, states of what they create ----------------


class RuleKind(models.TextChoices):
    """What a rule looks at and what it creates.

    incentive     grade `grade` in `count` consecutive periods → incentive (`benefit`)
    warning       grade `grade` in consecutive periods → warning; `levels` = [n1, n2, n3]:
                  the consecutive count from which level 1, 2, 3 applies
    restructure   grade `grade` in `count` consecutive periods → pairing restructuring proposal
    late          a milestone not reached `count` days after its planned date →
                  rectification order due in `working_days` working days, issued by `issuer_level`
    no_report     an active project without a weekly report for `count` weeks → ticket
    arrival       an allocation not arrived `count` days after its due date → ticket
    left_early    a professional who left `count` or more days before the end of the term → ticket
    """

    INCENTIVE = "incentive", _("incentive for consecutive good grades")
    WARNING = "warning", _("warning for consecutive poor grades")
    RESTRUCTURE = "restructure", _("pairing restructuring proposal")
    LATE = "late", _("rectification order for a late milestone")
    NO_REPORT = "no_report", _("ticket: no weekly report")
    ARRIVAL = "arrival", _("ticket: funds not arrived")
    LEFT_EARLY = "left_early", _("ticket: professional left early")


SCORE_KINDS = (RuleKind.INCENTIVE, RuleKind.WARNING, RuleKind.RESTRUCTURE)
SIGNAL_KINDS = (RuleKind.NO_REPORT, RuleKind.ARRIVAL, RuleKind.LEFT_EARLY)


class IssuerLevel(models.TextChoices):
    PARENT = "parent", _("the office one level up")
    PROVINCE = "province", _("the province office")
    NATIONAL = "national", _("the national coordinator")


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("issued")
    SUBMITTED = "submitted", _("closure submitted")
    SENT_BACK = "sent_back", _("sent back")
    VERIFIED = "verified", _("verified and closed")


OPEN_ORDER_STATES = (OrderStatus.ISSUED, OrderStatus.SUBMITTED, OrderStatus.SENT_BACK)


class ClosureDecision(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    SENT_BACK = "sent_back", _("sent back")


class WarningStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class TicketStatus(models.TextChoices):
    OPEN = "open", _("open")
    RESOLVED = "resolved", _("resolved")


class Signal(models.TextChoices):
    NO_REPORT = "no_report", _("no weekly report")
    ARRIVAL = "arrival", _("funds not arrived")
    LEFT_EARLY = "left_early", _("professional left early")
