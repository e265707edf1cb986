from django.contrib import admin

from footsteps.audit.services import audit_record
from footsteps.tenancy.models import Setting


@admin.register(Setting)
class SettingAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug"]

    def has_add_permission(self, request):
        # `manage.py create_setting` opens a setting with its agreements and first manager.
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a setting's records are deleted through its own lifecycle (R34)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.changed_data:
            # The setting sees what the operator changed (R32).
            audit_record(
                actor=request.user,
                setting=obj,
                action="operator.setting_changed",
                target=obj,
                changes={name: str(form.cleaned_data[name]) for name in form.changed_data},
            )
