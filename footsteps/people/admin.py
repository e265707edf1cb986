"""The operator's admin site: settings and accounts, for running the service.

It deliberately registers no children, journals or links between parents and
children: the operator cannot read a setting's records (R32)."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.models import Group
from django_tasks_db.models import DBTaskResult

from footsteps.audit.services import audit_person
from footsteps.people.models import User

# Queued emails wait in the task table with working invitation and password-reset
# links in their arguments: the operator must not read them and take over an account.
# Extra email addresses would let the operator add one to a manager's account and
# reset its password (R32); groups grant nothing in Footsteps. Second sign-in
# steps hold secrets (an app's key): a manager's "new login details" clears them.
for model in (DBTaskResult, EmailAddress, Group, Authenticator):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """The operator may switch an account off, nothing more: changing an email or
    granting admin rights here would let them reset a password and read journals
    (R32). Whatever they change is written to each of the person's settings' logs."""

    list_display = ["email", "full_name", "is_active", "last_login"]
    search_fields = ["email"]
    fields = ["email", "full_name", "is_active", "is_staff", "is_superuser", "last_login"]
    readonly_fields = ["email", "full_name", "is_staff", "is_superuser", "last_login"]

    def has_add_permission(self, request):
        return False  # accounts come only from a setting's invitation (R2)

    def has_delete_permission(self, request, obj=None):
        return False  # deletion belongs to the setting's records lifecycle (R33, R34)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.changed_data:
            audit_person(
                actor=request.user,
                user=obj,
                action="operator.account_changed",
                fields=form.changed_data,
                is_active=obj.is_active,
            )
