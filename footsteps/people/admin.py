"""The operator's admin site: settings and accounts, for running the service.

It deliberately registers no children, journals or links between parents and
children: the operator cannot read a setting's records (R32)."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

from footsteps.people.models import User

# Queued emails wait in the task table with working invitation and password-reset
# links in their arguments: the operator must not read them and take over an account.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "is_active", "last_login"]
    search_fields = ["email"]
    fields = ["email", "full_name", "is_active", "is_staff", "is_superuser", "last_login"]
    readonly_fields = ["last_login"]
