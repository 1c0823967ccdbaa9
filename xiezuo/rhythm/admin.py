"""The rhythm in the admin: posts, consultations and plans read-only and scoped (every change
goes through the pages' actions); the holiday calendar, national data, kept here."""
from django.contrib import admin

from xiezuo.core.admin_base import ScopedAdmin
from xiezuo.core.scoping import scope_for

from .models import ActionItem, CalendarDay, CalendarYear, Consultation, Plan, Post


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


class NationalOnly(admin.ModelAdmin):
    """The holiday calendar is national data: everyone's deadlines depend on it."""

    def has_module_permission(self, request):
        scope = scope_for(request.user)
        return request.user.is_staff and scope.active and scope.role in ("national", "auditor")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        scope = scope_for(request.user)
        return request.user.is_staff and scope.active and scope.role == "national"

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request)


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0


@admin.register(CalendarYear)
class CalendarYearAdmin(NationalOnly):
    list_display = ("year", "source")
    inlines = [CalendarDayInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(NationalOnly):
    list_display = ("date", "name", "is_working", "arrangement")
    list_filter = ("arrangement", "is_working")
