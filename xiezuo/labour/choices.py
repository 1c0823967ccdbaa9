"""The words of 劳务协作: household status, place kinds, outcomes, subsidy kinds, skills."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class HouseholdStatus(models.TextChoices):
    ALLEVIATED = "alleviated", _("lifted out of poverty")  # 脱贫人口
    MONITORED = "monitored", _("under monitoring")  # 监测对象
    OTHER = "other", _("other")  # 其他


class PlaceKind(models.TextChoices):
    """Where a worker works, as officials report it, from the worker's registering county."""

    IN_COUNTY = "in_county", _("within the county")  # 县内
    IN_PROVINCE = "in_province", _("in the province, outside the county")  # 省内县外
    OUT_OF_PROVINCE = "out_of_province", _("outside the province")  # 省外


class JobStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class Outcome(models.TextChoices):
    PENDING = "pending", _("pending")
    HIRED = "hired", _("hired")
    REJECTED = "rejected", _("rejected by the employer")
    DECLINED = "declined", _("declined by the worker")


class SubsidyKind(models.TextChoices):
    JOB_SEEKING = "job_seeking", _("one-off job-seeking subsidy")  # 一次性求职补贴
    TRANSPORT = "transport", _("transport grant")  # 交通补贴
    LABOUR = "labour", _("stable-employment labour subsidy")  # 稳岗务工补贴
    EMPLOYER = "employer", _("employer retention subsidy")  # 吸纳就业补贴


WORKER_KINDS = (SubsidyKind.JOB_SEEKING, SubsidyKind.TRANSPORT, SubsidyKind.LABOUR)

MILESTONES = (3, 6, 12)  # 稳岗回访: months after the start

# A fixed vocabulary of skills, each one bit of a 64-bit mask, so that matching scores skills
# in SQL (`mask & mask`) over every open job at once. The Chinese names are the file format.
SKILLS = (
    ("电工", _("electrician")), ("焊工", _("welder")), ("建筑施工", _("construction")), ("普工", _("factory operative")),
    ("电子装配", _("electronics assembly")), ("服装缝纫", _("garment sewing")), ("餐饮服务", _("catering")),
    ("厨师", _("cook")), ("家政服务", _("domestic service")), ("养老护理", _("elderly care")),
    ("保安", _("security guard")), ("物流仓储", _("logistics and warehousing")), ("快递配送", _("delivery")),
    ("驾驶", _("driving")), ("叉车", _("forklift")), ("种植", _("crop farming")), ("养殖", _("livestock")),
    ("农机操作", _("farm machinery")), ("保洁", _("cleaning")), ("销售", _("sales")), ("电商", _("e-commerce")),
    ("美容美发", _("hairdressing and beauty")), ("汽修", _("car repair")), ("木工", _("carpentry")),
    ("钢筋工", _("rebar work")), ("砌筑工", _("bricklaying")), ("水暖工", _("plumbing")), ("数控车床", _("CNC machining")),
    ("茶叶加工", _("tea processing")), ("食品加工", _("food processing")), ("刺绣", _("embroidery")), ("采摘", _("harvesting")),
)
SKILL_NAMES = tuple(name for name, _label in SKILLS)
SKILL_BIT = {name: 1 << i for i, name in enumerate(SKILL_NAMES)}


def skill_mask(names) -> int:
    mask = 0
    for n in names:
        mask |= SKILL_BIT[n]
    return mask


def skill_names(mask: int) -> list[str]:
    return [n for n, bit in SKILL_BIT.items() if mask & bit]


def unknown_skills(names) -> list[str]:
    return [n for n in names if n not in SKILL_BIT]


def split_list(text) -> list[str]:
    """“电工、焊工,普工” → [电工, 焊工, 普工]."""
    import re

    return [p for p in (s.strip() for s in re.split(r"[,，、;；\s]+", str(text or ""))) if p]
