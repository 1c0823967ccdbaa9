from django.contrib import admin

from xiezuo.core.scoping import scope_for

from .models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """Only the national coordinator assigns roles."""

    list_display = ("user", "organisation", "role")
    list_filter = ("role",)
    raw_id_fields = ("organisation",)

    def _national(self, request):
        return request.user.is_staff and scope_for(request.user).role == "national"

    def has_module_permission(self, request):
        return self._national(request)

    has_view_permission = has_add_permission = has_change_permission = lambda self, request, obj=None: self._national(request)

    def has_delete_permission(self, request, obj=None):
        return False
