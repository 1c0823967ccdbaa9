"""Retention: personal fields erased after the rule's years from exit, rows kept, the audit
log told how many, never what."""
import pytest

from xiezuo.core.models import AuditEntry
from xiezuo.households.actions import find_person
from xiezuo.households.models import Household, Member, RetentionRule
from xiezuo.households.retention import apply_retention

from .helpers import D, household


@pytest.mark.django_db
def test_personal_fields_erased_after_exit(users):
    old = household(users["county_office"], members=2, bank_account="6217000011112222")
    recent = household(users["county_office"], members=1)
    monitored = household(users["county_office"], members=1)
    Household.objects.filter(pk=old.pk).update(status="exited", exited_on=D(2020, 3, 1))
    Household.objects.filter(pk=recent.pk).update(status="exited", exited_on=D(2025, 3, 1))
    Household.objects.filter(pk=monitored.pk).update(status="monitored")
    number = old.members.first().id_number
    done = apply_retention(D(2026, 12, 6))
    assert done["member"] == 2 and done["household"] == 1
    erased = Member.objects.filter(household=old)
    assert erased.count() == 2 and all(m.id_number == "" and m.name == "" and m.id_index is None for m in erased)
    assert find_person(number) is None
    old.refresh_from_db()
    assert old.bank_account == "" and old.erased_on == D(2026, 12, 6)
    assert all(m.id_number for m in Member.objects.filter(household__in=[recent, monitored]))
    entry = AuditEntry.objects.filter(object_type="households.member", object_id="*").latest("id")
    assert entry.after == {"count": 2} and number not in entry.object_repr
    # a rule of 0 years erases at once on exit
    RetentionRule.objects.create(record_type="member", keep_years=0, action="erase")
    apply_retention(D(2026, 12, 6))
    assert all(m.id_number == "" for m in Member.objects.filter(household=recent))
