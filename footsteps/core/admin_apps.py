from django.contrib.admin.apps import AdminConfig


class OperatorAdminConfig(AdminConfig):
    """Django's admin, on the operator's site (footsteps.core.admin_site)."""

    default_site = "footsteps.core.admin_site.OperatorAdminSite"
