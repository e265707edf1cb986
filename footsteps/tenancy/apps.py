from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "footsteps.tenancy"
    label = "tenancy"
