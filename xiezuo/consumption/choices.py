from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """Where a western product was bought (the channels of 消费帮扶)."""

    FAIR = "fair", _("fair or exhibition")  # 展销会、节庆
    STORE = "store", _("supermarket or direct store")  # 商场超市、展销中心、直营店
    ECOMMERCE = "ecommerce", _("e-commerce")  # 电子商务企业
    LOCKER = "locker", _("smart locker or vending machine")  # 智能柜、无人售货机
    PLATFORM = "platform", _("online platform")  # 832 平台等线上平台
    DIRECT = "direct", _("direct purchase")  # 预算单位、工会直接采购


class BuyerKind(models.TextChoices):
    BUDGET_UNIT = "budget_unit", _("budget unit")  # 预算单位
    ENTERPRISE = "enterprise", _("enterprise")
    UNION = "union", _("trade union")  # 工会
    INDIVIDUALS = "individuals", _("individuals through a channel")  # 个人消费者（经渠道汇总）


class CertStatus(models.TextChoices):
    APPLIED = "applied", _("applied")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


# The national rule for budget units' canteens: at least 10 % reserved, 15 % encouraged, filed by 20 February.
MIN_RESERVED_PERCENT = 10
ENCOURAGED_PERCENT = 15
FILING_DEADLINE = (2, 20)
