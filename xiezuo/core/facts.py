"""The hook by which new facts reach the results computed from them.

Actions that record facts (a weekly report, a ledger posting, a dispatch, a region's yearly
facts, an agreement's commitments) call `changed()` with the regions the facts belong to and
the first day they bear on. Apps that compute from facts (the assessment marks its scores
stale, so the scheduled recompute picks them up) connect to `facts_changed`. Core knows
neither side: the signal runs inside the writing transaction, so a rolled-back write marks
nothing.
"""
import datetime

from django.dispatch import Signal

# sent with region_codes (a set of GB/T 2260 codes) and date (datetime.date)
facts_changed = Signal()


def changed(region_codes, date: datetime.date, *, sender=None) -> None:
    codes = {c for c in region_codes if c}
    if codes and date is not None:
        facts_changed.send(sender=sender, region_codes=codes, date=date)
