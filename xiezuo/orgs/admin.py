from django.contrib import admin

from xiezuo.core.admin_base import ScopedAdmin

from .actions import save_organisation
from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ("name", "kind", "region", "credit_code", "is_demo")
    list_filter = ("kind", "is_demo")
    search_fields = ("name", "credit_code", "region__name")
    raw_id_fields = ("region",)
    fields = ("name", "kind", "region", "credit_code", "contact", "is_demo")
    save_action = staticmethod(save_organisation)
