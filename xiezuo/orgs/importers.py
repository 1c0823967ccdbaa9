"""Excel import of organisations (offices, enterprises, schools, hospitals…).

A row updates the organisation it names — by unified social credit code, or else by name
inside its region, among the organisations the user can see — and creates one otherwise.
Every write goes through save_organisation.
"""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from xiezuo.core.importing import CREATED, UNCHANGED, UPDATED, Column, Importer, choice, parse_code, text
from xiezuo.core.scoping import visible
from xiezuo.regions.actions import region_for_import

from .actions import save_organisation
from .choices import OrgKind
from .credit_code import validate_credit_code
from .models import Organisation

# The words used in the file (Chinese in every interface language: the file is the format).
KIND_NAMES = {
    "协作办": OrgKind.OFFICE.value,
    "企业": OrgKind.ENTERPRISE.value,
    "社会组织": OrgKind.SOCIAL.value,
    "基金会": OrgKind.FOUNDATION.value,
    "第三方评估机构": OrgKind.EVALUATOR.value,
    "学校": OrgKind.SCHOOL.value,
    "医院": OrgKind.HOSPITAL.value,
}


def parse_credit_code(value) -> str:
    return validate_credit_code(str(value))


class OrganisationImporter(Importer):
    slug = "organisations"
    title = _l("Organisations")
    description = _l("Cooperation offices, enterprises, social organisations, foundations, schools and hospitals.")
    permission_field = "region"
    columns = [
        Column("单位名称", "name", text(200), required=True, example="宁波甬美农业发展有限公司", width=36,
               help=_l("The full registered name.")),
        Column("单位类型", "kind", choice(KIND_NAMES, OrgKind), required=True, choices=tuple(KIND_NAMES), example="企业"),
        Column("所在地区代码", "region", parse_code, required=True, example="330212",
               help=_l("Six-digit GB/T 2260 code of the province, prefecture or county where it is registered.")),
        Column("统一社会信用代码", "credit_code", parse_credit_code, example="91330212MA2H3K4L5H", width=24,
               help=_l("18 characters; the last one is a check character and is verified.")),
        Column("联系人", "contact", text(100), example="张三 0574-88888888"),
    ]
    instructions = [
        _l("A row whose unified social credit code (or, without one, whose name in the same region) matches an organisation "
           "you can see updates that organisation; other rows create new ones. A blank cell leaves the recorded value as it is."),
        _l("You may import organisations only in your own area."),
    ]

    def prepare(self, ctx, values):
        region = region_for_import(ctx, values["region"], "region")
        qs = visible(ctx.user, Organisation.objects.select_related("region"))
        instance = None
        if values.get("credit_code"):
            instance = qs.filter(credit_code=values["credit_code"]).first()
        if instance is None:
            instance = qs.filter(region=region, name=values["name"]).first()
        fields = {"name": values["name"], "kind": values["kind"], "region": region}
        for name in ("credit_code", "contact"):
            if name in values:
                fields[name] = values[name]
        return {"instance": instance, "values": fields}

    def keys(self, prepared):
        v = prepared["values"]
        keys = [("name", (v["region"].code, v["name"]), _("name in the same region"))]
        if v.get("credit_code"):
            keys.append(("credit_code", v["credit_code"], _("unified social credit code")))
        return keys

    def apply(self, ctx, prepared):
        instance, values = prepared["instance"], prepared["values"]
        if instance is None:
            save_organisation(ctx.user, **values)
            return CREATED
        if all(getattr(instance, k) == v for k, v in values.items()):
            return UNCHANGED
        save_organisation(ctx.user, instance, **values)
        return UPDATED
