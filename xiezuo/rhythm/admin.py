"""The rhythm in the admin: read-only and scoped; every change goes through the pages' actions."""
from django.contrib import admin

from xiezuo.core.admin_base import ScopedAdmin

from .models import ActionItem, Consultation, Plan, Post


class _ReadOnly(ScopedAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + [f.name for f in self.model._meta.many_to_many]


@admin.register(Post)
class PostAdmin(_ReadOnly):
    list_display = ("name", "office", "is_lead")
    list_filter = ("is_lead",)
    search_fields = ("name", "office__name", "office__region__code")


@admin.register(Consultation)
class ConsultationAdmin(_ReadOnly):
    list_display = ("title", "office", "month", "meeting_date", "status")
    list_filter = ("status",)
    search_fields = ("title", "office__name")


@admin.register(ActionItem)
class ActionItemAdmin(_ReadOnly):
    list_display = ("decision", "owner_post", "deadline", "done_on", "escalated_to")
    search_fields = ("decision", "owner_post__name")


@admin.register(Plan)
class PlanAdmin(_ReadOnly):
    list_display = ("title", "pairing", "start_year", "end_year", "status")
    list_filter = ("status",)
    search_fields = ("title",)
