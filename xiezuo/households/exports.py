"""The household list as a workbook, one row per member: masked unless the export was asked
with a purpose by a role that may reveal (views.household_export logs it)."""
from django.utils.translation import gettext as _

from xiezuo.core.excel import export_response, yes_no

from .models import Member
from .privacy import household_view, member_view


def export_households(qs, *, revealed=False):
    headers = [_("household number"), _("county code"), _("township"), _("administrative village"), _("village code"), _("status"),
               _("category"), _("relation"), _("name"), _("ID number"), _("phone"), _("health"), _("health detail"),
               _("address"), _("bank account"), _("housing safe"), _("drinking water safe")]

    def rows():
        for h in qs.iterator(chunk_size=2000):
            hv = household_view(h, revealed)
            for m in Member.objects.filter(household=h):
                mv = member_view(m, revealed)
                yield [h.number, h.village_code[:6], h.village.township_name, h.village.name, h.village_code,
                       h.get_status_display(), h.get_category_display(), m.get_relation_display(), m.name,
                       mv["id_number"], mv["phone"], m.get_health_display(), mv["health_note"], hv["address"],
                       hv["bank_account"], yes_no(h.housing_safe), yes_no(h.water_safe)]

    return export_response(_("households"), _("households"), headers, rows())
