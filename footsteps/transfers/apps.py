from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "footsteps.transfers"
    label = "transfers"
    verbose_name = "Transfers: journals moved to another setting"
