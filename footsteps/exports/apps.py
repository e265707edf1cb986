from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "footsteps.exports"
    label = "exports"
    verbose_name = "Exports: PDF journals"
