"""When an allocation falls due: one answer for the indicators, the weekly sheet, the
tickets and the funds page.

An allocation is due by its agreement's funds due date *as last amended*; an agreement
without one is due on the last day of its year. The date stamped on the allocation when it
was booked counts only for an allocation under no agreement. Postings are append-only, so an
amendment cannot rewrite the stamp: every reader asks here instead, and an allocation
booked before an amendment follows it like one booked after.
"""
from django.db.models import Case, CharField, DateField, F, Value, When
from django.db.models.functions import Cast, Concat


def due_in_force(prefix: str = ""):
    """The due date in force of the allocation at `prefix` (e.g. "allocation__" from an
    arrival), as an expression to annotate or filter on."""
    agreement = f"{prefix}agreement__"
    year_end = Cast(Concat(Cast(f"{agreement}year", CharField()), Value("-12-31")), DateField())
    return Case(
        When(**{f"{agreement}funds_due_date__isnull": False}, then=F(f"{agreement}funds_due_date")),
        When(**{f"{prefix}agreement__isnull": False}, then=year_end),
        default=F(f"{prefix}due_date"),
        output_field=DateField(),
    )
