from django.contrib import admin

from footsteps.tenancy.models import Setting


@admin.register(Setting)
class SettingAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug"]

    def has_add_permission(self, request):
        # `manage.py create_setting` opens a setting with its agreements and first manager.
        return False
