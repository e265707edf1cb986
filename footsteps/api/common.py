from django.core.exceptions import PermissionDenied

from footsteps.access.policy import can


def require_setting_wide(request, action: str) -> None:
    actor = request.actor
    if not can(actor, action, actor.setting):
        raise PermissionDenied
