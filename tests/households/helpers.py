"""Builders of the registry's tests: villages of 美姑县 (513436), households with members."""
import datetime

from xiezuo.core.personal.idnumbers import make_id_number
from xiezuo.households import actions
from xiezuo.households.models import MonitoringLine, Village
from xiezuo.regions.models import Region

D = datetime.date
MEIGU = "513436"
_seq = [100]


def village(code="513436101201", name="拉木村", township="洒库乡", county=MEIGU):
    region = Region.objects.get(code=county)
    v, _ = Village.objects.get_or_create(code=code, defaults=dict(name=name, township_code=code[:9], township_name=township,
                                                                  county=region))
    return v


def id_number(region=MEIGU, born=D(1980, 5, 17)):
    _seq[0] += 1
    return make_id_number(region, born, _seq[0])


def line(code="510000", year=2026, yuan=7500, **kw):
    return MonitoringLine.objects.update_or_create(region=Region.objects.get(code=code), year=year,
                                                   defaults=dict(line_fen=yuan * 100, **kw))[0]


def household(user, v=None, members=2, number=None, **data):
    v = v or village()
    people = [dict(relation="head" if i == 0 else "child", name=f"阿依{i}", id_number=id_number(), phone=f"1380000{_seq[0]:04d}")
              for i in range(members)]
    return actions.save_household(user, v, dict(number=number or f"H{_seq[0]}", address="洒库乡拉木村3组", **data), people)
