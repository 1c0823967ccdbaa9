"""Excel import of the county's household spreadsheet (农户信息表): one row per member, the
household named by its number and village code. All-or-nothing: every bad row is named —
an ID number with a wrong check digit, the same ID number twice in the file, an ID number
already registered in any household of the country (shown with that household, for the
offices to resolve), a village not in the importer's area. Writes go through
`actions.save_household`, as on the pages and the API."""
from collections import OrderedDict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from xiezuo.core.errors import ValidationError
from xiezuo.core.importing import CREATED, Column, Importer, choice, parse_yes_no, text
from xiezuo.core.personal.crypto import blind_index
from xiezuo.core.personal.idnumbers import id_number_error, normalise

from .actions import save_household
from .models import Household, Member, Village

RELATIONS = {"户主": "head", "配偶": "spouse", "子女": "child", "父母": "parent", "孙子女": "grandchild", "兄弟姐妹": "sibling",
             "其他": "other"}
HEALTH = {"健康": "healthy", "长期慢性病": "chronic", "大病": "serious", "残疾": "disabled"}


def parse_id_number(value):
    number = normalise(value)
    error = id_number_error(number)
    if error:
        raise ValidationError({"id_number": [error]})
    return number


def parse_phone(value):
    phone = normalise(value)
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise ValidationError({"phone": [_("a phone number has 7 to 12 digits")]})
    return phone


class HouseholdImporter(Importer):
    slug = "households"
    title = _l("Households and members (防返贫监测)")
    description = _l("One row per member; the rows of one household share its number and village code.")
    columns = [
        Column("户编号", "number", text(32), required=True, example="513436101201001"),
        Column("村代码", "village_code", text(12), required=True, example="513436101201",
               help=_l("the village's 12-digit statistical code")),
        Column("与户主关系", "relation", choice(RELATIONS), required=True, choices=tuple(RELATIONS), example="户主"),
        Column("姓名", "name", text(50), required=True, example="阿依拉且"),
        Column("身份证号", "id_number", parse_id_number, required=True, example="51343619800517xxxx"),
        Column("联系电话", "phone", parse_phone, example="13800000000"),
        Column("健康状况", "health", choice(HEALTH), choices=tuple(HEALTH), example="健康"),
        Column("家庭住址", "address", text(200), example="洒库乡拉木村3组"),
        Column("脱贫户", "formerly_poor", parse_yes_no, example="是"),
        Column("住房安全", "housing_safe", parse_yes_no, example="是"),
        Column("饮水安全", "water_safe", parse_yes_no, example="是"),
    ]
    permission_field = "village_code"
    bulk = True

    def preload(self, ctx, rows):
        numbers = {normalise(raw.get("id_number")) for _n, raw in rows if raw.get("id_number")}
        indexes = {blind_index("id", n): n for n in numbers if n and len(n) == 18}
        found = {}
        for i in range(0, len(indexes), 2000):
            chunk = list(indexes)[i:i + 2000]
            for m in Member.objects.filter(id_index__in=chunk).select_related("household"):
                found[indexes[m.id_index]] = m.household
        ctx.cache["registered"] = found
        codes = {str(raw.get("village_code") or "").strip() for _n, raw in rows}
        ctx.cache["villages"] = {v.code: v for v in Village.objects.visible_to(ctx.user).select_related("county").filter(code__in=codes)}

    def prepare(self, ctx, values):
        village = ctx.cache["villages"].get(values["village_code"])
        if village is None:
            raise ValidationError({"village_code": [_("no village with this code in your area")]})
        other = ctx.cache["registered"].get(values["id_number"])
        if other is not None:
            raise ValidationError({"id_number": [_("already registered in household %(h)s (%(code)s): resolve the duplicate before importing") % {
                "h": other.number or f"#{other.pk}", "code": other.village_code}]})
        values["village"] = village
        return values

    def keys(self, prepared):
        return [("id_number", prepared["id_number"], _("ID number"))]

    def apply_all(self, ctx, rows, result):
        groups = OrderedDict()
        for number, p in rows:
            groups.setdefault((p["village_code"], p["number"]), []).append((number, p))
        existing = set(Household.objects.filter(village_code__in={k[0] for k in groups}, number__in={k[1] for k in groups})
                       .values_list("village_code", "number"))
        for key, members in groups.items():
            first_row, first = members[0]
            if key in existing:
                result.add(first_row, "户编号", _("this household is already registered: change it on its page"))
                continue
            heads = [n for n, p in members if p["relation"] == "head"]
            if len(heads) != 1:
                result.add(first_row, "与户主关系", _("a household has exactly one head (户主); this one has %(n)d") % {"n": len(heads)})
                continue
            data = {k: first[k] for k in ("number", "address", "formerly_poor", "housing_safe", "water_safe") if k in first}
            people = [{k: p[k] for k in ("relation", "name", "id_number", "phone", "health") if k in p} for _n, p in members]
            try:
                save_household(ctx.user, first["village"], data, people)
            except ValidationError as exc:
                self.add_validation_errors(result, first_row, exc)
            else:
                result.counts[CREATED] += len(members)
