"""Data kept only as long as the rule allows (PIPL art. 19): a retention rule per record type
(`RetentionRule`, set nationally; the defaults below until one is entered), applied by
`manage.py households retention` (daily).

- members' and households' personal fields: kept while the household is monitored and for
  `keep_years` after its risk was eliminated, then erased (name, ID number and its index,
  phone, health detail, birth date; address, bank account): the rows stay, so cases, help
  measures, payouts and the ledger keep their references and the figures their counts;
- income records and risk flags: deleted `keep_years` after their month;
- cases: the consent giver's name erased `keep_years` after the decision;
- help measures: the member link erased.
A rule of 0 years erases at once on exit. The audit log records one entry per run and type
with the count, never a value; the erased rows' own audit snapshots never held the values.
"""
import datetime

from django.db import transaction
from django.utils import timezone

from xiezuo.core.audit import record_bulk

from .choices import RecordType, RetentionAction, Status
from .models import Case, HelpMeasure, Household, IncomeRecord, Member, RetentionRule, RiskFlag

DEFAULTS = {
    RecordType.MEMBER: (5, RetentionAction.ERASE),
    RecordType.HOUSEHOLD: (5, RetentionAction.ERASE),
    RecordType.INCOME: (3, RetentionAction.DELETE),
    RecordType.FLAG: (2, RetentionAction.DELETE),
    RecordType.CASE: (10, RetentionAction.ERASE),
    RecordType.HELP: (10, RetentionAction.ERASE),
}


def rules() -> dict:
    out = dict(DEFAULTS)
    for r in RetentionRule.objects.all():
        out[r.record_type] = (r.keep_years, r.action)
    return out


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@transaction.atomic
def apply_retention(today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    done = {}
    r = rules()

    def cutoff(kind):
        return years_before(today, r[kind][0])

    exited = Household.objects.filter(status=Status.EXITED, exited_on__isnull=False)
    if r[RecordType.MEMBER][1] in (RetentionAction.ERASE, RetentionAction.DELETE):
        members = Member.objects.filter(household__in=exited.filter(exited_on__lte=cutoff(RecordType.MEMBER)).values("id")) \
            .exclude(name="", id_index__isnull=True)
        done["member"] = members.update(name="", name_index="", id_number="", id_index=None, phone="", phone_index="", health_note="",
                                        birth_date=None, personal_changed="name,id_number,phone,health_note (erased)")
    if r[RecordType.HOUSEHOLD][1] in (RetentionAction.ERASE, RetentionAction.DELETE):
        done["household"] = exited.filter(exited_on__lte=cutoff(RecordType.HOUSEHOLD), erased_on__isnull=True).update(
            address="", bank_account="", erased_on=today, personal_changed="address,bank_account (erased)")
    done["income"] = IncomeRecord.objects.filter(month__lt=cutoff(RecordType.INCOME)).delete()[0] \
        if r[RecordType.INCOME][1] == RetentionAction.DELETE else 0
    done["flag"] = RiskFlag.objects.filter(month__lt=cutoff(RecordType.FLAG)).delete()[0] \
        if r[RecordType.FLAG][1] == RetentionAction.DELETE else 0
    done["case"] = Case.objects.filter(decided_on__lte=cutoff(RecordType.CASE)).exclude(consent_by="").update(consent_by="")
    done["help"] = HelpMeasure.objects.filter(started_on__lte=cutoff(RecordType.HELP), member__isnull=False).update(member=None)
    for kind, n in done.items():
        if n:
            record_bulk(f"households.{kind}", f"retention ({kind}): {n} records erased or deleted", count=n)
    return done
