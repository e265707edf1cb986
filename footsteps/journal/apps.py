from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "footsteps.journal"
    label = "journal"
