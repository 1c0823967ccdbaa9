from django.contrib import admin

from xiezuo.core.admin_base import ScopedAdmin

from .actions import save_agreement
from .models import Agreement, Pairing


@admin.register(Pairing)
class PairingAdmin(ScopedAdmin):
    """Read-only here: a pairing change needs a reason and lives in its own pages."""

    list_display = ("__str__", "kind", "east_region", "west_region", "valid_from", "valid_to", "is_demo")
    list_filter = ("kind", "is_demo")
    search_fields = ("name", "east_region__name", "west_region__name")
    readonly_fields = [f.name for f in Pairing._meta.fields]


@admin.register(Agreement)
class AgreementAdmin(ScopedAdmin):
    list_display = ("pairing", "year", "fiscal_aid_fen", "cadres", "professionals", "is_demo")
    list_filter = ("year", "is_demo")
    raw_id_fields = ("pairing",)
    fields = ("pairing", "year", "fiscal_aid_fen", "funds_due_date", "cadres", "professionals",
              "labour_placements", "consumption_fen", "projects", "signed_on", "note", "is_demo")
    save_action = staticmethod(save_agreement)
