from django.db import models
from django.utils.translation import gettext_lazy as _


class Side(models.TextChoices):
    DEBIT = "D", _("debit")
    CREDIT = "C", _("credit")


class Purpose(models.TextChoices):
    """What an account holds. Fiscal aid moves down this list, one stage per posting."""

    EAST_BUDGET = "east_budget", _("eastern aid budget")  # 东部援助资金预算
    IN_TRANSIT = "in_transit", _("allocated, in transit")  # 已拨付在途
    WEST_RECEIVING = "west_receiving", _("western receiving account")  # 到位资金
    PROJECT = "project", _("project account")  # 项目资金
    PROJECT_SPENDING = "project_spending", _("project spending")  # 项目支出
    POOL = "pool", _("unified fund pool")  # 统一资金池 (reserved for the distribution app)
    RESERVE = "reserve", _("risk reserve")  # 风险储备金 (reserved for the distribution app)


# The side on which each purpose's balance grows. The eastern budget is the source of the
# aid (an appropriation, credit-normal): its balance is what the east has released. Every
# other account holds money (debit-normal).
NORMAL_SIDE = {
    Purpose.EAST_BUDGET: Side.CREDIT,
    Purpose.IN_TRANSIT: Side.DEBIT,
    Purpose.WEST_RECEIVING: Side.DEBIT,
    Purpose.PROJECT: Side.DEBIT,
    Purpose.PROJECT_SPENDING: Side.DEBIT,
    Purpose.POOL: Side.DEBIT,
    Purpose.RESERVE: Side.DEBIT,
}

PROJECT_PURPOSES = (Purpose.PROJECT, Purpose.PROJECT_SPENDING)


class Kind(models.TextChoices):
    """The business event a posting records."""

    ALLOCATION = "allocation", _("allocation")  # 下达 (east → in transit)
    ARRIVAL = "arrival", _("arrival")  # 到位 (in transit → western account)
    DISBURSEMENT = "disbursement", _("disbursement")  # 拨付 (western account → project)
    SPENDING = "spending", _("spending")  # 支出 (project → spending)
    REVERSAL = "reversal", _("reversal")  # 冲销 (mirror of an earlier posting)
    MARKET = "market", _("market trade")  # 市场交易 (an eastern buyer pays a western seller: markets/payments.py)
    SOCIAL = "social", _("social donation")  # 社会捐赠 (a donor pays its pledge into a project's account: social/actions.py)
