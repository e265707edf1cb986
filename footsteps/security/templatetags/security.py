from django import template

from footsteps.security.sessions import WARN_SECONDS

register = template.Library()


@register.inclusion_tag("security/_idle_warning.html", takes_context=True)
def idle_warning(context):
    """The warning before an idle session ends (R9), on every signed-in page:
    the seconds left come from the middleware's check of this request."""
    request = context.get("request")
    ends_in = getattr(request, "session_ends_in", None)
    return {
        "ends_in": ends_in,
        "minutes": getattr(request, "session_idle_minutes", None),
        "warn_before": WARN_SECONDS,
        "csrf_token": context.get("csrf_token"),
    }
