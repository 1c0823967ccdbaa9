from django.contrib import admin

from .admin_base import ReadOnlyAdmin
from .models import AuditEntry
from .scoping import audit_visible, can_read_audit


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("time", "username", "via", "action", "object_type", "object_repr", "request_id")
    list_filter = ("action", "via", "object_type")
    search_fields = ("object_repr", "username", "request_id", "object_id")

    def get_queryset(self, request):
        return audit_visible(request.user, super().get_queryset(request))

    def has_module_permission(self, request):
        return request.user.is_staff and can_read_audit(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)
