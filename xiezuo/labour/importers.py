"""Excel imports of 劳务协作: workers, jobs, placements and retention checks, all-or-nothing,
every bad row named (the machinery of `core.importing`), each through the app's actions.

Workers are registered in one batch (`actions.register_workers`): the same ID number twice
in the file is refused on the second row naming the first, one already registered in the
county is refused naming the worker. ID numbers and phones in a file are full (a masked
one cannot register anybody). Placements and checks are written in batches as the bulk
ingestion writes them.
"""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from xiezuo.core.errors import BatchRefused, ValidationError, field_error
from xiezuo.core.importing import (CREATED, Column, Importer, _number_text, choice, parse_code, parse_count, parse_date,
                                   parse_whole_yuan, parse_yes_no, text)
from xiezuo.core.personal.crypto import blind_index
from xiezuo.core.personal.idnumbers import normalise
from xiezuo.projects.importers import collect, find_organisation, parse_id
from xiezuo.regions.models import Region

from . import actions
from .choices import MILESTONES, SKILL_BIT, HouseholdStatus, split_list
from .models import Placement, Worker

STATUS_NAMES = {"脱贫人口": HouseholdStatus.ALLEVIATED.value, "监测对象": HouseholdStatus.MONITORED.value,
                "其他": HouseholdStatus.OTHER.value}


def parse_skills(value) -> list[str]:
    names = split_list(value)
    bad = [n for n in names if n not in SKILL_BIT]
    if bad:
        raise ValueError(_("unknown skills: %(s)s (the template's 说明 sheet lists the skills)") % {"s": "、".join(bad)})
    return names


def parse_provinces(value) -> list[str]:
    """Province names (浙江省, 浙江) or two-digit codes, separated by 、 or commas."""
    out = []
    provinces, short = _province_words()
    for part in split_list(value):
        code = part if part.isdigit() and part in provinces.values() else provinces.get(part) or short.get(part)
        if code is None:
            raise ValueError(_("“%(p)s” is not a province") % {"p": part})
        out.append(code)
    return out


ID_NUMBER = _l("ID number")  # what two rows share when they repeat a number


def _province_words() -> tuple[dict, dict]:
    """({full name: code}, {short name: code}), the short names made once per tree read."""
    from .rules import province_names

    provinces = province_names()
    if _SHORT.get("of") is not provinces or len(_SHORT.get("names", ())) != len(provinces):
        _SHORT["of"], _SHORT["names"] = provinces, dict(provinces)
        _SHORT["short"] = {name.rstrip("省市").replace("壮族自治区", "").replace("回族自治区", "").replace("维吾尔自治区", "")
                           .replace("自治区", ""): code for name, code in provinces.items()}
    return provinces, _SHORT["short"]


_SHORT: dict = {}


def parse_id_number(value) -> str:
    s = normalise(_number_text(value))
    if "*" in s or "＊" in s:
        raise ValueError(_("a masked ID number cannot register a worker: write it in full"))
    return s


def _county(ctx, code):
    return ctx.cached(("county", code), lambda: Region.objects.filter(code=code).first())


def _preload_regions(ctx, rows, field):
    """The regions a file names in `field`, read with one query (not one per county)."""
    codes = set()
    for _n, raw in rows:
        try:
            codes.add(parse_code(raw.get(field)))
        except (TypeError, ValueError):
            continue
    found = {r.code: r for r in Region.objects.filter(code__in=sorted(codes))} if codes else {}
    for code in codes:
        ctx.cache[("county", code)] = found.get(code)


def _bulk_errors(importer, result, exc: BatchRefused, numbers):
    for i, errors in sorted(exc.refused.items()):
        for name, messages in errors.items():
            for message in messages:
                result.add(numbers[i], importer.header_for(name), message)


class WorkerImporter(Importer):
    slug = "labour-workers"
    title = _l("Workers (labour cooperation)")
    description = _l("Workers registered by a western county: ID number, phone, household status, skills, preferred places.")
    bulk = True
    columns = [
        Column("登记县代码", "county", parse_code, required=True, example="513436",
               help=_l("The six-digit code of the western county that registers the worker.")),
        Column("姓名", "name", text(50), required=True, example="吉克阿依"),
        Column("身份证号", "id_number", parse_id_number, required=True, width=22, example="513436199003010115",
               help=_l("In full: checked with its check digit, stored encrypted, shown masked.")),
        Column("手机号", "phone", text(20), example="13987654321"),
        Column("家庭类别", "household_status", choice(STATUS_NAMES, HouseholdStatus), required=True, choices=tuple(STATUS_NAMES),
               example="脱贫人口"),
        Column("技能", "skills", parse_skills, width=24, example="电子装配、普工",
               help=_l("Separated by 、 or commas, from the list of skills.")),
        Column("意向就业地", "preferred_provinces", parse_provinces, width=20, example="浙江、广东",
               help=_l("Provinces, by name or two-digit code, the first the most wanted.")),
        Column("期望月薪（元）", "expected_wage_fen", parse_whole_yuan, kind="number", example="4500"),
    ]
    instructions = [
        _l("Each row registers a new worker. The same ID number twice in the file, or already registered in the county, "
           "is refused; a number registered in another county is registered again and listed for merging.")]

    def preload(self, ctx, rows):
        _preload_regions(ctx, rows, "county")

    def prepare(self, ctx, values):
        county = _county(ctx, values["county"])
        if county is None:
            raise field_error("county", _("no region has the code %(c)s") % {"c": values["county"]})
        return {"row": actions.WorkerRow(
            county=county, name=values["name"], id_number=values["id_number"], phone=values.get("phone") or "",
            household_status=values["household_status"], skills=values.get("skills") or [],
            preferred_provinces=values.get("preferred_provinces") or [], expected_wage_fen=values.get("expected_wage_fen") or 0),
            "id_key": blind_index("id", values["id_number"])}  # parse_id_number normalised it

    def keys(self, prepared):
        return [("id_number", prepared["id_key"], ID_NUMBER)]

    def apply_all(self, ctx, rows, result):
        numbers = [n for n, _p in rows]
        try:
            actions.register_workers(ctx.user, [p["row"] for _n, p in rows])
        except BatchRefused as exc:
            _bulk_errors(self, result, exc, numbers)
            return
        result.counts[CREATED] += len(rows)


class JobImporter(Importer):
    slug = "labour-jobs"
    title = _l("Jobs (labour cooperation)")
    description = _l("Jobs posted by employers: place, positions, wage range, skills, housing.")
    permission_field = "employer"
    columns = [
        Column("用工单位", "employer", text(200), required=True, width=30, example="宁波甬江电子有限公司",
               help=_l("Unified social credit code, or full name as recorded on the platform.")),
        Column("岗位名称", "title", text(100), required=True, example="电子装配工"),
        Column("工作地县级代码", "place", parse_code, required=True, example="330212"),
        Column("招聘人数", "positions", parse_count, required=True, kind="number", example="30"),
        Column("月薪下限（元）", "wage_min_fen", parse_whole_yuan, required=True, kind="number", example="5000"),
        Column("月薪上限（元）", "wage_max_fen", parse_whole_yuan, required=True, kind="number", example="6500"),
        Column("技能要求", "skills", parse_skills, example="电子装配、普工"),
        Column("提供住宿", "housing", parse_yes_no, choices=("是", "否"), example="是"),
        Column("职业编码", "occupation_code", text(20), example="6-25-04-01",
               help=_l("The 2022 national occupation classification, where known.")),
    ]

    def prepare(self, ctx, values):
        errors = {}
        employer = collect(errors, find_organisation, ctx, values["employer"], "employer")
        place = _county(ctx, values["place"])
        if place is None:
            errors["place"] = [_("no region has the code %(c)s") % {"c": values["place"]}]
        if errors:
            raise ValidationError(errors)
        return {"employer": employer, "place": place, **{k: values[k] for k in ("title", "positions", "wage_min_fen", "wage_max_fen")},
                "skills": values.get("skills") or [], "housing": bool(values.get("housing")),
                "occupation_code": values.get("occupation_code") or ""}

    def apply(self, ctx, prepared):
        actions.save_job(ctx.user, **prepared)
        return CREATED


class TrainingImporter(Importer):
    """Order-based trainings (订单式培训): one row a course, through `actions.save_training`, so
    a row is checked as the form checks it (a western county; an employer that committed to
    hire; the end on or after the start; the county's or the employer's office records it)."""

    slug = "labour-trainings"
    title = _l("Order-based trainings (labour cooperation)")
    description = _l("Courses held for a western county's workers with an employer that committed to hire those who finish.")
    permission_field = "county"
    columns = [
        Column("培训县代码", "county", parse_code, required=True, example="513436",
               help=_l("The six-digit code of the western county whose workers are trained.")),
        Column("培训项目", "course", text(100), required=True, width=24, example="电子装配订单班"),
        Column("承诺用工单位", "employer", text(200), required=True, width=30, example="宁波甬江电子有限公司",
               help=_l("Unified social credit code, or full name as recorded on the platform.")),
        Column("承诺录用人数", "committed_hires", parse_count, kind="number", example="40"),
        Column("开班日期", "starts_on", parse_date, required=True, kind="date", example="2026-03-02"),
        Column("结业日期", "ends_on", parse_date, required=True, kind="date", example="2026-04-30"),
    ]
    instructions = [_l("Each row records a new order-based training; the same county, course and start twice in the file is refused.")]

    def preload(self, ctx, rows):
        _preload_regions(ctx, rows, "county")

    def prepare(self, ctx, values):
        errors = {}
        county = _county(ctx, values["county"])
        if county is None:
            errors["county"] = [_("no region has the code %(c)s") % {"c": values["county"]}]
        employer = collect(errors, find_organisation, ctx, values["employer"], "employer")
        if errors:
            raise ValidationError(errors)
        return {"county": county, "course": values["course"], "employer": employer,
                "committed_hires": values.get("committed_hires") or 0, "starts_on": values["starts_on"], "ends_on": values["ends_on"]}

    def keys(self, prepared):
        return [("course", (prepared["county"].pk, prepared["course"], prepared["starts_on"]), _("county, course and start"))]

    def apply(self, ctx, prepared):
        actions.save_training(ctx.user, **prepared)
        return CREATED


def _worker_by_number(ctx, number):
    index = blind_index("id", normalise(number))

    def find():
        from xiezuo.core.scoping import visible

        return visible(ctx.user, Worker.objects.select_related("county")).filter(id_index=index, merged_into__isnull=True).first()

    return ctx.cached(("worker", index), find)


class PlacementImporter(Importer):
    slug = "labour-placements"
    title = _l("Placements (labour cooperation)")
    description = _l("Workers placed in jobs: employer, place of work, start date, occupation code, wage.")
    bulk = True
    columns = [
        Column("记录编号", "client_id", text(64), width=20, example="MG-2026-0001",
               help=_l("Optional: your own number for the placement, unique within your organisation.")),
        Column("身份证号", "id_number", parse_id_number, required=True, width=22, example="513436199003010115",
               help=_l("The worker's ID number in full: the worker must be registered in your area.")),
        Column("用工单位", "employer", text(200), required=True, width=30, example="宁波甬江电子有限公司"),
        Column("就业地县级代码", "place", parse_code, required=True, example="330212"),
        Column("就业开始日期", "start_date", parse_date, required=True, kind="date", example="2026-03-01"),
        Column("职业编码", "occupation_code", text(20), example="6-25-04-01"),
        Column("月工资（元）", "monthly_wage_fen", parse_whole_yuan, kind="number", example="5800"),
    ]

    def prepare(self, ctx, values):
        errors = {}
        worker = _worker_by_number(ctx, values["id_number"])
        if worker is None:
            errors["id_number"] = [_("no worker with this ID number is registered in your area")]
        employer = collect(errors, find_organisation, ctx, values["employer"], "employer")
        place = _county(ctx, values["place"])
        if place is None:
            errors["place"] = [_("no region has the code %(c)s") % {"c": values["place"]}]
        if errors:
            raise ValidationError(errors)
        return {"row": actions.PlacementRow(worker=worker, employer=employer, place=place, start_date=values["start_date"],
                                            occupation_code=values.get("occupation_code") or "",
                                            monthly_wage_fen=values.get("monthly_wage_fen") or 0,
                                            client_id=values.get("client_id") or None)}

    def keys(self, prepared):
        r = prepared["row"]
        return [("id_number", (r.worker.pk, r.employer.pk, r.start_date), _("worker, employer and start date"))]

    def apply_all(self, ctx, rows, result):
        numbers = [n for n, _p in rows]
        try:
            actions.record_placements(ctx.user, [p["row"] for _n, p in rows])
        except BatchRefused as exc:
            _bulk_errors(self, result, exc, numbers)
            return
        result.counts[CREATED] += len(rows)


class CheckImporter(Importer):
    slug = "labour-checks"
    title = _l("Retention checks (labour cooperation)")
    description = _l("Retention checks at 3, 6 and 12 months: still employed, months of wage transfers seen.")
    bulk = True
    columns = [
        Column("就业记录号", "placement", parse_id, required=True, kind="number", example="1024",
               help=_l("The placement's number, as the placement list and its export show it.")),
        Column("回访节点（月）", "milestone", parse_count, required=True, kind="number", choices=tuple(str(m) for m in MILESTONES),
               example="3"),
        Column("回访日期", "checked_on", parse_date, required=True, kind="date", example="2026-06-03"),
        Column("是否在岗", "employed", parse_yes_no, required=True, choices=("是", "否"), example="是"),
        Column("工资流水月数", "wage_months", parse_count, kind="number", example="3"),
        Column("备注", "note", text(200)),
    ]

    def prepare(self, ctx, values):
        from xiezuo.core.scoping import visible

        p = visible(ctx.user, Placement.objects.select_related("county", "place", "worker")).filter(pk=values["placement"]).first()
        if p is None:
            raise field_error("placement", _("no placement with this number in your area"))
        return {"row": actions.CheckRow(placement=p, milestone=values["milestone"], checked_on=values["checked_on"],
                                        employed=values["employed"], wage_months=values.get("wage_months") or 0,
                                        note=values.get("note") or "")}

    def keys(self, prepared):
        r = prepared["row"]
        return [("milestone", (r.placement.pk, r.milestone), _("placement and months after start"))]

    def apply_all(self, ctx, rows, result):
        numbers = [n for n, _p in rows]
        try:
            actions.record_checks(ctx.user, [p["row"] for _n, p in rows])
        except BatchRefused as exc:
            _bulk_errors(self, result, exc, numbers)
            return
        result.counts[CREATED] += len(rows)
