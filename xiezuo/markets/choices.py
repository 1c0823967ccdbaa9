from django.db import models
from django.utils.translation import gettext_lazy as _


class LandClass(models.TextChoices):
    """What the surplus quota (节余指标) came from: its class sets the configured price."""

    CULTIVATED = "cultivated", _("cultivated land")  # 耕地
    PADDY = "paddy", _("paddy field")  # 耕地中的水田
    OTHER = "other", _("other farmland")  # 其他农用地


class ListingStatus(models.TextChoices):
    OPEN = "open", _("open for sale")
    AUCTION = "auction", _("in a call auction")
    SOLD = "sold", _("sold out")
    WITHDRAWN = "withdrawn", _("withdrawn")


class TradeMethod(models.TextChoices):
    FIXED = "fixed", _("fixed price")  # 挂牌定价
    AUCTION = "auction", _("call auction")  # 集合竞价


class AuctionStatus(models.TextChoices):
    OPEN = "open", _("taking bids")
    CLEARED = "cleared", _("cleared")


class SinkKind(models.TextChoices):
    FORESTRY = "forestry", _("forestry")  # 林业碳汇
    GRASSLAND = "grassland", _("grassland")  # 草原碳汇
    WETLAND = "wetland", _("wetland")  # 湿地碳汇
    SOIL = "soil", _("soil")  # 土壤碳汇


class BlockStatus(models.TextChoices):
    ACTIVE = "active", _("held in an account")
    RETIRED = "retired", _("retired")  # 已注销: never moves again
    SPLIT = "split", _("superseded")  # replaced by the blocks it was split or moved into (history)


class Movement(models.TextChoices):
    ISSUE = "issue", _("issuance")
    TRANSFER = "transfer", _("transfer")
    DELIVER = "deliver", _("delivery")
    RETIRE = "retire", _("retirement")


class TechKind(models.TextChoices):
    PATENT = "patent", _("patent")
    TECHNOLOGY = "technology", _("technology")


class DealKind(models.TextChoices):
    LICENCE = "licence", _("licence")  # 许可
    TRANSFER = "transfer", _("transfer")  # 转让
    JOINT = "joint", _("joint development")  # 合作开发
