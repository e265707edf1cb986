"""allauth's second-step pages (under /accounts/2fa/), as Footsteps uses them
(R37). Routed ahead of allauth's own include, as config/urls.py does for its
account pages: the person's page (allauth's "mfa_index" address), our
versions of the pages that add or remove a second step (they note it in the
session and the log), allauth's sign-in and check-again pages; every other
one answers 404, including any page a new allauth version adds."""

from allauth.mfa import urls as allauth_mfa_urls
from django.urls import URLPattern, URLResolver, path
from django.urls.resolvers import RoutePattern

from footsteps.core import views as core
from footsteps.security import views

# allauth's pages used as they are.
MFA_PAGES_USED = {
    "mfa_authenticate",
    "mfa_reauthenticate",
    "mfa_reauthenticate_webauthn",
}
# Ours, at allauth's addresses and under allauth's names (its pages link there).
OURS = {
    "mfa_index": (views.second_factor, "second_factor"),
    "mfa_activate_totp": (views.totp_activate, "mfa_activate_totp"),
    "mfa_deactivate_totp": (views.totp_deactivate, "mfa_deactivate_totp"),
    "mfa_add_webauthn": (views.passkey_add, "mfa_add_webauthn"),
    "mfa_remove_webauthn": (views.passkey_remove, "mfa_remove_webauthn"),
}


def _flat(patterns, prefix=""):
    """(route, pattern) of every page in allauth's nested includes."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _flat(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


urlpatterns = [path("recovery-codes/new/", views.recovery_codes, name="recovery_codes")]
for route, pattern in _flat(allauth_mfa_urls.urlpatterns):
    if pattern.name in OURS:
        view, name = OURS[pattern.name]
        urlpatterns.append(path(route, view, name=name))
    elif pattern.name not in MFA_PAGES_USED:
        # Keeping the page's name for the middleware (an account page, not a
        # setting's), not for reverse(): nothing links to a closed page.
        closed = RoutePattern(route, name=pattern.name, is_endpoint=True)
        urlpatterns.append(URLPattern(closed, core.not_found))
