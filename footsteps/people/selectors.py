from django.db.models import Prefetch

from footsteps.access.policy import scope
from footsteps.children.models import ParentLink
from footsteps.people.models import ApiToken, Membership


def staff_for(actor):
    return (
        scope(actor, "membership.manage", Membership.objects.staff())
        .select_related("user")
        .order_by("user__full_name")
    )


def parents_for(actor):
    links = ParentLink.objects.select_related("child").order_by("child__first_name")
    return (
        scope(actor, "membership.manage", Membership.objects.parents())
        .select_related("user")
        .prefetch_related(Prefetch("child_links", queryset=links))
        .order_by("user__full_name")
    )


def tokens_for(actor):
    return scope(actor, "token.manage", ApiToken.objects.filter(revoked_at__isnull=True))
