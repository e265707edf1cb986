from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "footsteps.core"
    label = "core"
