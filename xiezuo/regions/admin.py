from django.contrib import admin

from xiezuo.core.admin_base import ScopedAdmin

from .models import Region, RegionFact


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ("code", "name", "level", "role", "former_poverty", "key_assistance")
    list_filter = ("level", "role", "former_poverty", "key_assistance")
    search_fields = ("code", "name")
    readonly_fields = [f.name for f in Region._meta.fields]


@admin.register(RegionFact)
class RegionFactAdmin(ScopedAdmin):
    list_display = ("region", "year", "population", "gdp_wan", "rural_income_yuan", "is_demo")
    search_fields = ("region__name", "region__code")
    list_filter = ("year",)
    readonly_fields = [f.name for f in RegionFact._meta.fields]
