from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect

from footsteps.support import services
from footsteps.support.models import SupportGrant


class SupportMiddleware:
    """For the operator only (a superuser acting in a setting): their grant
    must still run, and every request is logged (R32). Nobody else pays a
    query for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        actor = getattr(request, "actor", None)
        membership = getattr(actor, "membership", None)
        if membership is None or not request.user.is_superuser:
            return None
        support = (
            SupportGrant.objects.filter(membership=membership)
            .select_related("setting", "membership__user")
            .order_by("-created_at")
            .first()
        )
        if support is None or not support.is_current:
            if support is not None:
                services.expire(support)
            logout(request)
            messages.error(request, "Support access to this setting has ended.")
            return redirect("account_login")
        request.support = support
        services.request_seen(
            user=request.user, support=support, method=request.method, path=request.path
        )
        return None
