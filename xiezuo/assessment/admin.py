from django.contrib import admin

from xiezuo.core.scoping import scope_for

from .models import CalendarDay, CalendarYear


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
