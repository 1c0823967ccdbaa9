"""The ledger in the admin: read-only and scoped. Postings are made by the actions only."""
from django.contrib import admin

from xiezuo.core.admin_base import ScopedAdmin

from .models import Account, Entry, Posting


class EntryInline(admin.TabularInline):
    model = Entry
    fields = ("seq", "account", "side", "amount_fen", "booked_on", "hash")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ScopedAdmin):
    list_display = ("id", "owner", "purpose", "project", "normal_side", "currency")
    list_filter = ("purpose",)
    search_fields = ("owner__name", "project__code", "project__name")
    readonly_fields = [f.name for f in Account._meta.fields]


@admin.register(Posting)
class PostingAdmin(ScopedAdmin):
    list_display = ("id", "kind", "amount_fen", "booked_on", "west_org", "east_org", "project", "arrived_on", "due_date", "idempotency_key")
    list_filter = ("kind",)
    search_fields = ("idempotency_key", "memo", "project__code")
    readonly_fields = [f.name for f in Posting._meta.fields]
    inlines = [EntryInline]
    list_select_related = ("west_org", "east_org", "project")


@admin.register(Entry)
class EntryAdmin(ScopedAdmin):
    list_display = ("seq", "posting", "account", "side", "amount_fen", "booked_on", "hash")
    readonly_fields = [f.name for f in Entry._meta.fields]
    list_select_related = ("posting", "account__owner")
