from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from footsteps.access.membership import SESSION_KEY
from footsteps.access.views import get_for, requires
from footsteps.core.forms import apply_validation_error
from footsteps.security.second_factor import recent_check_required
from footsteps.support import selectors, services
from footsteps.support.forms import GrantForm
from footsteps.support.models import SupportGrant


@requires("support.manage", setting_wide=True)
@recent_check_required
def support_access(request):
    """A manager lets support in for a while, ends it, and sees what it did."""
    form = GrantForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant(actor=request.actor, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Support can now enter your setting.")
            return redirect("support_access")
    grants = list(selectors.grants_for(request.actor)[:10])
    context = {
        "form": form,
        "grants": grants,
        "current": next((g for g in grants if g.is_current), None),
        "activity": selectors.support_activity(request.actor),
    }
    return render(request, "support/support_access.html", context)


@require_POST
@requires("support.end")
def support_end(request, grant_id):
    support = get_for(request.actor, "support.end", SupportGrant.objects.all(), pk=grant_id)
    services.end(actor=request.actor, support=support)
    messages.success(request, "Support access has ended.")
    return redirect("support_access")


def operator_only(view):
    """Pages of the operator (a superuser): anyone else gets 404, as if there
    were nothing here."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not services.operator_may_enter(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.footsteps_action = "operator"  # type: ignore[attr-defined]
    return wrapped


@operator_only
def operator_support(request):
    return render(request, "support/operator_support.html", {"grants": selectors.open_grants()})


@require_POST
@operator_only
def operator_enter(request, grant_id):
    support = selectors.open_grants().filter(pk=grant_id).first()
    if support is None:
        raise Http404
    membership = services.enter(user=request.user, support=support)
    request.session[SESSION_KEY] = membership.pk
    messages.success(request, f"You are in {support.setting.name} as support until it ends.")
    return redirect("home")
