"""The national coordinator edits the markets' configuration here: quota prices per year and
land class, and the proceeds split rule. Saves go through the actions (national only)."""
from django.contrib import admin

from .land import actions
from .models import QuotaPrice, SplitRule


@admin.register(QuotaPrice)
class QuotaPriceAdmin(admin.ModelAdmin):
    list_display = ("year", "land_class", "price_fen_per_mu")
    list_filter = ("year", "land_class")

    def save_model(self, request, obj, form, change):
        saved = actions.set_quota_price(request.user, year=obj.year, land_class=obj.land_class,
                                        price_fen_per_mu=obj.price_fen_per_mu)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SplitRule)
class SplitRuleAdmin(admin.ModelAdmin):
    list_display = ("year", "farmers_share", "collective_share")

    def save_model(self, request, obj, form, change):
        saved = actions.set_split_rule(request.user, year=obj.year, farmers_share=obj.farmers_share,
                                       collective_share=obj.collective_share)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False
