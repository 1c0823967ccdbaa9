"""The words of 防返贫动态监测: categories, statuses, channels, steps, kinds of help."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """The three kinds of monitored household (监测对象) as the policy defines them."""

    UNSTABLE = "unstable", _("unstable formerly poor household")  # 脱贫不稳定户
    MARGINAL = "marginal", _("marginal household prone to poverty")  # 边缘易致贫户
    SUDDEN = "sudden", _("household in sudden severe hardship")  # 突发严重困难户


class Status(models.TextChoices):
    """Where a household stands in monitoring."""

    NORMAL = "normal", _("not monitored")
    IDENTIFYING = "identifying", _("being identified")
    MONITORED = "monitored", _("monitored")
    EXITING = "exiting", _("exit under review")
    EXITED = "exited", _("risk eliminated")  # 风险消除


class Relation(models.TextChoices):
    HEAD = "head", _("head of household")
    SPOUSE = "spouse", _("spouse")
    CHILD = "child", _("child")
    PARENT = "parent", _("parent")
    GRANDCHILD = "grandchild", _("grandchild")
    SIBLING = "sibling", _("sibling")
    OTHER = "other", _("other relative")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("healthy")
    CHRONIC = "chronic", _("chronic illness")
    SERIOUS = "serious", _("serious illness")
    DISABLED = "disabled", _("disability")


class Education(models.TextChoices):
    NONE = "none", _("no schooling")
    PRIMARY = "primary", _("primary school")
    JUNIOR = "junior", _("junior secondary")
    SENIOR = "senior", _("senior secondary or vocational")
    HIGHER = "higher", _("college or above")
    IN_SCHOOL = "in_school", _("in school")
    PRESCHOOL = "preschool", _("pre-school age")


class Employment(models.TextChoices):
    FARMING = "farming", _("farming at home")
    LOCAL = "local", _("working locally")
    MIGRANT = "migrant", _("working away from home")
    PUBLIC_WELFARE = "welfare_post", _("public-welfare post")
    NONE = "none", _("no work")
    NOT_LABOUR = "not_labour", _("not of working age or unable")


class Channel(models.TextChoices):
    """How a clue reached the county: the three channels."""

    APPLICATION = "application", _("household's own application")  # 农户自主申报
    CADRE = "cadre", _("village cadres' check")  # 基层干部排查
    DEPARTMENT = "department", _("department screening list")  # 部门筛查预警


class CaseKind(models.TextChoices):
    IDENTIFY = "identify", _("identification")  # 识别纳入
    EXIT = "exit", _("exit (risk eliminated)")  # 风险消除


class Step(models.TextChoices):
    """The steps of a case, in order; an exit runs the same steps."""

    CLUE = "clue", _("clue")
    VISIT = "visit", _("home visit")  # 入户核实
    REVIEW = "review", _("village review")  # 村级评议
    NOTICE = "notice", _("public notice")  # 公示
    TOWNSHIP = "township", _("township review")  # 乡镇审核
    COUNTY = "county", _("county decision")  # 县级审定
    CLOSED = "closed", _("closed")


class Decision(models.TextChoices):
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("not approved")


class HelpKind(models.TextChoices):
    EMPLOYMENT = "employment", _("employment through the labour channel")
    PROJECT = "project", _("link to a project")
    INSURANCE = "insurance", _("anti-return insurance")
    MEDICAL = "medical", _("medical support")
    EDUCATION = "education", _("education support")
    SOCIAL = "social", _("social help")
    OTHER = "other", _("other help")


class Rule(models.TextChoices):
    """The risk screening's rules (rules.py), each with the figures that raised it."""

    BELOW_LINE = "below_line", _("income below the monitoring line")
    NEAR_LINE = "near_line", _("income near the monitoring line")
    SHARP_FALL = "sharp_fall", _("sharp fall in income")
    RIGID_COSTS = "rigid_costs", _("rigid spending above its share of income")
    HOUSING = "housing", _("housing not safe")
    WATER = "water", _("drinking water not safe")
    SCHOOLING = "schooling", _("a child out of compulsory schooling")
    MEDICAL = "medical_cover", _("a member without basic medical insurance")


class RecordType(models.TextChoices):
    """What a retention rule is about."""

    MEMBER = "member", _("members' personal data")
    HOUSEHOLD = "household", _("household's personal data")
    INCOME = "income", _("income records")
    FLAG = "flag", _("risk flags")
    CASE = "case", _("cases and their steps")
    HELP = "help", _("help measures")


class RetentionAction(models.TextChoices):
    ERASE = "erase", _("erase the personal fields, keep the record")
    DELETE = "delete", _("delete the record")
