"""Excel import of needs (需求清单) by the western county: all or nothing, every bad row named,
each row through `actions.record_need`."""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from xiezuo.core.errors import ValidationError, field_error
from xiezuo.core.importing import CREATED, Column, Importer, choice, parse_count, parse_code, parse_fen, text
from xiezuo.core.scoping import visible
from xiezuo.people.models import Dispatch
from xiezuo.projects.importers import collect, find_project, find_region, parse_id, parse_project_code

from .actions import record_need
from .choices import NeedCategory

CATEGORY_NAMES = {"教育助学": "education", "医疗救助": "medical", "危房改造": "housing", "产业发展": "industry", "转移就业": "employment",
                  "技能培训": "skills", "生活必需品": "necessities"}


def find_cadre(ctx, pk, field="cadre"):
    key = ("cadre", pk)
    if key not in ctx.cache:
        d = visible(ctx.user, Dispatch.objects.select_related("to_org__region")).filter(pk=pk).first()
        if d is None:
            raise field_error(field, _("no dispatch record has the number %(id)s") % {"id": pk})
        ctx.cache[key] = d
    return ctx.cache[key]


class NeedImporter(Importer):
    slug = "social-needs"
    title = _l("Social help needs")
    description = _l("Needs identified by dispatched cadres in western villages (需求清单), for the eastern office to review and publish.")
    permission_field = "county"
    columns = [
        Column("县级代码", "county", parse_code, required=True, example="513436"),
        Column("村", "village", text(100), required=True, example="洒库乡拉木村"),
        Column("类别", "category", choice(CATEGORY_NAMES, NeedCategory), required=True, choices=tuple(CATEGORY_NAMES), example="教育助学"),
        Column("需求描述", "description", text(1000), required=True, width=40, example="拉木村小学42名学生需要冬季校服和文具",
               help=_l("Read by every social organisation once published: no names, ID numbers or phone numbers.")),
        Column("预算（元）", "budget_fen", parse_fen, required=True, kind="number", example="20000"),
        Column("受益人数", "beneficiaries", parse_count, required=True, kind="number", example="42"),
        Column("挂职干部记录编号", "cadre", parse_id, required=True, kind="number",
               help=_l("The number of the dispatch record of the cadre who identified the need, as shown in the people list.")),
        Column("项目编号", "project", parse_project_code, help=_l("Optional: the project whose account receives the pledged funds.")),
    ]
    instructions = [_l("Every row records a new need, waiting for the eastern office's review.")]

    def prepare(self, ctx, values):
        errors = {}
        county = collect(errors, find_region, ctx, values["county"], "county", "county")
        cadre = collect(errors, find_cadre, ctx, values["cadre"])
        project = collect(errors, find_project, ctx, values["project"]) if values.get("project") else None
        if errors:
            raise ValidationError(errors)
        return {"county": county, "village": values["village"], "category": values["category"], "description": values["description"],
                "budget_fen": values["budget_fen"], "beneficiaries": values["beneficiaries"], "cadre": cadre, "project": project}

    def keys(self, prepared):
        return [("description", (prepared["county"].pk, prepared["village"], prepared["category"], prepared["description"]),
                 _("county, village, category and description"))]

    def apply(self, ctx, prepared):
        record_need(ctx.user, **prepared)
        return CREATED

    def export_headers(self):
        return [c.header for c in self.columns]

    def export_row(self, n):
        from xiezuo.core.money import fen_to_yuan_decimal

        return [n.county.code, n.village, next(k for k, v in CATEGORY_NAMES.items() if v == n.category), n.description,
                fen_to_yuan_decimal(n.budget_fen), n.beneficiaries, n.cadre_id, n.project.code if n.project_id else ""]
