"""The operator's admin site (R32): the same throttled sign-in as everyone.

Django's admin has a bare login form of its own with no limit on guesses; here
its login, logout and password pages send the operator to Footsteps' own, so
throttling, the audit trail and (later) the second factor apply to them too.
"""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse


class OperatorAdminSite(admin.AdminSite):
    site_header = "Footsteps operator"
    site_title = "Footsteps operator"
    index_title = "Settings and accounts"

    def login(self, request, extra_context=None):
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        return redirect_to_login(target, reverse("account_login"))

    def logout(self, request, extra_context=None):
        return redirect("account_logout")

    def password_change(self, request, extra_context=None):
        return redirect("account_change_password")
