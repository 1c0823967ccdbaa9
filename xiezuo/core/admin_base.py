"""Admin that obeys the same scoping rule and the same actions as every other path."""
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError

from .errors import messages_of
from .scoping import scope_for, visible


class ScopedAdmin(admin.ModelAdmin):
    """Rows are filtered by `visible()`; saves call `save_action(request, obj, form, change)`.

    Models without a save action are read-only in the admin.
    """

    save_action = None

    def get_queryset(self, request):
        return visible(request.user, super().get_queryset(request))

    def has_module_permission(self, request):
        return scope_for(request.user).active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.save_action is not None and scope_for(request.user).can_write and request.user.is_staff

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if not change:
            fields = {name: form.cleaned_data[name] for name in form.cleaned_data}
        try:
            current = type(obj)._default_manager.get(pk=obj.pk) if change else None
            saved = type(self).save_action(request.user, current, **fields)
        except ValidationError as exc:
            msgs = messages_of(exc)
            raise PermissionDenied("; ".join(f"{k}: {' '.join(v)}" for k, v in msgs.items())) from exc
        obj.pk = saved.pk


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
