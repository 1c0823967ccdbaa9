"""Excel import of ledger postings (资金台账): allocations, arrivals, disbursements, spending, reversals.

Each row is one call of a stage action in xiezuo.ledger.actions — allocate, confirm_arrival,
disburse, record_spending, reverse — so the import obeys the same rules as a page or the
API: the eastern office of a pairing allocates (下达); the western office confirms arrival
(到位), disburses to a project (拨付) and records its spending (支出); only the side that
posted something reverses it (冲销). A row the user's side may not post is refused with the
action's reason against 业务类型.

Idempotency. Every row carries the client's idempotency key (幂等键). The actions answer a
key already posted with the same body by returning that posting, so re-importing a file
posts nothing twice (the rows count as “unchanged”); the same key with a different body is
refused for that row. Keys are unique within the organisation the user acts for, not per file.

Money. Amounts are written in yuan (元) with at most two decimal places, the unit every
other template and export uses; they become whole fen exactly (Decimal, never float).
Negative amounts, fractions of a fen and text that is not a number are refused with the row
and column; zero is refused by the actions (“more than zero”).
"""
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from xiezuo.core.errors import ValidationError, field_error
from xiezuo.core.importing import CREATED, UNCHANGED, Column, Importer, choice, parse_date, parse_fen, parse_year, text
from xiezuo.core.money import fen_to_yuan_decimal, format_yuan
from xiezuo.core.scoping import visible
from xiezuo.pairings.models import Agreement
from xiezuo.users.scopes import client_namespace
from xiezuo.projects.importers import (
    MONEY_HELP, collect, find_organisation, find_pairing, find_project, not_in_future, org_cell, parse_id, parse_project_code,
    preload_project_column,
)

from .actions import allocate, confirm_arrival, disburse, record_spending, request_hash, reverse
from .rules import MAX_KEY, MAX_MEMO
from .choices import Kind
from .models import Posting

# The words used in the file (Chinese in every interface language: the file is the format).
KIND_NAMES = {
    "下达": Kind.ALLOCATION.value,
    "到位": Kind.ARRIVAL.value,
    "拨付": Kind.DISBURSEMENT.value,
    "支出": Kind.SPENDING.value,
    "冲销": Kind.REVERSAL.value,
}
# Which columns each kind of row uses (besides 幂等键, 业务类型, 日期 and 摘要); the others must stay blank.
NEEDS = {
    Kind.ALLOCATION: {"pairing": True, "year": True, "amount": True},
    Kind.ARRIVAL: {"ref_key": True, "amount": False},
    Kind.DISBURSEMENT: {"project": True, "source": False, "amount": True},
    Kind.SPENDING: {"project": True, "amount": True},
    Kind.REVERSAL: {"ref_key": True, "amount": False},
}
OPTIONAL = ("pairing", "year", "project", "source", "ref_key", "amount")
DATE_FIELD = {Kind.ALLOCATION: "booked_on", Kind.ARRIVAL: "arrived_on", Kind.DISBURSEMENT: "booked_on",
              Kind.SPENDING: "spent_on", Kind.REVERSAL: "booked_on"}
PENDING = object()  # a referenced posting made by an earlier row of the same file


def parse_key(value) -> str:
    s = str(value).strip() if not isinstance(value, float) or not value.is_integer() else str(int(value))
    if not 1 <= len(s) <= MAX_KEY:
        raise ValueError(_("an idempotency key of 1 to %(n)d characters is required") % {"n": MAX_KEY})
    return s


class PostingImporter(Importer):
    slug = "postings"
    title = _l("Ledger postings")
    description = _l("Fiscal aid moving through its stages: allocation by the east, arrival and disbursement by the west, "
                     "project spending, reversals. Each row has an idempotency key, so a file imported twice posts once.")
    permission_field = "kind"
    field_headers = {"agreement": ("pairing", "year"), "allocation": "ref_key", "posting": "ref_key", "amount_fen": "amount",
                     "arrived_on": "date", "booked_on": "date", "spent_on": "date", "idempotency_key": "key",
                     "memo": "memo", "reason": "memo", "__all__": ""}
    columns = [
        Column("幂等键", "key", parse_key, required=True, example="ZJ-2026-XD-0001", width=22,
               help=_l("The client's idempotency key, unique within your organisation (up to 64 characters): a row whose key was "
                       "already posted with the same content is skipped, with other content it is refused. Never reuse a key "
                       "for a new posting.")),
        Column("业务类型", "kind", choice(KIND_NAMES, Kind), required=True, choices=tuple(KIND_NAMES), example="下达",
               help=_l("下达 (allocation, by the eastern office); 到位 (arrival, by the western office); 拨付 (disbursement to a "
                       "project, by the western office); 支出 (project spending, by the western side); 冲销 (reversal, by the side "
                       "that posted the original).")),
        Column("结对编号", "pairing", parse_id, kind="number", example=12,
               help=_l("下达 only: the number of the pairing whose agreement the aid is under, as shown in the pairing list.")),
        Column("协议年度", "year", parse_year, kind="number", example=2026,
               help=_l("下达 only: the year of that pairing's agreement.")),
        Column("项目编号", "project", parse_project_code, example="", width=20,
               help=_l("拨付 and 支出 only: the project's code.")),
        Column("拨付单位", "source", text(200), width=28,
               help=_l("拨付 only, optional: the office whose account pays (credit code or full name); by default the office "
                       "of the project's county.")),
        Column("关联幂等键", "ref_key", parse_key, width=22,
               help=_l("到位: the idempotency key of the allocation that arrived. 冲销: the key of the posting reversed. "
                       "It may be a row higher up in the same file.")),
        Column("金额（元）", "amount", parse_fen, kind="number", example="5000000.00", width=18,
               help=format_lazy("{} {}", _l("Required for 下达, 拨付 and 支出. For 到位 and 冲销 optional: an arrival and a reversal "
                                            "always move the whole original amount, and a filled amount must equal it."), MONEY_HELP)),
        Column("日期", "date", parse_date, kind="date", example="2026-03-20",
               help=_l("到位: the date the funds arrived (required). Others: the booking date, today if blank. "
                       "Never in the future.")),
        Column("摘要", "memo", text(MAX_MEMO), width=36, example="2026年第一批财政援助资金",
               help=_l("A note; for 冲销 the reason, which is required.")),
    ]
    instructions = [
        _l("Each row is one posting, checked and made exactly as on the ledger pages. The eastern office allocates; the western "
           "office confirms arrival and disburses; a row your side may not post is refused."),
        _l("Rows are posted from top to bottom, so an arrival may follow its allocation in the same file."),
        MONEY_HELP,
    ]

    def preload(self, ctx, rows):
        preload_project_column(ctx, rows)

    def prepare(self, ctx, values):
        kind = values["kind"]
        needs = NEEDS[Kind(kind)]
        errors = {}
        for name in OPTIONAL:
            if name in needs:
                if needs[name] and name not in values:
                    errors[name] = [_("required for %(kind)s rows") % {"kind": _kind_word(kind)}]
            elif name in values:
                errors[name] = [_("not used by %(kind)s rows; leave it blank") % {"kind": _kind_word(kind)}]
        if kind == Kind.ARRIVAL and "date" not in values:
            errors["date"] = [_("the date the funds arrived is required")]
        if kind == Kind.REVERSAL and not values.get("memo"):
            errors["memo"] = [_("the reason for the reversal is required")]
        if errors:
            raise ValidationError(errors)
        not_in_future(values.get("date"), "date", _("the date"))
        prepared = {"key": values["key"], "kind": kind, "amount": values.get("amount"), "date": values.get("date"),
                    "memo": values.get("memo", "")}
        if kind == Kind.ALLOCATION:
            pairing = find_pairing(ctx, values["pairing"])
            cache_key = ("agreement", pairing.pk, values["year"])
            if cache_key not in ctx.cache:
                ctx.cache[cache_key] = Agreement.objects.filter(pairing=pairing, year=values["year"]).select_related(
                    "pairing__east_region", "pairing__west_region").order_by("pk").first()
            agreement = ctx.cache[cache_key]
            if agreement is None:
                raise field_error("year", _("pairing %(id)s (%(pairing)s) has no agreement for %(year)s") % {
                    "id": pairing.pk, "pairing": pairing, "year": values["year"]})
            prepared["agreement"] = agreement
        elif kind in (Kind.DISBURSEMENT, Kind.SPENDING):
            prepared["project"] = find_project(ctx, values["project"])
            if values.get("source"):
                prepared["source"] = collect(errors, find_organisation, ctx, values["source"], "source")
                if errors:
                    raise ValidationError(errors)
        else:
            prepared["ref"] = self._find_ref(ctx, values["ref_key"])
            prepared["ref_key"] = values["ref_key"]
            if prepared["ref"] is not PENDING:
                self._check_ref(prepared)
        ctx.cache.setdefault("file-keys", set()).add(values["key"])
        return prepared

    def _find_ref(self, ctx, key):
        """The posting a row refers to by key: the user's organisation's posting, else a row of
        this file above, else the one posting of another office under that key that the user
        may see. A posting the user may not see is answered like one that does not exist."""
        namespace = client_namespace(ctx.user)
        found = list(visible(ctx.user, Posting.objects.filter(idempotency_key=key)).order_by("id")[:10])
        mine = [p for p in found if p.key_ns == namespace]
        if mine:
            return mine[0]
        if key in ctx.cache.get("file-keys", ()):
            return PENDING
        if len(found) > 1:
            raise field_error("ref_key", _("several postings you can see have the key “%(v)s”; give the posting id") % {"v": key})
        if not found:
            raise field_error("ref_key", _("no posting has the idempotency key “%(key)s” (a row of this file must come above the rows "
                                           "that refer to it)") % {"key": key})
        return found[0]

    @staticmethod
    def _check_ref(prepared):
        ref, kind, amount = prepared["ref"], prepared["kind"], prepared["amount"]
        if kind == Kind.ARRIVAL and ref.kind != Kind.ALLOCATION:
            raise field_error("ref_key", _("“%(key)s” is a %(what)s, not an allocation (下达)") % {
                "key": prepared["ref_key"], "what": ref.get_kind_display()})
        if amount is not None and amount != ref.amount_fen:
            raise field_error("amount", _("%(posting)s moved %(money)s; this row must move the same amount or leave it blank") % {
                "posting": ref, "money": format_yuan(ref.amount_fen)})

    def keys(self, prepared):
        return [("key", prepared["key"], _("idempotency key"))]

    def apply(self, ctx, prepared):
        kind, key, date, memo = prepared["kind"], prepared["key"], prepared["date"], prepared["memo"]
        if prepared.get("ref") is PENDING:
            ref = Posting.objects.filter(idempotency_key=prepared["ref_key"], key_ns=client_namespace(ctx.user)).first()
            if ref is None:  # the row that was to post it was refused
                raise field_error("ref_key", _("the row with the idempotency key “%(key)s” was not posted; see its own problem") % {
                    "key": prepared["ref_key"]})
            prepared = dict(prepared, ref=ref)
            self._check_ref(prepared)
        seen = Posting.objects.filter(idempotency_key=key, key_ns=client_namespace(ctx.user)).exists()
        if kind == Kind.ALLOCATION:
            allocate(ctx.user, agreement=prepared["agreement"], amount_fen=prepared["amount"], idempotency_key=key,
                     booked_on=date, memo=memo)
        elif kind == Kind.ARRIVAL:
            confirm_arrival(ctx.user, allocation=prepared["ref"], arrived_on=date, idempotency_key=key, memo=memo)
        elif kind == Kind.DISBURSEMENT:
            disburse(ctx.user, project=prepared["project"], amount_fen=prepared["amount"], idempotency_key=key,
                     source=prepared.get("source"), booked_on=date, memo=memo)
        elif kind == Kind.SPENDING:
            record_spending(ctx.user, project=prepared["project"], amount_fen=prepared["amount"], idempotency_key=key,
                            spent_on=date, memo=memo)
        else:
            reverse(ctx.user, posting=prepared["ref"], reason=memo, idempotency_key=key, booked_on=date)
        return UNCHANGED if seen else CREATED

    # round trip
    def export_headers(self):
        return [c.header for c in self.columns]

    def export_row(self, posting: Posting) -> list:
        """A posting as a row that re-imports as “unchanged” (its key and body are the same).

        The actions hash the body as given, so a posting booked without a date (today) must
        export a blank date to re-import as the same body: `_dated()` tells by the hash."""
        kind = posting.kind
        word = next(n for n, v in KIND_NAMES.items() if v == kind)
        pairing = year = project = source = ref_key = ""
        amount = fen_to_yuan_decimal(posting.amount_fen)
        date = posting.booked_on
        if kind == Kind.ALLOCATION:
            pairing, year = posting.agreement.pairing_id, posting.agreement.year
        elif kind == Kind.ARRIVAL:
            ref_key, date = posting.allocation.idempotency_key, posting.arrived_on
        elif kind == Kind.DISBURSEMENT:
            project, source = posting.project.code, org_cell(posting.west_org)
        elif kind == Kind.SPENDING:
            project = posting.project.code
        else:
            ref_key = posting.reversal_of.idempotency_key
        if kind != Kind.ARRIVAL and not _dated(posting):
            date = None
        return [posting.idempotency_key, word, pairing, year, project, source, ref_key, amount,
                date.isoformat() if date else "", posting.memo]


def _dated(posting: Posting) -> bool:
    """Whether the posting's action was given its date: its request hash is not that of
    the same body without a date (the bodies are those the actions in actions.py hash)."""
    kind = posting.kind
    if kind == Kind.ALLOCATION:
        body = {"kind": kind, "agreement": posting.agreement_id, "amount_fen": posting.amount_fen, "booked_on": None,
                "memo": posting.memo}
    elif kind == Kind.DISBURSEMENT:
        body = {"kind": kind, "project": posting.project_id, "source": posting.west_org_id, "amount_fen": posting.amount_fen,
                "booked_on": None, "memo": posting.memo}
    elif kind == Kind.SPENDING:
        body = {"kind": kind, "project": posting.project_id, "amount_fen": posting.amount_fen, "spent_on": None,
                "memo": posting.memo}
    elif kind == Kind.REVERSAL:
        body = {"kind": kind, "posting": posting.reversal_of_id, "reason": posting.memo, "booked_on": None}
    else:
        return True
    return request_hash(body) != posting.request_hash


def _kind_word(kind) -> str:
    return next(n for n, v in KIND_NAMES.items() if v == kind)
