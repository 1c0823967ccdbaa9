from django.db import models
from django.utils.translation import gettext_lazy as _


class NeedCategory(models.TextChoices):
    EDUCATION = "education", _("education support")  # 教育助学
    MEDICAL = "medical", _("medical aid")  # 医疗救助
    HOUSING = "housing", _("dilapidated housing renovation")  # 危房改造
    INDUSTRY = "industry", _("industry development")  # 产业发展
    EMPLOYMENT = "employment", _("transfer employment")  # 转移就业
    SKILLS = "skills", _("skills training")  # 技能培训
    NECESSITIES = "necessities", _("daily necessities")  # 生活必需品


class NeedStatus(models.TextChoices):
    RECORDED = "recorded", _("awaiting review")  # 待审核
    PUBLISHED = "published", _("published")  # 已发布
    TAKEN = "taken", _("taken up")  # 已认领
    FUNDED = "funded", _("funded")  # 已筹齐
    DONE = "done", _("result awaiting confirmation")  # 待确认
    CONFIRMED = "confirmed", _("confirmed")  # 已确认
    RETURNED = "returned", _("returned")  # 已退回


# The stages a social organisation or foundation sees on the published list (never the draft or the returned).
PUBLIC_STATUSES = (NeedStatus.PUBLISHED, NeedStatus.TAKEN, NeedStatus.FUNDED, NeedStatus.DONE, NeedStatus.CONFIRMED)
UNANSWERED_DAYS = 30
