"""The ledger's running rollup: exact sums of the postings in force by stage, kept up to date
by appending, so that the funds page and the dashboard read the stage figures of a national
ledger without aggregating millions of postings on every request (see `LedgerRollup`)."""
import threading
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Sum
from django.db.models.functions import ExtractYear

from xiezuo.core.scoping import scope_for, visible
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement
from xiezuo.projects.models import Project

from .figures import stage_totals
from .models import Entry, Posting


def unbounded(queryset) -> list:
    """The rows of `queryset`, read without the web request's statement timeout
    (`core.middleware.limit_statements`): the first build reads every posting of a national
    ledger (seconds on a slow machine) once for the whole process, so it is worth finishing
    even when the request that started it is given up."""
    if connection.vendor != "postgresql":
        return list(queryset)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()[0]
        cursor.execute("SET LOCAL statement_timeout = 0")
        rows = list(queryset)
        # within an outer transaction SET LOCAL would outlast this block: put the bound back
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [before])
        return rows


def years_of(year) -> list[int]:
    """A year, or several (a range for the figures to date), as a list."""
    return [year] if isinstance(year, int) else list(year)


def committed_fen(user, year) -> int:
    return visible(user, Agreement.objects.filter(year__in=years_of(year))).aggregate(s=Sum("fiscal_aid_fen"))["s"] or 0


def money_stages(user, year, seen: dict | None = None) -> dict:
    """committed / allocated / arrived / disbursed / spent for the year (or the years, e.g.
    every year up to this one for the figures to date), in fen.

    The same numbers as `xiezuo.ledger.figures.stage_totals` (allocations and arrivals in
    the year of their agreement, disbursements and spending in the year booked, postings in
    force only, through the scoping rule), read from the running rollup. Over a single year
    the stages may not chain (money disbursed last year is spent this year); over every year
    to date each stage is at most the one before it, for what the user sees of it."""
    stages = {"committed": committed_fen(user, year)}
    stages.update(LEDGER_ROLLUP.stage_totals(user, year, seen))
    return stages


class LedgerRollup:
    """Exact sums of the ledger postings in force, kept up to date by appending.

    Why it is exact: postings and entries are never changed or deleted (a correction is
    a reversal, a new posting), and every posting's entries are chained while its
    transaction holds the chain head lock until it commits (`chain.lock_head`, also taken
    by the bulk `ChainWriter`), so entry sequence numbers grow in commit order: once entry
    N is visible, every entry up to N is committed, and with it its posting; the sums over
    the postings chained up to N are final. A request folds in only the postings chained
    after the last entry it saw (an index range scan on the sequence): new ones are added,
    and a reversal takes its original back out — which is what `balances.standing` does in
    SQL. Posting ids do not give that order: a bulk batch writes its postings, with ids from
    the sequence, before it waits for the chain head, so a batch begun later may commit
    first with higher ids.

    What may still change is the context of a posting — which region an organisation or a
    project lies in, which year an agreement belongs to — so the sums are kept per
    (western organisation, eastern organisation, project) and per agreement, and each
    request decides what the user may see from the current rows, with the scoping rule
    (`Scope.q` over the paths Posting declares). If the chain no longer holds the entry
    the rollup last saw (a test database rolled back, a restored backup), it starts over.
    """

    STAGES = {"allocation": "allocated", "arrival": "arrived", "disbursement": "disbursed", "spending": "spent"}
    BY_AGREEMENT = ("allocation", "arrival")  # counted in their agreement's year
    FIELDS = ("id", "kind", "amount_fen", "agreement_id", "booked_on", "west_org_id", "east_org_id", "project_id", "reversal_of_id")
    REBUILD_AFTER = 400_000  # entries; a longer tail (a bulk load) is read as a fresh grouped query instead

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.upto = 0  # the sequence number of the last entry folded in
        self.mark = None  # that entry's hash
        # (kind, agreement id or booking year) → (west org, east org) → [fen, {project id: fen}]
        self.sums = defaultdict(lambda: defaultdict(lambda: [0, defaultdict(int)]))

    # --- keeping up -------------------------------------------------------------------

    def _key(self, kind, agreement_id, booked_on):
        if kind in self.BY_AGREEMENT:
            return None if agreement_id is None else (kind, agreement_id)
        return (kind, booked_on.year)

    def _add(self, kind, agreement_id, booked_on, west, east, project, fen):
        key = self._key(kind, agreement_id, booked_on)
        if key is None:
            return
        cell = self.sums[key][(west, east)]
        cell[0] += fen
        cell[1][project] += fen

    def _mark_of(self, seq):
        return Entry.objects.filter(seq=seq).values_list("hash", flat=True).first()

    def refresh(self):
        last = Entry.objects.aggregate(m=Max("seq"))["m"] or 0
        if self.upto and (last < self.upto or self._mark_of(self.upto) != self.mark):
            self.reset()
        if last == self.upto:
            return
        if not self.upto or last - self.upto > self.REBUILD_AFTER:
            self.reset()
            self._build(last)
        else:
            self._fold(last)
        self.upto, self.mark = last, self._mark_of(last)

    def _build(self, last):
        """Every posting chained up to entry `last` in one grouped query (reversals chained up
        to `last` only). Postings with an entry after `last` (committed since it was read)
        are left to the next fold."""
        later = Entry.objects.filter(seq__gt=last)
        reversed_by_then = Posting.objects.filter(reversal_of=OuterRef("pk")).exclude(
            Exists(later.filter(posting_id=OuterRef("pk"))))
        rows = (Posting.objects.filter(kind__in=list(self.STAGES))
                .exclude(Exists(later.filter(posting_id=OuterRef("pk")))).exclude(Exists(reversed_by_then))
                .values("kind", "agreement_id", "west_org_id", "east_org_id", "project_id", year=ExtractYear("booked_on"))
                .annotate(fen=Sum("amount_fen")).order_by())
        for r in unbounded(rows):
            key = (r["kind"], r["agreement_id"]) if r["kind"] in self.BY_AGREEMENT else (r["kind"], r["year"])
            if key[1] is None:
                continue
            cell = self.sums[key][(r["west_org_id"], r["east_org_id"])]
            cell[0] += r["fen"]
            cell[1][r["project_id"]] += r["fen"]

    def _fold(self, last):
        """Postings chained after the last entry seen, up to entry `last`, in chain order; a
        reversal takes its original out."""
        chained = Entry.objects.filter(seq__gt=self.upto, seq__lte=last)
        order = dict(chained.values_list("posting_id").annotate(at=Max("seq")).order_by())
        tail = sorted(Posting.objects.filter(id__in=chained.values("posting_id")).values_list(*self.FIELDS),
                      key=lambda row: order[row[0]])
        originals = {row[0]: row for row in tail}
        wanted = [row[8] for row in tail if row[8] is not None and row[8] not in originals]
        for row in Posting.objects.filter(id__in=wanted).values_list(*self.FIELDS):
            originals[row[0]] = row
        for pid, kind, fen, agreement_id, booked_on, west, east, project, reversal_of in tail:
            if reversal_of is not None:
                o = originals.get(reversal_of)
                if o is not None and o[1] in self.STAGES:
                    self._add(o[1], o[3], o[4], o[5], o[6], o[7], -o[2])
            if kind in self.STAGES:  # reversals have a kind of their own and never count
                self._add(kind, agreement_id, booked_on, west, east, project, fen)

    # --- reading ----------------------------------------------------------------------

    def _visible(self, user, seen: dict | None = None):
        """A test (west org, east org) → True | set of visible project ids | None (nothing),
        from the current rows, with the scoping rule; None when the rule is not the shape
        this rollup knows (then callers ask the database). `seen`, a dict kept for one
        page, shares the test and its look-ups between the figures of that page."""
        if seen is not None and "test" in seen:
            return seen["test"]
        test = self._make_test(user)
        if seen is not None:
            seen["test"] = test
        return test

    def _make_test(self, user):
        scope = scope_for(user)
        if scope.everything:
            return lambda west, east: True
        if tuple(Posting.scope_paths) != ("west_org__region__code", "east_org__region__code", "project__county__code") \
                or Posting.scope_include_partners:
            return None
        orgs = set(Organisation.objects.filter(scope.q(("region__code",), False)).values_list("id", flat=True))
        projects = None

        def test(west, east):
            nonlocal projects
            if west in orgs or east in orgs:
                return True
            if projects is None:
                projects = set(Project.objects.filter(scope.q(("county__code",), False)).values_list("id", flat=True))
            return projects

        return test

    def _cells(self, key, test):
        """(fen, {project: fen} or None) for the cells of one key the user may see."""
        for (west, east), (fen, by_project) in self.sums.get(key, {}).items():
            seen = test(west, east)
            if seen is True:
                yield fen, by_project
            elif seen:
                mine = by_project.keys() & seen
                if mine:
                    part = {p: by_project[p] for p in mine}
                    yield sum(part.values()), part

    def stage_totals(self, user, year, seen: dict | None = None) -> dict:
        test = self._visible(user, seen)
        if test is None:
            return stage_totals(user, year)
        years = years_of(year)
        agreements = list(Agreement.objects.filter(year__in=years).values_list("id", flat=True))
        out = {label: 0 for label in self.STAGES.values()}
        with self.lock:
            self.refresh()
            for kind, label in self.STAGES.items():
                keys = [(kind, a) for a in agreements] if kind in self.BY_AGREEMENT else [(kind, y) for y in years]
                out[label] = sum(fen for key in keys for fen, _p in self._cells(key, test))
        return out

    def disbursed_by_project(self, user, year, seen: dict | None = None) -> dict | None:
        """{project id (None for none): fen} disbursed in the year (or years), as the user sees it."""
        test = self._visible(user, seen)
        if test is None:
            return None
        out = defaultdict(int)
        with self.lock:
            self.refresh()
            for y in years_of(year):
                for _fen, by_project in self._cells(("disbursement", y), test):
                    for p, v in by_project.items():
                        out[p] += v
        return {p: v for p, v in out.items() if v}


LEDGER_ROLLUP = LedgerRollup()
