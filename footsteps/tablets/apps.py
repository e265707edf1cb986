from django.apps import AppConfig


class TabletsConfig(AppConfig):
    name = "footsteps.tablets"
    default_auto_field = "django.db.models.BigAutoField"
