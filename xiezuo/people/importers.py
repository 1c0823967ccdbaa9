"""Excel import of dispatch records (干部人才选派): cadres and professionals, both directions.

Every write goes through xiezuo.people.actions.save_dispatch, so an import checks what the
pages and the API check: the sending or the receiving organisation must be in the user's
own area, east→west postings go from an eastern to a western organisation (and back for
west→east), the dates are in order.

A row names its record by 记录编号 (the client id kept with the record); without one, by
the person's name, the two organisations and the planned start among the records the user
can see; otherwise it creates a record. A recorded one is updated with the row's filled
cells — typically the actual start and end, which feed the stability figure.

Personal information: ID numbers (身份证号) are shown and exported masked (513436********1234).
A masked number in a file therefore means “keep the recorded number”, so an export
re-imports without wiping it; a full number is checked (17 digits and a check digit or X).
"""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from xiezuo.core.errors import ValidationError, field_error
from xiezuo.core.importing import CREATED, UNCHANGED, UPDATED, Column, Importer, _number_text, choice, parse_date, text
from xiezuo.core.scoping import visible
from xiezuo.projects.importers import collect, find_organisation, find_pairing, not_in_future, org_cell, parse_id
from xiezuo.users.scopes import client_namespace

from .actions import save_dispatch
from .models import Direction, Dispatch, PersonKind
from .privacy import MASK, mask_id_number

# The words used in the file (Chinese in every interface language: the file is the format).
KIND_NAMES = {
    "党政干部": PersonKind.CADRE.value,
    "教育人才": PersonKind.EDUCATION.value,
    "医疗人才": PersonKind.MEDICAL.value,
    "农业技术人才": PersonKind.AGRICULTURE.value,
    "科技特派员": PersonKind.SCIENCE.value,
    "其他专业技术人才": PersonKind.OTHER.value,
}
DIRECTION_NAMES = {"东部→西部": Direction.EAST_TO_WEST.value, "西部→东部": Direction.WEST_TO_EAST.value}
DIRECTION_ALIASES = {"东→西": Direction.EAST_TO_WEST.value, "东部到西部": Direction.EAST_TO_WEST.value,
                     "西→东": Direction.WEST_TO_EAST.value, "西部到东部": Direction.WEST_TO_EAST.value}
DATES = ("planned_start", "planned_end", "actual_start", "actual_end")
KEPT = ("person_name", "id_number", "kind", "direction", "from_org", "to_org", "pairing") + DATES


def parse_id_number(value) -> str:
    """A resident ID number in full, or a masked one (kept as recorded: returns MASK)."""
    s = _number_text(value).upper()
    if MASK in s or "＊" in s:
        return MASK
    if not (len(s) == 18 and s[:17].isascii() and s[:17].isdigit() and (s[17].isdigit() or s[17] == "X")):
        raise ValueError(_("a resident ID number is 17 digits and a check digit or X"))
    return s


class DispatchImporter(Importer):
    slug = "dispatches"
    title = _l("Dispatch records")
    description = _l("Cadres and professionals posted east → west to help or west → east to learn, with planned and actual terms.")
    permission_field = "orgs"
    field_headers = {"orgs": ("from_org", "to_org"), "__all__": ""}
    columns = [
        Column("记录编号", "client_id", text(64), width=20, example="ZJ-2026-RC-0001",
               help=_l("Optional: your own number for the record, unique within your organisation. A number your organisation recorded updates that record.")),
        Column("姓名", "person_name", text(50), required=True, example="王明"),
        Column("身份证号", "id_number", parse_id_number, width=22, example="330212198805061234",
               help=_l("Optional. Written in full it is checked and stored; masked (with *), as exports show it, the recorded "
                       "number is kept.")),
        Column("人员类别", "kind", choice(KIND_NAMES, PersonKind), required=True, choices=tuple(KIND_NAMES), example="教育人才"),
        Column("派驻方向", "direction", choice({**DIRECTION_NAMES, **DIRECTION_ALIASES}, Direction), required=True,
               choices=tuple(DIRECTION_NAMES), example="东部→西部",
               help=_l("东部→西部: posted to help; 西部→东部: posted to learn.")),
        Column("派出单位", "from_org", text(200), required=True, width=30, example="宁波市鄞州区实验中学",
               help=_l("The sending organisation: unified social credit code, or full name as recorded on the platform.")),
        Column("接收单位", "to_org", text(200), required=True, width=30, example="美姑县民族中学",
               help=_l("The receiving organisation: unified social credit code, or full name as recorded on the platform.")),
        Column("结对编号", "pairing", parse_id, kind="number",
               help=_l("Optional: the number of the pairing the posting is under, as shown in the pairing list.")),
        Column("计划开始日期", "planned_start", parse_date, required=True, kind="date", example="2026-03-01"),
        Column("计划结束日期", "planned_end", parse_date, required=True, kind="date", example="2027-02-28"),
        Column("实际开始日期", "actual_start", parse_date, kind="date", example="2026-03-05"),
        Column("实际结束日期", "actual_end", parse_date, kind="date",
               help=_l("Blank while on post. A professional who stays to the planned end counts as stable.")),
    ]
    instructions = [
        _l("A row whose 记录编号 is recorded updates that record; without a number, the record with the same name, organisations "
           "and planned start is updated if you can see it; other rows create new records. A blank cell keeps the recorded value."),
        _l("You may import a record only if the sending or the receiving organisation is in your own area."),
    ]

    def prepare(self, ctx, values):
        errors = {}
        from_org = collect(errors, find_organisation, ctx, values["from_org"], "from_org")
        to_org = collect(errors, find_organisation, ctx, values["to_org"], "to_org")
        pairing = collect(errors, find_pairing, ctx, values["pairing"]) if values.get("pairing") else None
        for name in ("actual_start", "actual_end"):
            collect(errors, not_in_future, values.get(name), name, _("the date"))
        if errors:
            raise ValidationError(errors)
        client_id = values.get("client_id")
        existing = None
        if client_id:
            existing = Dispatch.objects.select_related("from_org__region", "to_org__region").filter(
                client_id=client_id, client_ns=client_namespace(ctx.user)).first()
            if existing is not None and not visible(ctx.user, Dispatch.objects.filter(pk=existing.pk)).exists():
                raise field_error("client_id", _("the record number %(id)s is already in use") % {"id": client_id})
        if existing is None:
            existing = visible(ctx.user, Dispatch.objects.select_related("from_org__region", "to_org__region")).filter(
                person_name=values["person_name"], from_org=from_org, to_org=to_org, planned_start=values["planned_start"],
            ).order_by("pk").first()
        fields = {"person_name": values["person_name"], "kind": values["kind"], "direction": values["direction"],
                  "from_org": from_org, "to_org": to_org}
        if pairing is not None:
            fields["pairing"] = pairing
        for name in DATES:
            if name in values:
                fields[name] = values[name]
        id_number = values.get("id_number")
        if id_number and id_number != MASK:
            fields["id_number"] = id_number
        elif id_number == MASK and existing is None:
            raise field_error("id_number", _("a masked ID number can only stand for a recorded one; write it in full or leave it blank"))
        if client_id and (existing is None or not existing.client_id):
            fields["client_id"] = client_id
        return {"existing": existing, "fields": fields}

    def keys(self, prepared):
        f = prepared["fields"]
        keys = [("person_name", (f["person_name"], f["from_org"].pk, f["to_org"].pk, f["planned_start"]),
                 _("name, organisations and planned start"))]
        if f.get("client_id") or (prepared["existing"] is not None and prepared["existing"].client_id):
            keys.append(("client_id", f.get("client_id") or prepared["existing"].client_id, _("record number")))
        return keys

    def apply(self, ctx, prepared):
        existing, fields = prepared["existing"], prepared["fields"]
        if existing is None:
            save_dispatch(ctx.user, **fields)
            return CREATED
        changes = {k: v for k, v in fields.items() if getattr(existing, k) != v}
        if not changes:
            return UNCHANGED
        save_dispatch(ctx.user, existing, **changes)
        return UPDATED

    # round trip
    def export_headers(self):
        return [c.header for c in self.columns]

    def export_row(self, d: Dispatch) -> list:
        def day(v):
            return v.isoformat() if v else ""

        return [d.client_id or "", d.person_name, mask_id_number(d.id_number),
                next(n for n, v in KIND_NAMES.items() if v == d.kind), next(n for n, v in DIRECTION_NAMES.items() if v == d.direction),
                org_cell(d.from_org), org_cell(d.to_org), d.pairing_id or "", day(d.planned_start), day(d.planned_end),
                day(d.actual_start), day(d.actual_end)]
